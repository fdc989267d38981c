"""The one door to Stripe: the only module that imports ``stripe``.

Everything returns plain dicts shaped like Stripe's objects and raises this module's errors, so
the rest of Kiosque never sees an SDK type. Without a secret key (DEBUG, tests) the SDK talks to
``subscriptions.stripe_simulator`` through a replacement HTTP client; the simulator module is
imported only then, never with real keys.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.site import site_url

if TYPE_CHECKING:
    from subscriptions.stripe_simulator import Simulator

# Stripe signs with the current time; older deliveries are replays (their default tolerance).
WEBHOOK_TOLERANCE_SECONDS = 300
_lock = threading.Lock()
_client: stripe.StripeClient | None = None
_simulator: Simulator | None = None


class GatewayError(Exception):
    """Stripe refused or failed a call; ``message`` is safe to show, ``code`` is Stripe's."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.http_status = http_status


class InvalidRequest(GatewayError):
    """Bad parameters or an unknown object (HTTP 400/404)."""


class CardError(GatewayError):
    """The card was declined or needs authentication."""


class WebhookSignatureError(Exception):
    """A webhook whose Stripe-Signature is missing, wrong or too old."""


class _SimulatorHTTPClient(stripe.HTTPClient):
    """Answers the SDK's requests from the offline simulator instead of api.stripe.com."""

    name = "kiosque-simulator"

    def __init__(self, simulator: Simulator) -> None:
        super().__init__()
        self._simulator = simulator

    def request(
        self,
        method: str,
        url: str,
        headers: Any,
        post_data: Any = None,
        *,
        _usage: Any = None,
    ) -> tuple[str, int, Any]:
        return self._simulator.handle(method, url, post_data)

    def request_stream(
        self, method: str, url: str, headers: Any, post_data: Any = None, *, _usage: Any = None
    ) -> tuple[Any, int, Any]:
        raise NotImplementedError("The Stripe simulator does not stream.")

    def close(self) -> None:
        return None


def is_simulated() -> bool:
    return bool(settings.STRIPE_SIMULATOR)


def _price_lookup(price_id: str) -> dict[str, Any] | None:
    # The simulator's "dashboard": every plan configured in the admin exists as a Stripe price.
    from subscriptions.models import Plan

    plan = Plan.objects.filter(stripe_price_id=price_id).first()
    if plan is None:
        return None
    return {
        "unit_amount": plan.amount,
        "currency": plan.currency,
        "nickname": plan.name,
        "recurring": {
            "interval": plan.interval,
            "interval_count": plan.interval_count,
            "trial_period_days": plan.trial_days or None,
        },
    }


def _simulator_urls() -> Any:
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    from subscriptions.stripe_simulator import SimulatorURLs

    marker = "SIMULATOR-ID"
    try:
        with translation.override(settings.LANGUAGE_CODE):
            pages = {
                name: reverse(f"billing:simulator_{name}", args=[marker]).replace(marker, "{id}")
                for name in ("checkout", "portal", "invoice")
            }
    except NoReverseMatch:
        return SimulatorURLs()
    return SimulatorURLs(**pages, base=site_url)


def build_simulator(**overrides: Any) -> Simulator:
    """A simulator wired to this site (its prices, pages and webhook endpoint)."""
    from subscriptions.stripe_simulator import FileStore, MemoryStore, Simulator
    from subscriptions.stripe_simulator.delivery import HTTPDeliverer, InProcessDeliverer

    options = dict(overrides)
    if "store" not in options:
        state_file = settings.STRIPE_SIMULATOR_STATE_FILE
        options["store"] = FileStore(state_file) if state_file else MemoryStore()
    if "deliverer" not in options:
        options["deliverer"] = (
            HTTPDeliverer(settings.SITE_URL)
            if settings.STRIPE_SIMULATOR_DELIVERY == "http"
            else InProcessDeliverer()
        )
    options.setdefault("webhook_secret", settings.STRIPE_WEBHOOK_SECRET)
    options.setdefault("price_lookup", _price_lookup)
    if "urls" not in options:
        options["urls"] = _simulator_urls()
    return Simulator(**options)


def simulator() -> Simulator:
    """The offline Stripe in use (only when settings.STRIPE_SIMULATOR is on)."""
    global _simulator
    if not is_simulated():
        raise ImproperlyConfigured("The Stripe simulator is off (STRIPE_SIMULATOR).")
    with _lock:
        if _simulator is None:
            _simulator = build_simulator()
        return _simulator


def install_simulator(instance: Simulator | None) -> None:
    """Use ``instance`` from now on (tests); None forgets the current client and simulator."""
    global _client, _simulator
    with _lock:
        _simulator = instance
        _client = None


def reset() -> None:
    install_simulator(None)


def client() -> stripe.StripeClient:
    global _client
    if _client is not None:
        return _client
    if is_simulated():
        http_client = _SimulatorHTTPClient(simulator())
        with _lock:
            _client = stripe.StripeClient(
                "sk_test_kiosque_simulator", http_client=http_client, max_network_retries=0
            )
            return _client
    if not settings.STRIPE_SECRET_KEY:
        raise ImproperlyConfigured(
            "STRIPE_SECRET_KEY is not set (and the simulator is off): payments are unavailable."
        )
    with _lock:
        # requests is the SDK's own default client; ours only shortens its 80-second timeout.
        _client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
            # One retry: a reader waiting on the checkout button hears back within seconds.
            max_network_retries=1,
        )
        return _client


def _plain(obj: Any) -> Any:
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


