"""The paywall's vocabulary for what an article asks of its readers, and what it reads of one.

Articles carry an access level (``magazine.models.Article.access``); the paywall decides on it.
The paywall sits below the magazine in the app graph, so it knows an article only by this
protocol, never by importing the magazine.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLevel(models.TextChoices):
    FREE = "free", _("Free")
    REGISTERED = "registered", _("Registered readers")
    SUBSCRIBERS = "subscribers", _("Subscribers")


class GuardedArticle(Protocol):
    """What the paywall reads of an article (``magazine.models.Article`` is one)."""

    @property
    def pk(self) -> Any: ...

    @property
    def access(self) -> str: ...

    @property
    def body(self) -> str: ...

    def get_absolute_url(self) -> str: ...
