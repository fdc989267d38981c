"""The plans, subscribing and managing a subscription: thin views over subscriptions.sync."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from core.money import format_price
from subscriptions import stripe_gateway, sync
from subscriptions.models import BillingSettings, Invoice, Plan, StripeCustomer, Subscription
from subscriptions.querysets import SUBSCRIBED_STATUSES


def _plans_url() -> str:
    return reverse("billing:plans")


@dataclass(frozen=True)
class PlanOffer:
    plan: Plan
    price: str
    weekly_price: str


@require_safe
def plans(request: HttpRequest) -> HttpResponse:
    offers = [
        PlanOffer(
            plan,
            format_price(plan.amount, plan.currency),
            format_price(plan.weekly_price_cents, plan.currency),
        )
        for plan in Plan.objects.active().order_by("display_order", "amount")
    ]
    has_subscription = (
        request.user.is_authenticated
        and Subscription.objects.active().filter(user=request.user).exists()
    )
    return render(
        request,
        "billing/plans.html",
        {"offers": offers, "has_subscription": has_subscription},
    )


@login_required
@require_POST
def checkout(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.active(), pk=plan_id)
    try:
        url = sync.checkout_start(
            user=request.user,
            plan=plan,
            success_url=request.build_absolute_uri(reverse("billing:checkout_return")),
            cancel_url=request.build_absolute_uri(_plans_url()),
        )
    except sync.AlreadySubscribed:
        messages.info(request, _("You already have a subscription: no need to pay twice."))
        return redirect("billing:account")
    except stripe_gateway.GatewayError:
        messages.error(
            request, _("Payment is unavailable for the moment. Please try again in a few minutes.")
        )
        return HttpResponseRedirect(_plans_url())
    return HttpResponseRedirect(url)


@login_required
@require_GET
def checkout_return(request: AuthenticatedHttpRequest) -> HttpResponse:
    session_id = request.GET.get("session_id", "")
    active = Subscription.objects.active().filter(user=request.user).first()
    if active is None and session_id:
        # Only a shortcut: the same sync as the webhook, from what Stripe says about the session.
        synced = sync.checkout_return_sync(user=request.user, session_id=session_id)
        if synced is not None and synced.status in SUBSCRIBED_STATUSES:
            active = synced
    return render(
        request,
        "billing/checkout_return.html",
        {"subscription": active, "session_id": session_id},
    )


def _live_subscription(user: Any) -> Subscription | None:
    return (
        Subscription.objects.filter(user=user)
        .exclude(status__in=("incomplete_expired",))
        .select_related("plan")
        .order_by("-created_at")
        .first()
    )


@login_required
@require_GET
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    subscription = _live_subscription(request.user)
    grace_ends = None
    if subscription and subscription.status == "past_due" and subscription.past_due_since:
        grace_ends = subscription.past_due_since + BillingSettings.load().past_due_grace
    return render(
        request,
        "billing/account.html",
        {
            "subscription": subscription,
            "grants_access": bool(
                subscription
                and subscription.grants_access(
                    timezone.now(), BillingSettings.load().past_due_grace
                )
            ),
            "grace_ends": grace_ends,
            "invoices": Invoice.objects.filter(user=request.user)[:24],
            "has_customer": StripeCustomer.objects.filter(user=request.user).exists(),
            "plans_url": _plans_url(),
        },
    )


@login_required
@require_POST
def portal(request: AuthenticatedHttpRequest) -> HttpResponse:
    link = StripeCustomer.objects.filter(user=request.user).first()
    if link is None:
        messages.info(request, _("You have no subscription to manage yet."))
        return HttpResponseRedirect(_plans_url())
    try:
        session = stripe_gateway.billing_portal_session_create(
            customer=link.customer_id,
            return_url=request.build_absolute_uri(reverse("billing:account")),
        )
    except stripe_gateway.GatewayError:
        messages.error(request, _("The customer portal is unavailable for the moment."))
        return redirect("billing:account")
    return HttpResponseRedirect(session["url"])
