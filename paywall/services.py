"""Writes behind the paywall: meter reads, licence seats, gift links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subscriptions.models import (
    GiftLink,
    MeterPeriod,
    MeterRead,
    Organisation,
    PaywallSettings,
    Seat,
)

if TYPE_CHECKING:
    from accounts.models import User
    from magazine.models import Article

# Its own salt: a token signed for anything else (sessions, unsubscribe links) is no gift.
GIFT_LINK_SALT = "kiosque.subscriptions.gift-link"
GIFT_QUERY_PARAMETER = "cadeau"
# Bumped whenever an organisation, its IP ranges or its dates change: the reading site keeps
# the list of licensed ranges in memory and reloads it when this value moves.
LICENCE_RANGES_VERSION_KEY = "kiosque:paywall:licence-ranges-version"


def month_start(now: datetime) -> date:
    """First day of ``now``'s calendar month in the magazine's time zone."""
    return timezone.localtime(now, timezone.get_default_timezone()).date().replace(day=1)


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    first = month_start(now)
    following = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_default_timezone()
    return (
        datetime(first.year, first.month, 1, tzinfo=tz),
        datetime(following.year, following.month, 1, tzinfo=tz),
    )


@dataclass(frozen=True)
class MeterOutcome:
    allowed: bool
    remaining: int
    newly_counted: bool


def meter_consume(
    *,
    user: User,
    article: Article,
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
            MeterRead.objects.filter(period__user=user, period__month=month, article=article)
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
        if MeterRead.objects.filter(period=period, article=article).exists():
            return MeterOutcome(True, max(limit - period.reads_count, 0), newly_counted=False)
        if period.reads_count >= limit:
            return MeterOutcome(False, 0, newly_counted=False)
        MeterRead.objects.create(period=period, article=article, read_at=now)
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
    return signing.dumps({"g": gift.pk, "a": gift.article_id}, salt=GIFT_LINK_SALT)


def gift_link_path(gift: GiftLink) -> str:
    return f"{gift.article.get_absolute_url()}?{GIFT_QUERY_PARAMETER}={gift_token_for(gift)}"


def gift_links_sent_this_month(*, sender: User, now: datetime) -> int:
    start, end = month_bounds(now)
    return GiftLink.objects.filter(
        sender=sender, created_at__gte=start, created_at__lt=end, revoked_at__isnull=True
    ).count()


def gift_link_create(
    *, sender: User, article: Article, client_ip: str | None = None, now: datetime | None = None
) -> GiftLink:
    """Let a subscriber share ``article``; ValidationError (with a code) says why not."""
    from magazine.models import Article
    from subscriptions.paywall import GIFTING_GROUNDS, entitlement

    now = now or timezone.now()
    if article.access == Article.Access.FREE:
        raise ValidationError(
            _("This article is free to read: share its address directly."), code="free_article"
        )
    granted, _refusal = entitlement(user=sender, client_ip=client_ip, now=now)
    if granted is None or granted.ground not in GIFTING_GROUNDS:
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
            article=article,
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
    from uuid import uuid4

    transaction.on_commit(lambda: cache.set(LICENCE_RANGES_VERSION_KEY, uuid4().hex, timeout=None))
