"""The reader's rights over their data, and the page a rate-limited request gets."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import personal_data, services
from accounts.data_export import user_data_json
from accounts.forms import AccountDeleteForm
from accounts.ratelimits import rate_limit


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """django-ratelimit's RATELIMIT_VIEW and allauth's handler429: one page for both."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "300"
    return response


@require_safe
@login_required
def data(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/data.html")


@require_http_methods(["POST"])
@login_required
def data_download(request: HttpRequest) -> HttpResponse:
    # POST: a cross-site <img> cannot make a reader's browser fetch their data somewhere.
    response = HttpResponse(
        user_data_json(user=request.user),  # type: ignore[arg-type]
        content_type="application/json; charset=utf-8",
    )
    filename = f"relation-client-magazine-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@rate_limit("account_delete")
def delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user)  # type: ignore[arg-type]
        except services.AccountDeletionFailed:
            form.add_error(
                None,
                _(
                    "We could not stop your subscription with our payment provider, so nothing "
                    "was deleted. Please try again in a few minutes."
                ),
            )
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("magazine:home")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "warnings": personal_data.erasure_warnings(request.user)},  # type: ignore[arg-type]
        status=400 if form.errors else 200,
    )
