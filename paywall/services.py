"""The paywall's writes: meter reads, licence seats, gift links, and the article page's access.

``article_page_access`` is the only caller of the meter and of the seat claim outside tests: the
access decision (``paywall.access``) never writes, and names what the article page may write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paywall import access
from paywall.levels import AccessLevel, GuardedArticle
from paywall.models import (
    GIFT_QUERY_PARAMETER,
    LICENCE_RANGES_VERSION_KEY,
    GiftLink,
    MeterPeriod,
    MeterRead,
    Organisation,
    PaywallSettings,
    Seat,
    month_bounds,
    month_start,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User


@dataclass(frozen=True)
class MeterOutcome:
    allowed: bool
    remaining: int
    newly_counted: bool


def meter_consume(
    *,
    user: User,
    article: GuardedArticle,
    limit: int,
    now: datetime,
    counted_reads: int | None = None,
) -> MeterOutcome:
    """Spend one of the month's free reads on ``article`` (re-reading it costs nothing).

    ``counted_reads``: the month's reads count when the caller has just found ``article``
    among them (the paywall reads it along with the account); None to look it up here.
    """
    month = month_start(now)
    # A re-read, the common case, needs no lock: a counted read stays counted, so one query
    # answers it exactly as the locked path below would (a read being counted concurrently in
    # another tab can only lower the remaining count shown, never grant or refuse differently).
    counted = counted_reads
    if counted is None:
        counted = (
            MeterRead.objects.filter(period__user=user, period__month=month, article_id=article.pk)
            .values_list("period__reads_count", flat=True)
            .first()
        )
    if counted is not None:
        return MeterOutcome(True, max(limit - counted, 0), newly_counted=False)
    with transaction.atomic():
        # The per-user-month row is the lock: two tabs opening the last free article at once
        # queue here, and the second sees the first one's read.
        period, _created = MeterPeriod.objects.select_for_update().get_or_create(
            user=user, month=month
        )
        if MeterRead.objects.filter(period=period, article_id=article.pk).exists():
            return MeterOutcome(True, max(limit - period.reads_count, 0), newly_counted=False)
        if period.reads_count >= limit:
            return MeterOutcome(False, 0, newly_counted=False)
        MeterRead.objects.create(period=period, article_id=article.pk, read_at=now)
        period.reads_count += 1
        period.save(update_fields=["reads_count"])
        return MeterOutcome(True, limit - period.reads_count, newly_counted=True)


def meter_reads_this_month(*, user: User, now: datetime | None = None) -> int:
    period = MeterPeriod.objects.filter(user=user, month=month_start(now or timezone.now())).first()
    return period.reads_count if period else 0


def seat_claim(*, organisation: Organisation, user: User) -> Seat | None:
    """The member's seat, taken now if one is free; None when every seat is taken."""
    with transaction.atomic():
        # Lock the organisation so that concurrent first visits cannot overfill its seats.
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        seat = Seat.objects.filter(organisation=locked, user=user).first()
        if seat is not None:
            return seat
        if Seat.objects.filter(organisation=locked).count() >= locked.seats:
            return None
        return Seat.objects.create(organisation=locked, user=user)


def gift_token_for(gift: GiftLink) -> str:
    return gift.token


def gift_link_path(gift: GiftLink) -> str:
    return f"{gift.article.get_absolute_url()}?{GIFT_QUERY_PARAMETER}={gift_token_for(gift)}"


def gift_links_sent_this_month(*, sender: User, now: datetime) -> int:
    start, end = month_bounds(now)
    return GiftLink.objects.filter(
        sender=sender, created_at__gte=start, created_at__lt=end, revoked_at__isnull=True
    ).count()


def gift_link_create(
    *,
    sender: User,
    article: GuardedArticle,
    client_ip: str | None = None,
    now: datetime | None = None,
) -> GiftLink:
    """Let a subscriber share ``article``; ValidationError (with a code) says why not."""
    now = now or timezone.now()
    if article.access == AccessLevel.FREE:
        raise ValidationError(
            _("This article is free to read: share its address directly."), code="free_article"
        )
    granted, _refusal = access.entitlement(user=sender, client_ip=client_ip, now=now)
    if granted is None or granted.ground not in access.GIFTING_GROUNDS:
        raise ValidationError(_("Only subscribers can offer articles."), code="not_subscriber")
    paywall_settings = PaywallSettings.load()
    with transaction.atomic():
        # Serialise one sender's gifts so that two quick clicks cannot exceed the quota.
        get_user_model().objects.select_for_update().filter(pk=sender.pk).first()
        if gift_links_sent_this_month(sender=sender, now=now) >= paywall_settings.gifts_per_month:
            raise ValidationError(
                _("You have already offered %(count)d articles this month.")
                % {"count": paywall_settings.gifts_per_month},
                code="over_quota",
            )
        return GiftLink.objects.create(
            sender=sender,
            article_id=article.pk,
            created_at=now,
            expires_at=now + timedelta(days=paywall_settings.gift_link_days),
        )


def gift_link_revoke(*, gift: GiftLink, by: User, now: datetime | None = None) -> GiftLink:
    """Withdraw a gift link; only its sender (or staff) may."""
    if by.pk != gift.sender_id and not by.is_staff:
        raise PermissionDenied("Only the sender can revoke a gift link.")
    if gift.revoked_at is None:
        gift.revoked_at = now or timezone.now()
        gift.save(update_fields=["revoked_at"])
    return gift


def licence_ranges_changed() -> None:
    """Make every process reload the licensed IP ranges (after the current transaction)."""
    transaction.on_commit(lambda: cache.set(LICENCE_RANGES_VERSION_KEY, uuid4().hex, timeout=None))


def article_page_access(request: HttpRequest, article: GuardedArticle) -> access.AccessDecision:
    """The article page's access: the decision, then the seat or free read it leaves pending."""
    decision = access.reader_access(request, article, on_article_page=True)
    if decision.pending is None:
        return decision
    return article_page_open(
        decision=decision, article=article, user=request.user, now=timezone.now()
    )


def article_page_open(
    *, decision: access.AccessDecision, article: GuardedArticle, user: Any, now: datetime
) -> access.AccessDecision:
    """Make the writes ``decision`` names (``pending``): take a licence seat, spend a free read.

    For the article page alone (``article_page_access``).
    """
    pending = decision.pending
    if pending is not None and pending.seat_organisation_ids:
        organisations = Organisation.objects.filter(pk__in=pending.seat_organisation_ids)
        for organisation in organisations.order_by("pk"):
            if seat_claim(organisation=organisation, user=user) is not None:
                return access.seat_granted(organisation)
        # Every free seat went meanwhile: the answer is what it would have been without them.
        decision = pending.otherwise or decision
        pending = decision.pending
    if pending is not None and pending.meter_limit:
        outcome = meter_consume(user=user, article=article, limit=pending.meter_limit, now=now)
        if outcome.allowed:
            return access.meter_granted(outcome.remaining)
    return replace(decision, pending=None)
