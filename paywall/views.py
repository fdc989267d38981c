"""Reader-facing paywall pages: a subscriber's gift links, the licence contact's seat list.

Offering an article (the form on the article page) is the magazine's view,
``magazine.gift_views.gift_create``: it looks the article up, which the paywall cannot.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.ratelimits import rate_limit
from core.http import make_private
from core.urls import absolute_url
from paywall import selectors, services
from paywall.models import GiftLink, Organisation, PaywallSettings


def _gift_url(gift: GiftLink) -> str:
    return absolute_url(services.gift_link_path(gift))


def _own_gift(request: AuthenticatedHttpRequest, pk: int) -> GiftLink:
    # Someone else's gift link answers 404: its existence is nobody else's business.
    return get_object_or_404(GiftLink.objects.select_related("article"), pk=pk, sender=request.user)


@require_safe
@login_required
def gift_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    gift = _own_gift(request, pk)
    context = {"gift": gift, "gift_url": _gift_url(gift), "now": timezone.now()}
    return make_private(render(request, "paywall/gift_detail.html", context))


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
    return make_private(render(request, "paywall/gift_links.html", context))


@require_POST
@login_required
@rate_limit("gift_links")
def gift_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    gift = _own_gift(request, pk)
    services.gift_link_revoke(gift=gift, by=request.user)
    return redirect("paywall:gift_links")


@require_safe
@login_required
def licences(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = list(selectors.organisations_administered_by(user=request.user))
    if not organisations:
        raise Http404(_("You do not manage any company licence."))
    if len(organisations) == 1:
        return redirect("paywall:licence_seats", pk=organisations[0].pk)
    return make_private(render(request, "paywall/licences.html", {"organisations": organisations}))


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
    return make_private(render(request, "paywall/licence_seats.html", context))
