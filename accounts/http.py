"""Request types for views that only signed-in people reach."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """What a ``login_required`` view receives: ``request.user`` is an account, never anonymous.

    For annotations only: Django still builds plain HttpRequest objects, the decorator is what
    guarantees the narrower user.
    """

    user: User


def admin_user(request: HttpRequest) -> User:
    """The account behind an admin request.

    The admin site turns away anonymous visitors before any ModelAdmin method runs, so the
    narrowing is a fact, not a guess; ModelAdmin signatures must keep the plain HttpRequest.
    """
    return cast("User", request.user)
