"""allauth glue: the client address comes from the one place that knows which proxies to trust;
emails name the magazine from settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.network import client_ip
from core.site import site_url
from core.validators import validate_email_length


@dataclass(frozen=True)
class MagazineSite:
    """What allauth's emails call ``current_site``: its ``name`` and ``domain``."""

    name: str
    domain: str


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

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # allauth reads the django.contrib.sites row, which nothing here maintains: its emails
        # said "Hello from example.com!". The magazine's name and address are settings.
        site = MagazineSite(name=settings.SITE_NAME, domain=urlsplit(site_url()).netloc)
        super().send_mail(template_prefix, email, {**context, "current_site": site})
