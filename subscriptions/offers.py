"""The subscription offer shown under every teaser: the cheapest plan, priced per week."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.money import format_price
from subscriptions.models import WEEKLY_HEADLINE_LIMIT_CENTS, Plan


@dataclass(frozen=True)
class Offer:
    """The subscription offer shown under every teaser."""

    plan: Plan
    weekly_price_cents: int
    headline: str
    weekly_price: str
    call_to_action: str

    @property
    def text(self) -> str:
        return f"{self.headline} — {self.call_to_action}"


def subscription_offer() -> Offer | None:
    """The cheapest active plan, priced per week; None when nothing is on sale."""
    plans = list(Plan.objects.active())
    if not plans:
        return None
    plan = min(plans, key=lambda candidate: (candidate.weekly_price_cents, candidate.display_order))
    weekly = plan.weekly_price_cents
    price = format_price(weekly, plan.currency)
    if weekly < WEEKLY_HEADLINE_LIMIT_CENTS and plan.currency.lower() == "eur":
        headline = _("Unlimited access for less than €3 a week")
    else:
        headline = _("Unlimited access from %(price)s a week") % {"price": price}
    return Offer(
        plan=plan,
        weekly_price_cents=weekly,
        headline=headline,
        weekly_price=price,
        call_to_action=_("Subscribe"),
    )
