"""Reader-facing subscription pages: plans, gift links, the licence contact's seat list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.ratelimits import rate_limit
from core.site import site_url
from magazine.models import Article
from magazine.page_cache import make_private
from subscriptions import network, selectors, services
from subscriptions.models import GiftLink, Organisation, PaywallSettings, Plan, Subscription
from subscriptions.paywall import format_price


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
        "subscriptions/plans.html",
        {"offers": offers, "has_subscription": has_subscription},
    )


def _gift_url(gift: GiftLink) -> str:
    return f"{site_url()}{services.gift_link_path(gift)}"


@require_POST
@login_required
@rate_limit("gift_links")
def gift_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    try:
        gift = services.gift_link_create(
            sender=request.user,
            article=article,
            client_ip=network.client_ip(request),
        )
    except ValidationError as error:
        status = 403 if error.code == "not_subscriber" else 400
        response = render(
            request,
            "subscriptions/gift_error.html",
            {"article": article, "errors": error.messages},
            status=status,
        )
        return make_private(response)
    return redirect("subscriptions:gift_detail", pk=gift.pk)


def _own_gift(request: AuthenticatedHttpRequest, pk: int) -> GiftLink:
    # Someone else's gift link answers 404: its existence is nobody else's business.
    return get_object_or_404(GiftLink.objects.select_related("article"), pk=pk, sender=request.user)


@require_safe
@login_required
def gift_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    gift = _own_gift(request, pk)
    context = {"gift": gift, "gift_url": _gift_url(gift), "now": timezone.now()}
    return make_private(render(request, "subscriptions/gift_detail.html", context))


@require_safe
@login_required
def gift_links(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    gifts = list(
        GiftLink.objects.filter(sender=request.user)
        .select_related("article")
        .order_by("-created_at", "-pk")
    )
    context: dict[str, Any] = {
        "rows": [(gift, _gift_url(gift)) for gift in gifts],
        "now": now,
        "sent_this_month": services.gift_links_sent_this_month(
            sender=request.user,
            now=now,
        ),
        "quota": PaywallSettings.load().gifts_per_month,
    }
    return make_private(render(request, "subscriptions/gift_links.html", context))


@require_POST
@login_required
@rate_limit("gift_links")
def gift_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    gift = _own_gift(request, pk)
    services.gift_link_revoke(gift=gift, by=request.user)
    return redirect("subscriptions:gift_links")


@require_safe
@login_required
def licences(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = list(selectors.organisations_administered_by(user=request.user))
    if not organisations:
        raise Http404(_("You do not manage any company licence."))
    if len(organisations) == 1:
        return redirect("subscriptions:licence_seats", pk=organisations[0].pk)
    return make_private(
        render(request, "subscriptions/licences.html", {"organisations": organisations})
    )


@require_safe
@login_required
def licence_seats(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    # PermissionDenied (403) for anyone but the admin contact and staff.
    seats = list(
        selectors.organisation_seats_for_contact(
            organisation=organisation,
            viewer=request.user,
        )
    )
    context = {
        "organisation": organisation,
        "seats": seats,
        "free_seats": max(organisation.seats - len(seats), 0),
        "domains": list(organisation.domains.all()),
        "ip_ranges": list(organisation.ip_ranges.all()),
    }
    return make_private(render(request, "subscriptions/licence_seats.html", context))
