"""Public newsletter pages: subscribe (double opt-in), confirm, preferences, unsubscribe."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from accounts.ratelimits import rate_limit
from core.network import client_ip
from newsletters import selectors, services, tokens
from newsletters.forms import PreferencesForm, SubscribeForm
from newsletters.models import ConsentRecord, Newsletter


@require_http_methods(["GET", "POST"])
@rate_limit("newsletter_subscribe")
def subscribe(request: HttpRequest) -> HttpResponse:
    wording = services.consent_wording()
    form = SubscribeForm(request.POST if request.method == "POST" else None, consent_label=wording)
    if request.method == "POST" and form.is_valid():
        services.subscription_request(
            email=form.cleaned_data["email"],
            newsletters=form.cleaned_data["newsletters"],
            source=ConsentRecord.Source.SITE_FORM,
            ip=client_ip(request),
        )
        return render(
            request, "newsletters/check_inbox.html", {"email": form.cleaned_data["email"]}
        )
    return render(
        request, "newsletters/subscribe.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: link scanners in mail gateways fetch links, people press buttons.
    try:
        email, _ids = tokens.read_confirmation_token(token)
    except tokens.ExpiredToken:
        return render(request, "newsletters/confirm_invalid.html", {"expired": True}, status=400)
    except tokens.InvalidToken:
        return render(request, "newsletters/confirm_invalid.html", {"expired": False}, status=400)
    if request.method == "POST":
        confirmed = services.subscription_confirm(token=token, ip=client_ip(request))
        return render(
            request, "newsletters/confirmed.html", {"newsletters": confirmed, "email": email}
        )
    return render(request, "newsletters/confirm.html", {"email": email})


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    current = selectors.newsletters_subscribed(email=user.email)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, initial={"newsletters": current}
    )
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["newsletters"])
        ip = client_ip(request)
        verified = EmailAddress.objects.filter(
            user=user, email__iexact=user.email, verified=True
        ).exists()
        outcome = services.subscription_request(
            email=user.email,
            newsletters=[n for n in chosen if n not in current],
            source=ConsentRecord.Source.ACCOUNT,
            ip=ip,
            user=user,
            verified=verified,
        )
        for newsletter in set(current) - chosen:
            services.unsubscribe(
                email=user.email,
                newsletter=newsletter,
                source=ConsentRecord.Source.ACCOUNT,
                ip=ip,
            )
        request.session["newsletters_pending"] = bool(outcome.pending)
        return redirect("newsletters:preferences")
    pending = request.session.pop("newsletters_pending", False)
    return render(request, "newsletters/preferences.html", {"form": form, "pending": pending})


@csrf_exempt  # RFC 8058: mail clients POST without a session; the signed token authenticates
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        target = tokens.read_unsubscribe_token(token)
        newsletter = Newsletter.objects.get(pk=target.newsletter_id)
    except (tokens.InvalidToken, Newsletter.DoesNotExist):
        return render(request, "newsletters/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        services.unsubscribe(
            email=target.email,
            newsletter=newsletter,
            source=ConsentRecord.Source.ONE_CLICK if one_click else ConsentRecord.Source.EMAIL_LINK,
            ip=client_ip(request),
        )
        return render(
            request,
            "newsletters/unsubscribed.html",
            {"newsletter": newsletter, "email": target.email},
        )
    # GET never unsubscribes (link scanners and prefetchers follow links): it asks.
    return render(
        request, "newsletters/unsubscribe.html", {"newsletter": newsletter, "email": target.email}
    )
