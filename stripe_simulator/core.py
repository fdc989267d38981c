"""An offline Stripe: enough of the v1 API, billing clock and webhooks for Kiosque to run.

The simulator never imports ``stripe``: ``subscriptions.stripe_gateway`` plugs it behind the
SDK's HTTP client, so the application code exercised here is the code that talks to Stripe.
"""

from __future__ import annotations

import calendar
import copy
import hashlib
import hmac
import json
import logging
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from stripe_simulator.forms import decode, truthy
from stripe_simulator.store import MemoryStore, State, Store

logger = logging.getLogger(__name__)

DAY = 24 * 60 * 60
# Stripe's test payment methods: the card decides what every payment of the customer does.
TEST_CARDS = {
    "visa": "pm_card_visa",
    "declined": "pm_card_chargeDeclined",
    "3ds": "pm_card_authenticationRequired",
}
CARD_OUTCOMES = {
    "pm_card_visa": "succeeds",
    "pm_card_chargeDeclined": "declined",
    "pm_card_authenticationRequired": "requires_action",
}
CHECKOUT_LOCALES = frozenset(
    [
        "auto",
        "bg",
        "cs",
        "da",
        "de",
        "el",
        "en",
        "en-GB",
        "es",
        "es-419",
        "et",
        "fi",
        "fil",
        "fr",
        "fr-CA",
        "hr",
        "hu",
        "id",
        "it",
        "ja",
        "ko",
        "lt",
        "lv",
        "ms",
        "mt",
        "nb",
        "nl",
        "pl",
        "pt",
        "pt-BR",
        "ro",
        "ru",
        "sk",
        "sl",
        "sv",
        "th",
        "tr",
        "vi",
        "zh",
        "zh-HK",
        "zh-TW",
    ]
)
# Incomplete subscriptions whose first payment is never completed expire after 23 hours.
INCOMPLETE_EXPIRY = 23 * 60 * 60
TRIAL_WILL_END_NOTICE = 3 * DAY
_ALPHABET = string.ascii_letters + string.digits
_SHAPES_PATH = Path(__file__).with_name("shapes.json")
_shapes_cache: dict[str, Any] = {}


class StripeAPIError(Exception):
    """Answered to the SDK as Stripe's error object, so it raises the matching StripeError."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        param: str | None = None,
        code: str | None = None,
        error_type: str = "invalid_request_error",
        decline_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.param = param
        self.code = code
        self.error_type = error_type
        self.decline_code = decline_code

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "type": self.error_type,
            "message": self.message,
            "param": self.param,
            "code": self.code,
        }
        if self.decline_code:
            error["decline_code"] = self.decline_code
        return {"error": error}


def _missing(param: str) -> StripeAPIError:
    return StripeAPIError(
        f"Missing required param: {param}.", param=param, code="parameter_missing"
    )


def _no_such(kind: str, object_id: str, param: str | None = None) -> StripeAPIError:
    return StripeAPIError(
        f"No such {kind}: '{object_id}'",
        status=404 if param is None else 400,
        param=param or "id",
        code="resource_missing",
    )


def shape(resource: str) -> dict[str, Any]:
    """A fresh copy of Stripe's example object for ``resource`` (from its OpenAPI fixtures)."""
    if not _shapes_cache:
        _shapes_cache.update(json.loads(_SHAPES_PATH.read_text(encoding="utf-8"))["resources"])
    return copy.deepcopy(_shapes_cache[resource])


def _public(obj: Any) -> Any:
    """Strip the simulator's private bookkeeping (keys starting with "_") before answering."""
    # Scalars are copied as they are, without a call each: every API answer goes through here
    # (and isinstance with a tuple, unlike ``dict | list``, builds no union object each time).
    if isinstance(obj, dict):
        return {
            key: _public(value) if isinstance(value, _CONTAINERS) else value
            for key, value in obj.items()
            if key[:1] != "_"
        }
    if isinstance(obj, list):
        return [_public(item) if isinstance(item, _CONTAINERS) else item for item in obj]
    return obj


_CONTAINERS = (dict, list)