def _call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return _plain(function(*args, **kwargs))
    except stripe.CardError as error:
        raise CardError(
            error.user_message or str(error),
            code=error.code,
            param=error.param,
            http_status=error.http_status,
        ) from error
    except stripe.InvalidRequestError as error:
        raise InvalidRequest(
            error.user_message or str(error),
            code=error.code,
            param=error.param,
            http_status=error.http_status,
        ) from error
    except stripe.StripeError as error:
        raise GatewayError(
            error.user_message or str(error), code=error.code, http_status=error.http_status
        ) from error


def _read(path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """GET through the SDK's raw request API: the object as the JSON body has it, in dicts.

    Webhook handlers re-read an object per event: building the SDK's StripeObject tree and
    converting it back to dicts cost more than the request itself. Errors still come from
    the SDK's own response handling, so they map to this module's errors as before.
    """
    return _call(_read_body, path, params or {})


def _read_body(path: str, params: dict[str, Any]) -> Any:
    # The SDK has parsed the body already (into OrderedDicts, which are dicts): a second parse
    # of every re-read object was wasted work.
    return client().raw_request("get", path, **params).data


def _object_path(collection: str, object_id: str) -> str:
    # Ids are quoted as the SDK quotes them: a pasted id never reaches another path.
    return f"/v1/{collection}/{quote(str(object_id), safe='')}"


def _options(idempotency_key: str | None) -> dict[str, Any]:
    return {"idempotency_key": idempotency_key} if idempotency_key else {}


# --- customers ------------------------------------------------------------------------------


def customer_create(
    *, email: str, name: str = "", metadata: dict[str, str], idempotency_key: str | None = None
) -> dict[str, Any]:
    params = {"email": email, "name": name, "metadata": metadata, "preferred_locales": ["fr"]}
    return _call(client().v1.customers.create, params, _options(idempotency_key))  # type: ignore[arg-type]


def customer_retrieve(customer_id: str) -> dict[str, Any]:
    return _read(_object_path("customers", customer_id))


# --- checkout and portal --------------------------------------------------------------------


def checkout_session_create(
    params: dict[str, Any], *, idempotency_key: str | None = None
) -> dict[str, Any]:
    """Open a Checkout Session (subscription or payment mode) with Stripe's own parameters."""
    return _call(client().v1.checkout.sessions.create, params, _options(idempotency_key))  # type: ignore[arg-type]


def checkout_session_retrieve(session_id: str) -> dict[str, Any]:
    return _read(_object_path("checkout/sessions", session_id))


def billing_portal_session_create(*, customer: str, return_url: str) -> dict[str, Any]:
    params = {"customer": customer, "return_url": return_url, "locale": "fr"}
    return _call(client().v1.billing_portal.sessions.create, params)  # type: ignore[arg-type]


# --- subscriptions and invoices ------------------------------------------------------------


def subscription_retrieve(subscription_id: str) -> dict[str, Any]:
    return _read(_object_path("subscriptions", subscription_id))


def subscription_list(
    *, customer: str | None = None, status: str = "all"
) -> Iterator[dict[str, Any]]:
    """Every subscription (all statuses by default), page after page."""
    params: dict[str, Any] = {"status": status, "limit": 100}
    if customer:
        params["customer"] = customer
    page = _read("/v1/subscriptions", params)
    while True:
        yield from page["data"]
        if not page["has_more"] or not page["data"]:
            return
        params["starting_after"] = page["data"][-1]["id"]
        page = _read("/v1/subscriptions", params)


def subscription_update(subscription_id: str, params: dict[str, Any]) -> dict[str, Any]:
    return _call(client().v1.subscriptions.update, subscription_id, params)


def subscription_cancel(subscription_id: str) -> dict[str, Any]:
    return _call(client().v1.subscriptions.cancel, subscription_id)


def invoice_retrieve(invoice_id: str, *, expand: Sequence[str] = ()) -> dict[str, Any]:
    """The invoice; ``expand`` names fields to receive whole objects instead of ids."""
    return _read(_object_path("invoices", invoice_id), {"expand": list(expand)} if expand else None)


def invoice_list(*, customer: str, limit: int = 24) -> list[dict[str, Any]]:
    page = _read("/v1/invoices", {"customer": customer, "limit": limit})
    return list(page["data"])


# --- one-time payments (event tickets) ----------------------------------------------------


def payment_intent_retrieve(payment_intent_id: str) -> dict[str, Any]:
    return _read(_object_path("payment_intents", payment_intent_id))


def refund_create(
    *,
    payment_intent: str,
    amount: int | None = None,
    reason: str | None = None,
    metadata: dict[str, str] | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    params: dict[str, Any] = {"payment_intent": payment_intent}
    if amount is not None:
        params["amount"] = amount
    if reason:
        params["reason"] = reason
    if metadata:
        params["metadata"] = metadata
    return _call(client().v1.refunds.create, params, _options(idempotency_key))  # type: ignore[arg-type]


# --- webhooks -------------------------------------------------------------------------------


def construct_event(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """Verify the signature on the raw body and return the event; WebhookSignatureError if not."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise ImproperlyConfigured("STRIPE_WEBHOOK_SECRET is not set.")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature_header, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as error:
        raise WebhookSignatureError(str(error)) from error
    try:
        event = json.loads(payload)
    except ValueError as error:
        raise WebhookSignatureError("The signed body is not JSON.") from error
    if not isinstance(event, dict) or event.get("object") != "event" or "id" not in event:
        raise WebhookSignatureError("The signed body is not a Stripe event.")
    return event
