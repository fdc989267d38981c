"""Stand-ins for Stripe's hosted pages: Checkout, the customer portal, an invoice to authenticate.

They answer 404 whenever the simulator is off, even where the app is installed (the test suite
switches it on and off per test).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.money import format_price
from stripe_simulator import site
from stripe_simulator.core import Simulator, StripeAPIError
from subscriptions import stripe_gateway
from subscriptions.models import Plan

SIMULATED_CARDS = (
    ("visa", gettext_lazy("Card accepted (4242 4242 4242 4242)")),
    ("declined", gettext_lazy("Card declined (4000 0000 0000 0002)")),
    ("3ds", gettext_lazy("Card requiring 3-D Secure (4000 0027 6000 3184)")),
)


def _simulator() -> Simulator:
    if not stripe_gateway.is_simulated():
        raise Http404("The Stripe simulator is off.")
    return site.current()


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    simulator = _simulator()
    try:
        session = simulator.checkout_session(session_id)
    except StripeAPIError as error:
        raise Http404(error.message) from error
    error_message = ""
    if request.method == "POST" and session["status"] == "open":
        card = request.POST.get("card", "")
        if card not in dict(SIMULATED_CARDS):
            error_message = _("Choose one of the test cards.")
        else:
            try:
                completed = simulator.complete_checkout(
                    session_id, card=card, tax_id=request.POST.get("tax_id", "").strip() or None
                )
            except StripeAPIError as error:
                error_message = _("Payment refused: %(reason)s") % {"reason": error.message}
            else:
                return HttpResponseRedirect(completed["success_url"])
    status = 402 if error_message else 200
    for line in session["line_items"]:
        line["display"] = format_price(line["price"]["unit_amount"], line["price"]["currency"])
    plan = None
    if session["line_items"]:
        plan = Plan.objects.filter(stripe_price_id=session["line_items"][0]["price"]["id"]).first()
    return render(
        request,
        "stripe_simulator/checkout.html",
        {
            "session": session,
            "plan": plan,
            "cards": SIMULATED_CARDS,
            "error_message": error_message,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def portal(request: HttpRequest, session_id: str) -> HttpResponse:
    simulator = _simulator()
    try:
        portal_data = simulator.portal_session(session_id)
    except StripeAPIError as error:
        raise Http404(error.message) from error
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            simulator.portal_action(
                session_id,
                action,
                subscription=request.POST.get("subscription", ""),
                card=request.POST.get("card", "visa"),
            )
        except StripeAPIError as error:
            messages.error(request, error.message)
        return redirect("stripe_simulator:portal", session_id=session_id)
    return render(
        request,
        "stripe_simulator/portal.html",
        {**portal_data, "cards": SIMULATED_CARDS},
    )


@require_http_methods(["GET", "POST"])
def invoice(request: HttpRequest, invoice_id: str) -> HttpResponse:
    simulator = _simulator()
    try:
        invoice_data = simulator.invoice_page(invoice_id)
    except StripeAPIError as error:
        raise Http404(error.message) from error
    if request.method == "POST" and invoice_data["status"] == "open":
        try:
            simulator.authenticate_invoice(
                invoice_id, succeed=request.POST.get("action") == "authenticate"
            )
        except StripeAPIError as error:
            messages.error(request, error.message)
        return redirect("stripe_simulator:invoice", invoice_id=invoice_id)
    return render(request, "stripe_simulator/invoice.html", {"invoice": invoice_data})
