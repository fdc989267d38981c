"""Form fields two apps share."""

from __future__ import annotations

from typing import Any

from django import forms

from core.validators import EMAIL_MAX_LENGTH, EMAIL_TOO_LONG


class EmailField(forms.EmailField):
    """An email address no longer than the columns that store it, with a clear error.

    Django's own field accepts 320 characters, more than the 254 an email column holds.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        kwargs["error_messages"] = {
            "max_length": EMAIL_TOO_LONG,
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)
