"""The reader's IP address, as far as it can be trusted (IP licences depend on it)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_ip(value: str | None) -> IPAddress | None:
    """The address in ``value``, IPv4-mapped IPv6 addresses unwrapped; None when it is no IP."""
    if not value:
        return None
    return _parse_ip(value)


# Every request parses its client's address, often more than once: the same few thousand
# addresses come back all the time. The parsed addresses are immutable.
@lru_cache(maxsize=4096)
def _parse_ip(value: str) -> IPAddress | None:
    text = value.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:443"
        text = text.partition(":")[0]
    text = text.split("%", 1)[0]  # zone index of link-local IPv6
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR range"
            ) from exc
    return tuple(networks)


def trusted_proxy_networks() -> tuple[IPNetwork, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def address_in(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip_from(
    remote_addr: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]
) -> str | None:
    """REMOTE_ADDR, or when it is a trusted proxy the right-most untrusted X-Forwarded-For hop.

    Only hops our own proxies appended can be believed: anything to their left was written by
    the client, so a spoofed header sent straight to the app is ignored.
    """
    remote = parse_ip(remote_addr)
    if remote is None:
        return None
    if not address_in(remote, trusted):
        return str(remote)
    hops = [hop for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = parse_ip(hop)
        if address is None:
            # A garbled hop means the chain cannot be followed further: stop at the last proxy.
            return str(remote)
        if not address_in(address, trusted):
            return str(address)
        remote = address
    return str(remote)


def client_ip(request: HttpRequest) -> str | None:
    return client_ip_from(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        trusted_proxy_networks(),
    )
