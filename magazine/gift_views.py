"""Offering an article: the gift-link form on the article page posts here.

The magazine's view, under the paywall's address (``/abonnement/cadeaux/offrir/<slug>/``): it
looks the published article up, then leaves everything else to ``paywall.services``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.ratelimits import rate_limit
from core import network
from core.http import make_private
from magazine.models import Article
from paywall import services


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
            "paywall/gift_error.html",
            {"article": article, "errors": error.messages},
            status=status,
        )
        return make_private(response)
    return redirect("paywall:gift_detail", pk=gift.pk)
