"""The client IP behind proxies: believe X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from core.network import client_ip, client_ip_from, parse_ip, trusted_proxy_networks

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


def test_without_trusted_proxies_remote_addr_is_the_client() -> None:
    assert client_ip_from("192.0.2.10", None, ()) == "192.0.2.10"


def test_spoofed_forwarded_for_without_a_trusted_proxy_is_ignored() -> None:
    assert client_ip_from("192.0.2.10", "203.0.113.7", ()) == "192.0.2.10"
    assert client_ip_from("192.0.2.10", "203.0.113.7", PROXIES) == "192.0.2.10"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() -> None:
    # The client prepended a fake hop; our proxy appended the real address.
    assert client_ip_from("10.0.0.2", "203.0.113.7, 198.51.100.4", PROXIES) == "198.51.100.4"


def test_chains_of_trusted_proxies_are_walked_back() -> None:
    assert client_ip_from("10.0.0.2", "198.51.100.4, 10.1.1.1, fd00::5", PROXIES) == (
        "198.51.100.4"
    )


def test_when_every_hop_is_a_proxy_the_leftmost_proxy_is_the_client() -> None:
    assert client_ip_from("10.0.0.2", "10.9.9.9", PROXIES) == "10.9.9.9"
    assert client_ip_from("10.0.0.2", "", PROXIES) == "10.0.0.2"


def test_a_garbled_hop_stops_the_walk_at_the_last_proxy() -> None:
    assert client_ip_from("10.0.0.2", "198.51.100.4, n'importe-quoi", PROXIES) == "10.0.0.2"


def test_ipv6_and_ipv4_mapped_addresses() -> None:
    assert client_ip_from("2001:db8::1", None, ()) == "2001:db8::1"
    assert client_ip_from("::ffff:192.0.2.1", None, ()) == "192.0.2.1"
    assert client_ip_from("fd00::1", "[2001:db8::7]:4431", PROXIES) == "2001:db8::7"
    assert client_ip_from("10.0.0.1", "198.51.100.4:1234", PROXIES) == "198.51.100.4"


def test_missing_or_invalid_remote_addr_gives_no_ip() -> None:
    assert client_ip_from(None, "203.0.113.7", PROXIES) is None
    assert client_ip_from("unix-socket", None, ()) is None
    assert parse_ip("") is None


def test_client_ip_reads_the_request_with_the_trusted_proxies_setting(settings) -> None:
    factory = RequestFactory()
    settings.TRUSTED_PROXIES = []
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request) == "203.0.113.7"


def test_a_bad_trusted_proxy_entry_is_a_configuration_error(settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "mon-proxy"]
    with pytest.raises(ImproperlyConfigured, match="mon-proxy"):
        trusted_proxy_networks()
