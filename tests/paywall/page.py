"""The article page's access for a reader given as a user (no request): decision, then writes."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from paywall.access import AccessDecision, article_access
from paywall.services import article_page_open


def page_access(**kwargs: Any) -> AccessDecision:
    """As ``paywall.services.article_page_access`` does for a request."""
    decision = article_access(on_article_page=True, **kwargs)
    return article_page_open(
        decision=decision,
        article=kwargs["article"],
        user=kwargs["user"],
        now=kwargs.get("now") or timezone.now(),
    )
