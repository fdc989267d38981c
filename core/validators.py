"""Email addresses: one length rule for every form, import and service that takes one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email as django_validate_email
from django.utils.translation import gettext_lazy as _

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
