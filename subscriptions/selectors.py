"""Reads about subscriptions that need more than one query: the revenue dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from subscriptions.models import Plan, Subscription, SubscriptionHistory
from subscriptions.querysets import POSSIBLY_ENTITLED_STATUSES, SUBSCRIBED_STATUSES

if TYPE_CHECKING:
    pass


# --- the subscriptions dashboard (admin) --------------------------------------------------

# Paying now: a trial brings no money yet; past_due counts until Stripe gives up (as its MRR).
PAYING_STATUSES = ("active", "past_due")
CHURNED_STATUSES = ("canceled", "unpaid", "incomplete_expired")
WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def plan_monthly_cents(*, amount: int, interval: str, interval_count: int) -> Decimal:
    """A plan's price per month: a weekly €2.49 is worth 2.49 × 52 / 12 a month."""
    count = Decimal(max(interval_count, 1))
    if interval == Plan.Interval.WEEK:
        return Decimal(amount) * WEEKS_PER_YEAR / MONTHS_PER_YEAR / count
    if interval == Plan.Interval.MONTH:
        return Decimal(amount) / count
    return Decimal(amount) / MONTHS_PER_YEAR / count


@dataclass(frozen=True)
class PlanFigures:
    plan_id: int | None
    name: str
    currency: str
    subscribed: int
    trialing: int
    paying: int
    mrr_cents: int
    wrr_cents: int


@dataclass(frozen=True)
class WeekFigures:
    week: date
    new: int
    churned: int
    new_percent: int
    churned_percent: int


@dataclass(frozen=True)
class Revenue:
    currency: str
    mrr_cents: int
    wrr_cents: int


@dataclass(frozen=True)
class Dashboard:
    active_subscribers: int
    trialing: int
    past_due: int
    revenue: list[Revenue]
    plans: list[PlanFigures]
    weeks: list[WeekFigures]


def _week_start(moment: datetime) -> date:
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


def _bar_percent(value: int, peak: int) -> int:
    # Steps of 5 %: the bars are drawn with CSS width classes (no inline styles under the CSP).
    return 5 * round(20 * value / peak)


def _counts_per_plan() -> list[dict[str, Any]]:
    rows = (
        Subscription.objects.values(
            "plan_id",
            "plan__name",
            "plan__amount",
            "plan__currency",
            "plan__interval",
            "plan__interval_count",
        )
        .annotate(
            subscribed=Count("pk", filter=Q(status__in=SUBSCRIBED_STATUSES)),
            trialing=Count("pk", filter=Q(status="trialing")),
            past_due=Count("pk", filter=Q(status="past_due")),
            paying=Count("pk", filter=Q(status__in=PAYING_STATUSES)),
        )
        .filter(Q(subscribed__gt=0) | Q(paying__gt=0))
        .order_by("plan__display_order", "plan__amount", "plan_id")
    )
    return [dict(row) for row in rows]


def _plan_figures(counts: list[dict[str, Any]]) -> tuple[list[PlanFigures], list[Revenue]]:
    """Each plan's subscribers and recurring revenue, and the revenue per currency."""
    plans: list[PlanFigures] = []
    revenue: dict[str, list[Decimal]] = {}
    for row in counts:
        monthly = (
            plan_monthly_cents(
                amount=row["plan__amount"],
                interval=row["plan__interval"],
                interval_count=row["plan__interval_count"],
            )
            if row["plan_id"] is not None
            else Decimal(0)
        )
        mrr = monthly * row["paying"]
        wrr = mrr * MONTHS_PER_YEAR / WEEKS_PER_YEAR
        currency = row["plan__currency"] or "eur"
        totals = revenue.setdefault(currency, [Decimal(0), Decimal(0)])
        totals[0] += mrr
        totals[1] += wrr
        plans.append(
            PlanFigures(
                plan_id=row["plan_id"],
                name=row["plan__name"] or "",
                currency=currency,
                subscribed=row["subscribed"],
                trialing=row["trialing"],
                paying=row["paying"],
                mrr_cents=_cents(mrr),
                wrr_cents=_cents(wrr),
            )
        )
    per_currency = [
        Revenue(currency=currency, mrr_cents=_cents(mrr), wrr_cents=_cents(wrr))
        for currency, (mrr, wrr) in sorted(revenue.items())
    ]
    return plans, per_currency


def _weekly_figures(*, now: datetime, weeks: int) -> list[WeekFigures]:
    """New and churned subscriptions in each of the last ``weeks`` weeks, with bar widths."""
    first_week = _week_start(now) - timedelta(weeks=weeks - 1)
    since = timezone.make_aware(datetime.combine(first_week, datetime.min.time()))
    weekly = (
        SubscriptionHistory.objects.filter(at__gte=since, at__lte=now)
        .annotate(week=TruncWeek("at"))
        .values("week")
        .annotate(
            new=Count(
                "subscription_id",
                filter=Q(new_status__in=SUBSCRIBED_STATUSES)
                & ~Q(old_status__in=POSSIBLY_ENTITLED_STATUSES),
                distinct=True,
            ),
            churned=Count(
                "subscription_id",
                filter=Q(
                    new_status__in=CHURNED_STATUSES, old_status__in=POSSIBLY_ENTITLED_STATUSES
                ),
                distinct=True,
            ),
        )
        .order_by("week")
    )
    by_week = {_week_start(row["week"]): row for row in weekly}
    peak = max([1, *(max(row["new"], row["churned"]) for row in by_week.values())])
    week_rows = []
    for index in range(weeks):
        week = first_week + timedelta(weeks=index)
        week_row = by_week.get(week, {"new": 0, "churned": 0})
        week_rows.append(
            WeekFigures(
                week=week,
                new=week_row["new"],
                churned=week_row["churned"],
                new_percent=_bar_percent(week_row["new"], peak),
                churned_percent=_bar_percent(week_row["churned"], peak),
            )
        )
    return week_rows


def subscription_dashboard(*, now: datetime | None = None, weeks: int = 12) -> Dashboard:
    """Subscribers, recurring revenue and weekly new/churned counts, in three queries."""
    now = now or timezone.now()
    counts = _counts_per_plan()
    plans, revenue = _plan_figures(counts)
    # A reader with two subscriptions (a gift, a switch of plan) is one subscriber.
    active_subscribers = (
        Subscription.objects.filter(status__in=SUBSCRIBED_STATUSES)
        .values("user_id")
        .distinct()
        .count()
    )
    return Dashboard(
        active_subscribers=active_subscribers,
        trialing=sum(plan.trialing for plan in plans),
        past_due=sum(row["past_due"] for row in counts),
        revenue=revenue,
        plans=plans,
        weeks=_weekly_figures(now=now, weeks=weeks),
    )