def _add_interval(timestamp: int, interval: str, count: int) -> int:
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    if interval == "day":
        return timestamp + count * DAY
    if interval == "week":
        return timestamp + count * 7 * DAY
    months = count * (12 if interval == "year" else 1)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def sign_payload(payload: str, secret: str, timestamp: int) -> str:
    """The Stripe-Signature header: ``t=…,v1=HMAC-SHA256(secret, "t.payload")``."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


Deliverer = Callable[[bytes, dict[str, str]], int]
PriceLookup = Callable[[str], dict[str, Any] | None]


@dataclass
class SimulatorURLs:
    """Where the simulated Stripe-hosted pages live (Kiosque serves them under /abonnement/)."""

    checkout: str = "http://127.0.0.1:8000/abonnement/simulateur/{id}/"
    portal: str = "http://127.0.0.1:8000/abonnement/simulateur/portail/{id}/"
    invoice: str = "http://127.0.0.1:8000/abonnement/simulateur/facture/{id}/"
    # With a base, the pages above are paths on it, read when a page is made: the site's base
    # URL may follow the host being served (core.site), not one fixed when the simulator was.
    base: Callable[[], str] | None = None

    def page(self, name: str, object_id: str) -> str:
        url = str(getattr(self, name)).format(id=object_id)
        return f"{self.base()}{url}" if self.base is not None else url


@dataclass
class Dunning:
    """Retries after a failed renewal (days after the first failure), then the final status."""

    retry_days: list[int] = field(default_factory=lambda: [3, 5, 7])
    final_status: str = "canceled"  # or "unpaid", as the Stripe dashboard setting allows


class Simulator:
    def __init__(
        self,
        *,
        store: Store | None = None,
        webhook_secret: str = "whsec_simulator",  # noqa: S107 - offline only
        deliverer: Deliverer | None = None,
        price_lookup: PriceLookup | None = None,
        urls: SimulatorURLs | None = None,
        auto_deliver: bool = True,
        dunning: Dunning | None = None,
    ) -> None:
        self.store = store or MemoryStore()
        self.webhook_secret = webhook_secret
        self.deliverer = deliverer
        self.price_lookup = price_lookup
        self.urls = urls or SimulatorURLs()
        self.auto_deliver = auto_deliver
        self.dunning = dunning or Dunning()
        self._local = threading.local()
        # Built once, not for every request.
        self._routes = self._route_table()

    # --- state and clock -----------------------------------------------------------------

    def _tx(self, *, rollback: bool = True) -> Any:
        return _Transaction(self, rollback=rollback)

    @staticmethod
    def _init(state: State) -> None:
        if "now_offset" in state:
            return
        state.update(
            now_offset=0,
            customers={},
            prices={},
            checkout_sessions={},
            subscriptions={},
            invoices={},
            payment_intents={},
            refunds={},
            portal_sessions={},
            events={},
            outbox=[],
            requests=[],
        )

    @staticmethod
    def _now(state: State) -> int:
        # Real (or time-machine) time plus whatever advance() added: the demo keeps renewing
        # as days pass, and tests can jump ahead without touching the system clock.
        return int(time.time()) + int(state["now_offset"])

    def now(self) -> int:
        with self._tx() as state:
            return self._now(state)

    def reset(self) -> None:
        self.store.reset()

    def advance(self, *, days: float = 0, hours: float = 0, seconds: float = 0) -> list[str]:
        """Move the billing clock forward and run what fell due; returns the event types sent."""
        with self._tx() as state:
            state["now_offset"] += int(days * DAY + hours * 3600 + seconds)
            before = len(state["events"])
            self._run_due(state)
            types = [event["type"] for event in list(state["events"].values())[before:]]
        self._deliver_if_auto()
        return types

    def tick(self) -> list[str]:
        """Run whatever fell due at the current time (after time_machine moved the clock)."""
        return self.advance()

    # --- inspection helpers for tests and the simulated pages ----------------------------

    def get(self, collection: str, object_id: str) -> dict[str, Any]:
        with self._tx() as state:
            obj = state[collection].get(object_id)
            if obj is None:
                raise _no_such(collection.rstrip("s"), object_id)
            return _public(copy.deepcopy(obj))

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """API calls received, newest last: ``{"method", "path", "params"}``."""
        with self._tx() as state:
            return [
                copy.deepcopy(request)
                for request in state["requests"]
                if (method is None or request["method"] == method)
                and (path is None or request["path"] == path)
            ]

    def events(self, type_: str | None = None) -> list[dict[str, Any]]:
        with self._tx() as state:
            return [
                _public(copy.deepcopy(event))
                for event in state["events"].values()
                if type_ is None or event["type"] == type_
            ]

    def pending_events(self) -> list[dict[str, Any]]:
        with self._tx() as state:
            return [_public(copy.deepcopy(state["events"][eid])) for eid in state["outbox"]]

    def set_card(self, customer_id: str, card: str) -> None:
        """Give the customer a test card: "visa", "declined" or "3ds" (or a pm_card_* id)."""
        with self._tx() as state:
            customer = self._customer(state, customer_id)
            self._set_card(customer, card)
            self._retry_open_invoices(state, customer_id)
        self._deliver_if_auto()

    # --- webhook delivery ------------------------------------------------------------------

    def signed(self, event: dict[str, Any], timestamp: int | None = None) -> tuple[bytes, str]:
        payload = json.dumps(event, separators=(",", ":"))
        header = sign_payload(payload, self.webhook_secret, timestamp or int(time.time()))
        return payload.encode("utf-8"), header

    def deliver_pending(self) -> list[tuple[str, int]]:
        """POST every queued event, in order, to the deliverer; failures stay queued for later."""
        if getattr(self._local, "delivering", False):
            return []  # the outer loop delivers what this nested call queued
        if self.deliverer is None:
            return []
        self._local.delivering = True
        results: list[tuple[str, int]] = []
        failed: set[str] = set()
        try:
            while True:
                with self._tx() as state:
                    queue = [eid for eid in state["outbox"] if eid not in failed]
                    if not queue:
                        break
                    event = _public(copy.deepcopy(state["events"][queue[0]]))
                body, header = self.signed(event)
                try:
                    status = self.deliverer(body, {"Stripe-Signature": header})
                except Exception:  # a crashed endpoint is a failed delivery, as for Stripe
                    logger.exception("Simulated webhook delivery of %s failed", event["id"])
                    status = 599
                results.append((event["type"], status))
                with self._tx() as state:
                    if 200 <= status < 300:
                        state["outbox"].remove(event["id"])
                    else:
                        failed.add(event["id"])
                        state["events"][event["id"]]["_delivery_attempts"] = (
                            state["events"][event["id"]].get("_delivery_attempts", 0) + 1
                        )
        finally:
            self._local.delivering = False
        return results

    def _deliver_if_auto(self) -> None:
        if self.auto_deliver:
            self.deliver_pending()

    def _emit(
        self,
        state: State,
        type_: str,
        obj: dict[str, Any],
        previous: dict[str, Any] | None = None,
    ) -> None:
        event = shape("event")
        event.update(
            id=self._id("evt"),
            type=type_,
            created=self._now(state),
            api_version="2025-09-30.clover",
            data={"object": _public(copy.deepcopy(obj))},
            pending_webhooks=1,
            request={"id": None, "idempotency_key": None},
        )
        if previous:
            event["data"]["previous_attributes"] = previous
        state["events"][event["id"]] = event
        state["outbox"].append(event["id"])

    # --- HTTP entry point (called by the gateway's HTTP client) --------------------------

    def handle(
        self, method: str, url: str, post_data: str | bytes | None
    ) -> tuple[str, int, dict[str, str]]:
        parts = urlsplit(url)
        if isinstance(post_data, bytes):
            post_data = post_data.decode("utf-8")
        # decode() reads a missing body as an empty one.
        params = decode((post_data or "") if method.lower() == "post" else parts.query)
        segments = [segment for segment in parts.path.split("/") if segment]
        # Reads change no object: they skip the copy that lets a failed write roll back.
        read_only = method.lower() == "get"
        try:
            with self._tx(rollback=not read_only) as state:
                self._run_due(state)
                state["requests"].append(
                    {"method": method.upper(), "path": parts.path, "params": params}
                )
                del state["requests"][:-500]
                body = self._route(state, method.lower(), segments, params)
            status = 200
        except StripeAPIError as error:
            body, status = error.body(), error.status
            # A rejected request still shows in the log (tests assert what was refused).
            if not read_only:
                with self._tx() as state:
                    state["requests"].append(
                        {"method": method.upper(), "path": parts.path, "params": params}
                    )
        headers = {"Request-Id": self._id("req"), "Content-Type": "application/json"}
        if status == 200:
            self._deliver_if_auto()
        return json.dumps(body), status, headers

    def _route(
        self, state: State, method: str, segments: list[str], params: dict[str, Any]
    ) -> dict[str, Any]:
        if segments[:1] != ["v1"]:
            raise StripeAPIError("Unrecognized request URL.", status=404)
        path = segments[1:]
        for pattern, handler in self._routes.items():
            if pattern[0] != method or len(pattern) - 1 != len(path):
                continue
            ids = [part for want, part in zip(pattern[1:], path, strict=True) if want == "*"]
            if all(want in ("*", part) for want, part in zip(pattern[1:], path, strict=True)):
                return handler(state, params, *ids)
        raise StripeAPIError(
            f"Unrecognized request URL ({method.upper()}: /v1/{'/'.join(path)}).", status=404
        )

    def _route_table(self) -> dict[tuple[str, ...], Callable[..., dict[str, Any]]]:
        return {
            ("post", "customers"): self._customer_create,
            ("get", "customers", "*"): lambda s, p, i: _public(self._customer(s, i)),
            ("post", "customers", "*"): self._customer_update,
            ("post", "prices"): self._price_create,
            ("get", "prices", "*"): lambda s, p, i: _public(self._price(s, i)),
            ("post", "checkout", "sessions"): self._checkout_create,
            ("get", "checkout", "sessions", "*"): self._checkout_retrieve,
            ("get", "subscriptions"): self._subscription_list,
            ("get", "subscriptions", "*"): lambda s, p, i: self._subscription_out(s, i),
            ("post", "subscriptions", "*"): self._subscription_update,
            ("delete", "subscriptions", "*"): self._subscription_cancel,
            ("get", "invoices"): self._invoice_list,
            ("get", "invoices", "*"): self._invoice_retrieve,
            ("post", "invoices", "*", "pay"): self._invoice_pay_api,
            ("post", "billing_portal", "sessions"): self._portal_create,
            ("get", "payment_intents", "*"): lambda s, p, i: _public(self._payment_intent(s, i)),
            ("post", "refunds"): self._refund_create,
            ("get", "refunds", "*"): lambda s, p, i: _public(self._get(s, "refunds", i, "refund")),
            ("get", "events", "*"): lambda s, p, i: _public(self._get(s, "events", i, "event")),
        }

    # --- small helpers -------------------------------------------------------------------

    @staticmethod
    def _id(prefix: str, length: int = 14) -> str:
        # One system call for the whole id rather than one per character (every answer carries
        # a request id); the slight modulo bias does not matter for ids that need only differ.
        alphabet = _ALPHABET
        return f"{prefix}_" + "".join(
            alphabet[byte % len(alphabet)] for byte in secrets.token_bytes(length)
        )

    @staticmethod
    def _get(state: State, collection: str, object_id: str, kind: str) -> dict[str, Any]:
        obj = state[collection].get(object_id)
        if obj is None:
            raise _no_such(kind, object_id)
        return obj

    def _customer(self, state: State, customer_id: str) -> dict[str, Any]:
        return self._get(state, "customers", customer_id, "customer")

    def _invoice(self, state: State, invoice_id: str) -> dict[str, Any]:
        return self._get(state, "invoices", invoice_id, "invoice")

    def _payment_intent(self, state: State, intent_id: str) -> dict[str, Any]:
        return self._get(state, "payment_intents", intent_id, "payment_intent")

    def _price(self, state: State, price_id: str, param: str | None = None) -> dict[str, Any]:
        if price_id in state["prices"]:
            return state["prices"][price_id]
        found = self.price_lookup(price_id) if self.price_lookup else None
        if found is None:
            raise _no_such("price", price_id, param)
        price = self._build_price(state, price_id, found)
        state["prices"][price_id] = price
        return price

    def _build_price(self, state: State, price_id: str, data: dict[str, Any]) -> dict[str, Any]:
        price = shape("price")
        recurring = data.get("recurring")
        price.update(
            id=price_id,
            created=self._now(state),
            currency=str(data.get("currency", "eur")).lower(),
            unit_amount=int(data["unit_amount"]),
            unit_amount_decimal=str(int(data["unit_amount"])),
            nickname=data.get("nickname"),
            product=data.get("product") or self._id("prod"),
            metadata=data.get("metadata") or {},
            tax_behavior="inclusive",
            transform_quantity=None,
            type="recurring" if recurring else "one_time",
            recurring=(
                {
                    "interval": recurring["interval"],
                    "interval_count": int(recurring.get("interval_count") or 1),
                    "meter": None,
                    "usage_type": "licensed",
                    "trial_period_days": (
                        int(recurring["trial_period_days"])
                        if recurring.get("trial_period_days")
                        else None
                    ),
                }
                if recurring
                else None
            ),
        )
        return price

    @staticmethod
    def _set_card(customer: dict[str, Any], card: str) -> None:
        payment_method = TEST_CARDS.get(card, card)
        if payment_method not in CARD_OUTCOMES:
            raise StripeAPIError(
                f"No such PaymentMethod: '{card}'", param="payment_method", code="resource_missing"
            )
        customer["invoice_settings"]["default_payment_method"] = payment_method

    @staticmethod
    def _card_outcome(customer: dict[str, Any]) -> str:
        payment_method = customer["invoice_settings"].get("default_payment_method")
        return CARD_OUTCOMES.get(payment_method or "", "declined")

    # --- customers and prices --------------------------------------------------------------

    def _customer_create(self, state: State, params: dict[str, Any]) -> dict[str, Any]:
        customer = shape("customer")
        customer.update(
            id=self._id("cus"),
            created=self._now(state),
            currency=None,
            discount=None,
            email=params.get("email"),
            name=params.get("name"),
            metadata=params.get("metadata") or {},
            preferred_locales=params.get("preferred_locales") or [],
            invoice_prefix=secrets.token_hex(4).upper(),
        )
        customer["invoice_settings"]["default_payment_method"] = None
        state["customers"][customer["id"]] = customer
        self._emit(state, "customer.created", customer)
        return _public(customer)

    def _customer_update(
        self, state: State, params: dict[str, Any], customer_id: str
    ) -> dict[str, Any]:
        customer = self._customer(state, customer_id)
        for key in ("email", "name"):
            if key in params:
                customer[key] = params[key]
        if "metadata" in params:
            customer["metadata"].update(params["metadata"] or {})
        return _public(customer)

    def _price_create(self, state: State, params: dict[str, Any]) -> dict[str, Any]:
        for required in ("currency", "unit_amount"):
            if not params.get(required):
                raise _missing(required)
        if not params.get("product") and not params.get("product_data", {}).get("name"):
            raise _missing("product")
        price = self._build_price(state, self._id("price"), params)
        state["prices"][price["id"]] = price
        return _public(price)

    # --- checkout ---------------------------------------------------------------------------

    def _checkout_create(self, state: State, params: dict[str, Any]) -> dict[str, Any]:
        mode = params.get("mode")
        if not mode:
            raise _missing("mode")
        if mode not in ("payment", "subscription", "setup"):
            raise StripeAPIError(
                f"Invalid mode: must be one of payment, setup, or subscription (got '{mode}').",
                param="mode",
                code="parameter_invalid_string",
            )
        if not params.get("success_url"):
            raise _missing("success_url")
        locale = params.get("locale")
        if locale is not None and locale not in CHECKOUT_LOCALES:
            raise StripeAPIError(
                f"Invalid locale: '{locale}' is not a supported Checkout locale.",
                param="locale",
                code="parameter_invalid_string",
            )
        customer_id = params.get("customer")
        if customer_id:
            if customer_id not in state["customers"]:
                raise _no_such("customer", customer_id, "customer")
            if params.get("customer_email"):
                raise StripeAPIError(
                    "You may only specify one of these parameters: customer, customer_email.",
                    param="customer_email",
                )
        line_items = params.get("line_items")
        if mode != "setup" and not line_items:
            raise _missing("line_items")
        if not isinstance(line_items, list):
            raise StripeAPIError("Invalid array", param="line_items", code="parameter_invalid")
        items, amount = [], 0
        for index, line in enumerate(line_items):
            param = f"line_items[{index}]"
            if line.get("price"):
                price = self._price(state, line["price"], f"{param}[price]")
            elif line.get("price_data"):
                data = line["price_data"]
                if not data.get("currency"):
                    raise _missing(f"{param}[price_data][currency]")
                if data.get("unit_amount") in (None, ""):
                    raise _missing(f"{param}[price_data][unit_amount]")
                if not data.get("product") and not data.get("product_data", {}).get("name"):
                    raise _missing(f"{param}[price_data][product_data][name]")
                price = self._build_price(state, self._id("price"), data)
                state["prices"][price["id"]] = price
            else:
                raise StripeAPIError(
                    "You must specify either `price` or `price_data` for each line item.",
                    param=param,
                    code="parameter_missing",
                )
            quantity = int(line.get("quantity") or 1)
            if mode == "subscription" and price["type"] != "recurring":
                raise StripeAPIError(
                    "You must provide at least one recurring price in `subscription` mode when "
                    "using prices.",
                    param=f"{param}[price]",
                    code="parameter_invalid",
                )
            if mode == "payment" and price["type"] == "recurring":
                raise StripeAPIError(
                    "You specified `payment` mode but passed a recurring price. Either switch to "
                    "`subscription` mode or use only one-time prices.",
                    param=f"{param}[price]",
                    code="parameter_invalid",
                )
            items.append({"price": price["id"], "quantity": quantity})
            amount += price["unit_amount"] * quantity
        session = shape("checkout.session")
        session_id = self._id("cs_test", 58)
        currency = state["prices"][items[0]["price"]]["currency"] if items else None
        session.update(
            id=session_id,
            object="checkout.session",
            created=self._now(state),
            expires_at=self._now(state) + DAY,
            mode=mode,
            status="open",
            payment_status="unpaid",
            customer=customer_id,
            customer_email=params.get("customer_email"),
            client_reference_id=params.get("client_reference_id"),
            success_url=params["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id),
            cancel_url=params.get("cancel_url"),
            locale=locale,
            metadata=params.get("metadata") or {},
            allow_promotion_codes=truthy(params.get("allow_promotion_codes")) or None,
            billing_address_collection=params.get("billing_address_collection"),
            automatic_tax={
                "enabled": truthy(params.get("automatic_tax", {}).get("enabled")),
                "liability": None,
                "status": None,
                "provider": None,
            },
            tax_id_collection={
                "enabled": truthy(params.get("tax_id_collection", {}).get("enabled")),
                "required": "never",
            },
            amount_subtotal=amount,
            amount_total=amount,
            currency=currency,
            subscription=None,
            payment_intent=None,
            invoice=None,
            url=self.urls.page("checkout", session_id),
            after_expiration=None,
            shipping_address_collection=None,
            shipping_cost=None,
            total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            custom_text={
                "after_submit": None,
                "shipping_address": None,
                "submit": None,
                "terms_of_service_acceptance": None,
            },
            discounts=[],
            _line_items=items,
            _subscription_data=params.get("subscription_data") or {},
            _payment_intent_data=params.get("payment_intent_data") or {},
        )
        state["checkout_sessions"][session_id] = session
        return _public(session)

    def _checkout_retrieve(
        self, state: State, params: dict[str, Any], session_id: str
    ) -> dict[str, Any]:
        session = self._get(state, "checkout_sessions", session_id, "checkout.session")
        out = _public(session)
        if "line_items" in (params.get("expand") or []):
            out["line_items"] = {
                "object": "list",
                "data": [
                    {
                        "id": self._id("li"),
                        "object": "item",
                        "price": _public(state["prices"][item["price"]]),
                        "quantity": item["quantity"],
                        "amount_total": state["prices"][item["price"]]["unit_amount"]
                        * item["quantity"],
                    }
                    for item in session["_line_items"]
                ],
                "has_more": False,
                "url": f"/v1/checkout/sessions/{session_id}/line_items",
            }
        return out

    def checkout_session(self, session_id: str) -> dict[str, Any]:
        """The session with its line items and prices, for the simulated checkout page."""
        with self._tx() as state:
            session = self._get(state, "checkout_sessions", session_id, "checkout.session")
            out = _public(session)
            out["line_items"] = [
                {"price": _public(state["prices"][item["price"]]), "quantity": item["quantity"]}
                for item in session["_line_items"]
            ]
            return out

    def complete_checkout(
        self,
        session_id: str,
        *,
        card: str = "visa",
        address: dict[str, Any] | None = None,
        tax_id: str | None = None,
    ) -> dict[str, Any]:
        """Pay a session as the buyer would on Stripe's page; a declined card raises."""
        with self._tx() as state:
            session = self._get(state, "checkout_sessions", session_id, "checkout.session")
            if session["status"] != "open":
                raise StripeAPIError(
                    "This Checkout Session is no longer active.", code="checkout_session_inactive"
                )
            if session["customer"]:
                customer = self._customer(state, session["customer"])
            else:
                customer = state["customers"][
                    self._customer_create(state, {"email": session.get("customer_email")})["id"]
                ]
                session["customer"] = customer["id"]
            payment_method = TEST_CARDS.get(card, card)
            if CARD_OUTCOMES.get(payment_method) == "declined":
                # Stripe's page shows the refusal and the session stays open for another card.
                raise StripeAPIError(
                    "Your card was declined.",
                    status=402,
                    error_type="card_error",
                    code="card_declined",
                    decline_code="generic_decline",
                )
            self._set_card(customer, payment_method)
            customer["address"] = {**customer["address"], **(address or {})}
            session["customer_details"] = {
                **(session.get("customer_details") or {}),
                "email": customer.get("email"),
                "name": customer.get("name"),
                "address": customer["address"],
                "tax_ids": [{"type": "eu_vat", "value": tax_id}] if tax_id else [],
            }
            session["status"] = "complete"
            if session["mode"] == "subscription":
                subscription = self._subscription_create(state, session, customer)
                session["subscription"] = subscription["id"]
                session["invoice"] = subscription["latest_invoice"]
                invoice = state["invoices"][subscription["latest_invoice"]]
                session["payment_status"] = (
                    "paid"
                    if invoice["status"] == "paid" and invoice["amount_paid"]
                    else "no_payment_required"
                    if invoice["status"] == "paid"
                    else "unpaid"
                )
            else:
                intent = self._payment_intent_create(
                    state,
                    customer,
                    session["amount_total"],
                    session["currency"],
                    {
                        **session["metadata"],
                        **(session["_payment_intent_data"].get("metadata") or {}),
                    },
                )
                session["payment_intent"] = intent["id"]
                session["payment_status"] = "paid"
            self._emit(state, "checkout.session.completed", session)
            if session["mode"] == "payment":
                self._emit(
                    state, "payment_intent.succeeded", state["payment_intents"][intent["id"]]
                )
            out = _public(session)
        self._deliver_if_auto()
        return out

    def expire_checkout(self, session_id: str) -> None:
        with self._tx() as state:
            session = self._get(state, "checkout_sessions", session_id, "checkout.session")
            if session["status"] == "open":
                session["status"] = "expired"
                self._emit(state, "checkout.session.expired", session)
        self._deliver_if_auto()

    # --- payment intents and refunds ----------------------------------------------------

    def _payment_intent_create(
        self,
        state: State,
        customer: dict[str, Any],
        amount: int,
        currency: str,
        metadata: dict[str, Any],
    ) -> dict[str, Any]:
        intent = shape("payment_intent")
        intent.update(
            id=self._id("pi"),
            amount=amount,
            amount_received=amount,
            amount_capturable=0,
            canceled_at=None,
            created=self._now(state),
            currency=currency,
            customer=customer["id"],
            latest_charge=self._id("ch"),
            last_payment_error=None,
            next_action=None,
            processing=None,
            transfer_data=None,
            payment_method=customer["invoice_settings"]["default_payment_method"],
            metadata=metadata,
            status="succeeded",
            client_secret=None,
            _refunded=0,
        )
        state["payment_intents"][intent["id"]] = intent
        return intent

    def _refund_create(self, state: State, params: dict[str, Any]) -> dict[str, Any]:
        intent_id = params.get("payment_intent")
        if not intent_id:
            if params.get("charge"):
                raise StripeAPIError(
                    "Refund by charge is not simulated: pass payment_intent.", param="charge"
                )
            raise _missing("payment_intent")
        intent = state["payment_intents"].get(intent_id)
        if intent is None:
            raise _no_such("payment_intent", intent_id, "payment_intent")
        if intent["status"] != "succeeded":
            raise StripeAPIError(
                "This PaymentIntent does not have a successful charge to refund.",
                param="payment_intent",
                code="charge_not_refundable",
            )
        remaining = intent["amount_received"] - intent.get("_refunded", 0)
        amount = int(params.get("amount") or remaining)
        if amount <= 0 or amount > remaining:
            raise StripeAPIError(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                f"({remaining}).",
                param="amount",
                code="amount_too_large",
            )
        intent["_refunded"] = intent.get("_refunded", 0) + amount
        refund = shape("refund")
        refund.update(
            id=self._id("re"),
            amount=amount,
            charge=intent["latest_charge"],
            created=self._now(state),
            currency=intent["currency"],
            payment_intent=intent_id,
            customer=intent.get("customer"),
            metadata=params.get("metadata") or {},
            reason=params.get("reason"),
            status="succeeded",
        )
        state["refunds"][refund["id"]] = refund
        self._emit(state, "refund.created", refund)
        return _public(refund)

    # --- subscriptions ----------------------------------------------------------------------

    def _subscription_create(
        self, state: State, session: dict[str, Any], customer: dict[str, Any]
    ) -> dict[str, Any]:
        now = self._now(state)
        line = session["_line_items"][0]
        price = state["prices"][line["price"]]
        data = session["_subscription_data"]
        trial_days = int(
            data.get("trial_period_days") or price["recurring"].get("trial_period_days") or 0
        )
        subscription = shape("subscription")
        subscription_id = self._id("sub", 24)
        item = shape("subscription_item")
        item.update(
            id=self._id("si"),
            created=now,
            price=copy.deepcopy(price),
            plan=self._legacy_plan(price),
            quantity=line["quantity"],
            subscription=subscription_id,
            billing_thresholds=None,
        )
        subscription.update(
            id=subscription_id,
            created=now,
            start_date=now,
            billing_cycle_anchor=now,
            billing_cycle_anchor_config=None,
            cancel_at=None,
            canceled_at=None,
            cancel_at_period_end=False,
            ended_at=None,
            currency=price["currency"],
            customer=customer["id"],
            default_payment_method=None,
            description=None,
            discounts=[],
            metadata=data.get("metadata") or {},
            next_pending_invoice_item_invoice=None,
            pause_collection=None,
            pending_update=None,
            pending_setup_intent=None,
            schedule=None,
            transfer_data=None,
            trial_start=None,
            trial_end=None,
            automatic_tax={
                "enabled": session["automatic_tax"]["enabled"],
                "liability": None,
                "disabled_reason": None,
            },
            items={
                "object": "list",
                "data": [item],
                "has_more": False,
                "url": f"/v1/subscription_items?subscription={subscription_id}",
            },
            status="incomplete",
        )
        state["subscriptions"][subscription_id] = subscription
        if trial_days:
            trial_end = now + trial_days * DAY
            subscription.update(status="trialing", trial_start=now, trial_end=trial_end)
            self._set_period(subscription, now, trial_end)
            subscription["_trial_notice_at"] = max(now, trial_end - TRIAL_WILL_END_NOTICE)
            self._emit(state, "customer.subscription.created", subscription)
            invoice = self._invoice_create(state, subscription, 0, "subscription_create")
            self._invoice_mark_paid(state, invoice)
            return subscription
        self._set_period(subscription, now, self._period_end(price, now))
        subscription["_incomplete_expires_at"] = now + INCOMPLETE_EXPIRY
        self._emit(state, "customer.subscription.created", subscription)
        invoice = self._invoice_create(
            state, subscription, price["unit_amount"] * line["quantity"], "subscription_create"
        )
        self._invoice_attempt(state, invoice, subscription)
        return subscription

    @staticmethod
    def _legacy_plan(price: dict[str, Any]) -> dict[str, Any]:
        plan = shape("subscription_item")["plan"]
        plan.update(
            id=price["id"],
            amount=price["unit_amount"],
            amount_decimal=str(price["unit_amount"]),
            billing_scheme="per_unit",
            currency=price["currency"],
            interval=price["recurring"]["interval"],
            interval_count=price["recurring"]["interval_count"],
            livemode=False,
            metadata={},
            product=price["product"],
            transform_usage=None,
        )
        return plan

    @staticmethod
    def _period_end(price: dict[str, Any], start: int) -> int:
        recurring = price["recurring"]
        return _add_interval(start, recurring["interval"], recurring["interval_count"])

    @staticmethod
    def _set_period(subscription: dict[str, Any], start: int, end: int) -> None:
        # Since the 2025-03-31 API version the period lives on each item, not the subscription.
        for item in subscription["items"]["data"]:
            item["current_period_start"] = start
            item["current_period_end"] = end

    @staticmethod
    def _period_end_of(subscription: dict[str, Any]) -> int:
        return int(subscription["items"]["data"][0]["current_period_end"])

    def _subscription_out(self, state: State, subscription_id: str) -> dict[str, Any]:
        return _public(self._get(state, "subscriptions", subscription_id, "subscription"))

    def _invoice_retrieve(
        self, state: State, params: dict[str, Any], invoice_id: str
    ) -> dict[str, Any]:
        invoice = _public(self._invoice(state, invoice_id))
        if "parent.subscription_details.subscription" in (params.get("expand") or []):
            details = (invoice.get("parent") or {}).get("subscription_details") or {}
            if details.get("subscription"):
                details["subscription"] = self._subscription_out(state, details["subscription"])
        return invoice

    def _subscription_list(self, state: State, params: dict[str, Any]) -> dict[str, Any]:
        status = params.get("status")
        subscriptions = [
            sub
            for sub in state["subscriptions"].values()
            if (not params.get("customer") or sub["customer"] == params["customer"])
            and (
                status == "all"
                or (status and sub["status"] == status)
                or (not status and sub["status"] not in ("canceled", "incomplete_expired"))
            )
            and (
                not params.get("price") or sub["items"]["data"][0]["price"]["id"] == params["price"]
            )
        ]
        return self._page(subscriptions, params, "/v1/subscriptions")

    def _page(
        self, objects: list[dict[str, Any]], params: dict[str, Any], url: str
    ) -> dict[str, Any]:
        ordered = sorted(objects, key=lambda obj: (obj["created"], obj["id"]), reverse=True)
        if params.get("starting_after"):
            ids = [obj["id"] for obj in ordered]
            if params["starting_after"] in ids:
                ordered = ordered[ids.index(params["starting_after"]) + 1 :]
        limit = max(1, min(int(params.get("limit") or 10), 100))
        return {
            "object": "list",
            "data": [_public(obj) for obj in ordered[:limit]],
            "has_more": len(ordered) > limit,
            "url": url,
        }

    def _subscription_update(
        self, state: State, params: dict[str, Any], subscription_id: str
    ) -> dict[str, Any]:
        subscription = self._get(state, "subscriptions", subscription_id, "subscription")
        if subscription["status"] in ("canceled", "incomplete_expired"):
            raise StripeAPIError(
                "A canceled subscription can only update its cancellation_details and metadata.",
                param="cancel_at_period_end",
            )
        previous: dict[str, Any] = {}
        if "cancel_at_period_end" in params:
            wanted = truthy(params["cancel_at_period_end"])
            if wanted != subscription["cancel_at_period_end"]:
                previous["cancel_at_period_end"] = subscription["cancel_at_period_end"]
                subscription["cancel_at_period_end"] = wanted
                subscription["cancel_at"] = self._period_end_of(subscription) if wanted else None
                subscription["canceled_at"] = self._now(state) if wanted else None
        if "metadata" in params:
            subscription["metadata"].update(params["metadata"] or {})
        if previous:
            self._emit(state, "customer.subscription.updated", subscription, previous)
        return _public(subscription)

    def _subscription_cancel(
        self, state: State, params: dict[str, Any], subscription_id: str
    ) -> dict[str, Any]:
        subscription = self._get(state, "subscriptions", subscription_id, "subscription")
        if subscription["status"] == "canceled":
            raise StripeAPIError(
                f"No such subscription: '{subscription_id}' (already canceled)",
                status=404,
                code="resource_missing",
            )
        self._end_subscription(state, subscription, "canceled")
        return _public(subscription)

    def _end_subscription(self, state: State, subscription: dict[str, Any], status: str) -> None:
        previous = {"status": subscription["status"]}
        now = self._now(state)
        subscription["status"] = status
        if status in ("canceled", "incomplete_expired"):
            subscription["ended_at"] = now
            subscription["canceled_at"] = subscription.get("canceled_at") or now
            for invoice in state["invoices"].values():
                if invoice["_subscription"] == subscription["id"] and invoice["status"] == "open":
                    invoice["status"] = "void"
                    invoice["status_transitions"]["voided_at"] = now
                    invoice["next_payment_attempt"] = None
            self._emit(state, "customer.subscription.deleted", subscription, previous)
        else:
            self._emit(state, "customer.subscription.updated", subscription, previous)

    def _set_status(self, state: State, subscription: dict[str, Any], status: str) -> None:
        if subscription["status"] != status:
            previous = {"status": subscription["status"]}
            subscription["status"] = status
            self._emit(state, "customer.subscription.updated", subscription, previous)

    # --- invoices -----------------------------------------------------------------------

    def _invoice_create(
        self, state: State, subscription: dict[str, Any], amount: int, reason: str
    ) -> dict[str, Any]:
        now = self._now(state)
        item = subscription["items"]["data"][0]
        customer = state["customers"][subscription["customer"]]
        invoice = shape("invoice")
        invoice_id = self._id("in", 24)
        line = shape("line_item")
        line.update(
            id=self._id("il"),
            amount=amount,
            currency=subscription["currency"],
            description=f"1 × {item['price'].get('nickname') or item['price']['id']}",
            invoice=invoice_id,
            period={"start": item["current_period_start"], "end": item["current_period_end"]},
            quantity=item["quantity"],
            subscription=subscription["id"],
            subtotal=amount,
            parent={
                "type": "subscription_item_details",
                "invoice_item_details": None,
                "subscription_item_details": {
                    "invoice_item": None,
                    "proration": False,
                    "proration_details": {"credited_items": None},
                    "subscription": subscription["id"],
                    "subscription_item": item["id"],
                },
            },
            pricing={"type": "price_details", "unit_amount_decimal": str(amount)},
        )
        sequence = customer.get("next_invoice_sequence", 1)
        customer["next_invoice_sequence"] = sequence + 1
        invoice.update(
            id=invoice_id,
            account_country="FR",
            account_name="Relation Client Magazine",
            amount_due=amount,
            amount_paid=0,
            amount_remaining=amount,
            attempt_count=0,
            attempted=False,
            auto_advance=True,
            automatic_tax={
                "enabled": subscription["automatic_tax"]["enabled"],
                "liability": None,
                "status": "complete",
                "disabled_reason": None,
                "provider": "stripe",
            },
            billing_reason=reason,
            created=now,
            currency=subscription["currency"],
            customer=subscription["customer"],
            customer_email=customer.get("email"),
            customer_name=customer.get("name"),
            discounts=[],
            due_date=None,
            effective_at=now,
            from_invoice=None,
            last_finalization_error=None,
            lines={
                "object": "list",
                "data": [line],
                "has_more": False,
                "url": f"/v1/invoices/{invoice_id}/lines",
            },
            next_payment_attempt=None,
            number=f"{customer['invoice_prefix']}-{sequence:04d}",
            parent={
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "metadata": subscription.get("metadata") or {},
                    "subscription": subscription["id"],
                },
            },
            period_start=item["current_period_start"],
            period_end=item["current_period_end"],
            status="open",
            status_transitions={
                "finalized_at": now,
                "marked_uncollectible_at": None,
                "paid_at": None,
                "voided_at": None,
            },
            subtotal=amount,
            subtotal_excluding_tax=amount,
            total=amount,
            total_excluding_tax=amount,
            hosted_invoice_url=self.urls.page("invoice", invoice_id),
            invoice_pdf=self.urls.page("invoice", invoice_id) + "?pdf=1",
            _subscription=subscription["id"],
            _first_failure_at=None,
        )
        state["invoices"][invoice_id] = invoice
        subscription["latest_invoice"] = invoice_id
        self._emit(state, "invoice.finalized", invoice)
        return invoice

    def _invoice_mark_paid(self, state: State, invoice: dict[str, Any]) -> None:
        invoice.update(
            status="paid",
            amount_paid=invoice["amount_due"],
            amount_remaining=0,
            attempted=True,
            next_payment_attempt=None,
        )
        invoice["status_transitions"]["paid_at"] = self._now(state)
        self._emit(state, "invoice.paid", invoice)
        self._emit(state, "invoice.payment_succeeded", invoice)

    def _invoice_attempt(
        self, state: State, invoice: dict[str, Any], subscription: dict[str, Any]
    ) -> str:
        """Charge the customer's card for ``invoice`` and move the subscription accordingly."""
        customer = state["customers"][invoice["customer"]]
        outcome = self._card_outcome(customer)
        now = self._now(state)
        invoice["attempt_count"] += 1
        invoice["attempted"] = True
        if outcome == "succeeds":
            self._invoice_mark_paid(state, invoice)
            self._set_status(state, subscription, "active")
            return outcome
        first_payment = invoice["billing_reason"] == "subscription_create"
        if invoice["_first_failure_at"] is None:
            invoice["_first_failure_at"] = now
        retries = [invoice["_first_failure_at"] + days * DAY for days in self.dunning.retry_days]
        upcoming = [moment for moment in retries if moment > now]
        invoice["next_payment_attempt"] = None if first_payment or not upcoming else upcoming[0]
        if outcome == "requires_action":
            self._emit(state, "invoice.payment_action_required", invoice)
        else:
            self._emit(state, "invoice.payment_failed", invoice)
        if not first_payment:
            self._set_status(state, subscription, "past_due")
        return outcome

    def _invoice_list(self, state: State, params: dict[str, Any]) -> dict[str, Any]:
        invoices = [
            invoice
            for invoice in state["invoices"].values()
            if (not params.get("customer") or invoice["customer"] == params["customer"])
            and (
                not params.get("subscription") or invoice["_subscription"] == params["subscription"]
            )
            and (not params.get("status") or invoice["status"] == params["status"])
        ]
        return self._page(invoices, params, "/v1/invoices")

    def _invoice_pay_api(
        self, state: State, params: dict[str, Any], invoice_id: str
    ) -> dict[str, Any]:
        invoice = self._invoice(state, invoice_id)
        if invoice["status"] != "open":
            raise StripeAPIError("Invoice is already paid", code="invoice_not_open")
        subscription = state["subscriptions"][invoice["_subscription"]]
        if params.get("payment_method"):
            self._set_card(state["customers"][invoice["customer"]], params["payment_method"])
        outcome = self._invoice_attempt(state, invoice, subscription)
        if outcome == "declined":
            raise StripeAPIError(
                "Your card was declined.",
                status=402,
                error_type="card_error",
                code="card_declined",
                decline_code="generic_decline",
            )
        if outcome == "requires_action":
            raise StripeAPIError(
                "This payment requires additional user action before it can be completed.",
                status=402,
                error_type="card_error",
                code="authentication_required",
            )
        return _public(invoice)

    def authenticate_invoice(self, invoice_id: str, *, succeed: bool = True) -> dict[str, Any]:
        """The buyer completes (or fails) 3-D Secure on the hosted invoice page."""
        with self._tx() as state:
            invoice = self._invoice(state, invoice_id)
            if invoice["status"] != "open":
                raise StripeAPIError(
                    "This invoice is not awaiting payment.", code="invoice_not_open"
                )
            subscription = state["subscriptions"][invoice["_subscription"]]
            invoice["attempt_count"] += 1
            if succeed:
                self._invoice_mark_paid(state, invoice)
                self._set_status(state, subscription, "active")
            else:
                self._emit(state, "invoice.payment_failed", invoice)
            out = _public(invoice)
        self._deliver_if_auto()
        return out

    def invoice_page(self, invoice_id: str) -> dict[str, Any]:
        with self._tx() as state:
            return _public(copy.deepcopy(self._invoice(state, invoice_id)))

    def _retry_open_invoices(self, state: State, customer_id: str) -> None:
        for invoice in list(state["invoices"].values()):
            if invoice["customer"] == customer_id and invoice["status"] == "open":
                subscription = state["subscriptions"][invoice["_subscription"]]
                if subscription["status"] in ("past_due", "incomplete", "unpaid"):
                    self._invoice_attempt(state, invoice, subscription)

    # --- customer portal ----------------------------------------------------------------

    def _portal_create(self, state: State, params: dict[str, Any]) -> dict[str, Any]:
        customer_id = params.get("customer")
        if not customer_id:
            raise _missing("customer")
        if customer_id not in state["customers"]:
            raise _no_such("customer", customer_id, "customer")
        session = shape("billing_portal.session")
        session.update(
            id=self._id("bps"),
            created=self._now(state),
            customer=customer_id,
            flow=None,
            livemode=False,
            locale=params.get("locale"),
            return_url=params.get("return_url"),
            configuration="bpc_simulator",
        )
        session["url"] = self.urls.page("portal", session["id"])
        state["portal_sessions"][session["id"]] = session
        return _public(session)

    def portal_session(self, session_id: str) -> dict[str, Any]:
        """The portal session with the customer's subscriptions and invoices, for the page."""
        with self._tx() as state:
            self._run_due(state)
            session = self._get(state, "portal_sessions", session_id, "billing_portal.session")
            customer = self._customer(state, session["customer"])
            return {
                "session": _public(session),
                "customer": _public(customer),
                "subscriptions": [
                    _public(sub)
                    for sub in state["subscriptions"].values()
                    if sub["customer"] == customer["id"]
                ],
                "invoices": [
                    _public(invoice)
                    for invoice in state["invoices"].values()
                    if invoice["customer"] == customer["id"]
                ],
            }

    def portal_action(self, session_id: str, action: str, **options: Any) -> None:
        """What the portal's buttons do: "cancel", "resume" or "update_card" (card=…)."""
        with self._tx() as state:
            session = self._get(state, "portal_sessions", session_id, "billing_portal.session")
            customer_id = session["customer"]
            if action == "update_card":
                self._set_card(self._customer(state, customer_id), options.get("card", "visa"))
                self._retry_open_invoices(state, customer_id)
            elif action in ("cancel", "resume"):
                subscription = self._get(
                    state, "subscriptions", options["subscription"], "subscription"
                )
                if subscription["customer"] != customer_id:
                    raise _no_such("subscription", options["subscription"])
                self._subscription_update(
                    state,
                    {"cancel_at_period_end": "true" if action == "cancel" else "false"},
                    subscription["id"],
                )
            else:
                raise StripeAPIError(f"Unknown portal action: {action}")
        self._deliver_if_auto()

    # --- the billing clock ----------------------------------------------------------------

    def _run_due(self, state: State) -> None:
        self._init(state)
        now = self._now(state)
        # Process due moments in chronological order so a long jump replays every renewal.
        for _guard in range(10_000):
            moment, action = self._next_due(state, now)
            if action is None:
                return
            offset = state["now_offset"]
            state["now_offset"] = offset - (now - moment)
            try:
                action()
            finally:
                state["now_offset"] = offset

    def _next_due(self, state: State, now: int) -> tuple[int, Callable[[], None] | None]:
        candidates: list[tuple[int, Callable[[], None]]] = []
        for subscription in state["subscriptions"].values():
            status = subscription["status"]
            notice = subscription.get("_trial_notice_at")
            if status == "trialing" and notice is not None and notice <= now:
                candidates.append((notice, partial(self._trial_notice, state, subscription)))
            if (
                status == "incomplete"
                and subscription.get("_incomplete_expires_at", now + 1) <= now
            ):
                candidates.append(
                    (
                        subscription["_incomplete_expires_at"],
                        partial(self._end_subscription, state, subscription, "incomplete_expired"),
                    )
                )
            if status in ("active", "trialing") and self._period_end_of(subscription) <= now:
                candidates.append(
                    (
                        self._period_end_of(subscription),
                        partial(self._renew, state, subscription),
                    )
                )
        for invoice in state["invoices"].values():
            attempt = invoice.get("next_payment_attempt")
            if invoice["status"] == "open" and attempt is not None and attempt <= now:
                candidates.append((attempt, partial(self._dunning_retry, state, invoice)))
        if not candidates:
            return now, None
        return min(candidates, key=lambda candidate: candidate[0])

    def _trial_notice(self, state: State, subscription: dict[str, Any]) -> None:
        subscription["_trial_notice_at"] = None
        self._emit(state, "customer.subscription.trial_will_end", subscription)

    def _renew(self, state: State, subscription: dict[str, Any]) -> None:
        if subscription["cancel_at_period_end"]:
            self._end_subscription(state, subscription, "canceled")
            return
        item = subscription["items"]["data"][0]
        start = int(item["current_period_end"])
        previous = {
            "items": copy.deepcopy(_public(subscription["items"])),
            "status": subscription["status"],
        }
        self._set_period(subscription, start, self._period_end(item["price"], start))
        subscription["_trial_notice_at"] = None
        amount = item["price"]["unit_amount"] * item["quantity"]
        invoice = self._invoice_create(state, subscription, amount, "subscription_cycle")
        outcome = self._invoice_attempt(state, invoice, subscription)
        if outcome == "succeeds" and previous["status"] == subscription["status"]:
            # The period moved even though the status did not: Stripe says so too.
            self._emit(
                state, "customer.subscription.updated", subscription, {"items": previous["items"]}
            )

    def _dunning_retry(self, state: State, invoice: dict[str, Any]) -> None:
        subscription = state["subscriptions"][invoice["_subscription"]]
        if subscription["status"] not in ("past_due", "unpaid"):
            invoice["next_payment_attempt"] = None
            return
        outcome = self._invoice_attempt(state, invoice, subscription)
        if outcome != "succeeds" and invoice["next_payment_attempt"] is None:
            invoice["status"] = "uncollectible"
            invoice["status_transitions"]["marked_uncollectible_at"] = self._now(state)
            self._end_subscription(state, subscription, self.dunning.final_status)


class _Transaction:
    """``with simulator._tx() as state``: the store's transaction with the schema ensured."""

    def __init__(self, simulator: Simulator, *, rollback: bool = True) -> None:
        self._simulator = simulator
        self._rollback = rollback
        self._context: Any = None

    def __enter__(self) -> State:
        self._context = self._simulator.store.transaction(rollback=self._rollback)
        state = self._context.__enter__()
        Simulator._init(state)
        return state

    def __exit__(self, *exc_info: Any) -> Any:
        return self._context.__exit__(*exc_info)


def parse_query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))
