"""allauth glue: the client address comes from the one place that knows which proxies to trust."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.network import client_ip
from core.validators import validate_email_length


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        # allauth's field takes 320 characters and its user_field() then cuts the address to the
        # column's 254 without a word: two long addresses sharing a prefix collided (a 500).
        validate_email_length(email)
        return super().clean_email(email)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth would believe any X-Forwarded-For; rate limits keyed on a spoofable address
        # are no limits at all.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's IP address")
        return ip
