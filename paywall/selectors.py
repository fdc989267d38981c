"""Reads about licences that need a permission check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from paywall.models import Organisation, Seat

if TYPE_CHECKING:
    from accounts.models import User


def organisation_seats_for_contact(*, organisation: Organisation, viewer: User) -> QuerySet[Seat]:
    """Who holds the organisation's seats, for its admin contact (or staff) only."""
    if viewer.pk != organisation.admin_contact_id and not viewer.is_staff:
        raise PermissionDenied("Only the organisation's admin contact can see who uses its seats.")
    return (
        Seat.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("claimed_at", "pk")
    )


def organisations_administered_by(*, user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(admin_contact=user).order_by("name")
