"""Addresses on the public site (``core.site.site_url()``): emails, feeds, structured data."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from core.site import site_url


def absolute_url(path_or_url: str) -> str:
    """``path_or_url`` on the public site; a URL that names its host (media elsewhere) as it is."""
    if "://" in path_or_url:
        return path_or_url
    return f"{site_url()}{path_or_url}"


def absolute_reverse(name: str, *args: object, **kwargs: object) -> str:
    """The public address of the URL named ``name``; the home page when it is not mounted."""
    try:
        return absolute_url(reverse(name, args=args or None, kwargs=kwargs or None))
    except NoReverseMatch:
        return absolute_url("/")
