"""Validators shared by the apps: email domains and IP ranges (admin), email addresses (forms)."""

from __future__ import annotations

import ipaddress
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email as django_validate_email
from django.utils.translation import gettext_lazy as _

# A licence on a webmail domain would hand a seat to anyone with a free address.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "outlook.fr", "hotmail.com", "hotmail.fr",
        "live.com", "live.fr", "msn.com", "yahoo.com", "yahoo.fr", "icloud.com", "me.com",
        "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "laposte.net", "gmx.fr", "gmx.com",
        "protonmail.com", "proton.me", "aol.com",
    }
)  # fmt: skip
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_domain(value: str) -> str:
    """Lower-case, IDNA-encoded form of ``value``; raises ValidationError when it is no domain."""
    domain = (value or "").strip().lower().rstrip(".")
    if "@" in domain:
        raise ValidationError(
            _("Enter a domain such as “acme.fr”, not an email address."), code="email"
        )
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid domain name."), code="invalid", params={"value": value}
        ) from exc
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise ValidationError(
            _("“%(value)s” is not a valid domain name (expected something like “acme.fr”)."),
            code="invalid",
            params={"value": value},
        )
    if labels[-1].isdigit():
        raise ValidationError(
            _("“%(value)s” looks like an IP address: add it as an IP range instead."),
            code="ip",
            params={"value": value},
        )
    if domain in PUBLIC_EMAIL_DOMAINS:
        raise ValidationError(
            _("“%(value)s” is a public email provider: anyone could claim a seat with it."),
            code="public",
            params={"value": value},
        )
    return domain


def normalise_cidr(value: str) -> str:
    """Canonical form of an IPv4/IPv6 address or range; raises ValidationError otherwise."""
    text = (value or "").strip()
    try:
        return str(ipaddress.ip_network(text, strict=True))
    except ValueError as exc:
        try:
            suggestion = str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValidationError(
                _(
                    "“%(value)s” is not an IP address or range: use the CIDR notation, "
                    "e.g. 192.0.2.0/24 or 2001:db8::/32."
                ),
                code="invalid",
                params={"value": value},
            ) from exc
        raise ValidationError(
            _("“%(value)s” has host bits set: did you mean %(suggestion)s?"),
            code="host_bits",
            params={"value": value, "suggestion": suggestion},
        ) from exc


def validate_domain(value: str) -> None:
    normalise_domain(value)


def validate_cidr(value: str) -> None:
    normalise_cidr(value)


# RFC 5321 caps an address at 254 characters, and every email column is that wide
# (models.EmailField's default): a longer one would be truncated or refused by the database.
EMAIL_MAX_LENGTH = 254
EMAIL_TOO_LONG = _(
    "An email address has at most %(limit_value)d characters (this one has %(show_value)d)."
)


def validate_email_length(value: str) -> None:
    if len(value) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            EMAIL_TOO_LONG,
            code="max_length",
            params={"limit_value": EMAIL_MAX_LENGTH, "show_value": len(value)},
        )


def validate_email(value: str) -> None:
    """Django's address syntax check, then the length every email column can hold."""
    validate_email_length(value)
    django_validate_email(value)
