"""Billing workflows: checkout, and the one synchronisation that webhooks, the return page and
reconciliation all run, so local state only ever comes from what Stripe says now."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from subscriptions import stripe_gateway
from subscriptions.models import (
    Invoice,
    Plan,
    StripeCustomer,
    Subscription,
    SubscriptionHistory,
)
from subscriptions.querysets import POSSIBLY_ENTITLED_STATUSES, SUBSCRIBED_STATUSES

if TYPE_CHECKING:
    from django.db.models import Field

    from accounts.models import User

logger = logging.getLogger(__name__)


class AlreadySubscribed(Exception):
    """The reader has a live subscription: sending them to pay again would bill them twice."""


# What is running the sync (the webhook event, reconciliation, the return page): the history
# says why a subscription changed without threading the cause through every caller.
_sync_cause: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar(
    "subscription_sync_cause", default=("", "sync")
)


@contextlib.contextmanager
def sync_cause(*, type: str, stripe_event_id: str = "") -> Iterator[None]:
    """Label the history written by the syncs run inside this block."""
    token = _sync_cause.set((stripe_event_id, type))
    try:
        yield
    finally:
        _sync_cause.reset(token)


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def customer_for_user(*, user: User) -> str:
    """The reader's Stripe customer id, created on first need and reused afterwards."""
    existing = StripeCustomer.objects.filter(user=user).values_list("customer_id", flat=True)
    if existing:
        return existing[0]
    with transaction.atomic():
        # Lock the account so that two quick clicks cannot create two customers.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        found = StripeCustomer.objects.filter(user=user).first()
        if found is not None:
            return found.customer_id
        customer = stripe_gateway.customer_create(
            email=user.email,
            name=user.get_full_name(),
            metadata={"user_id": str(user.pk)},
            idempotency_key=f"kiosque-customer-{user.pk}",
        )
        StripeCustomer.objects.create(user=user, customer_id=customer["id"])
        return str(customer["id"])


def has_live_subscription(*, user: User) -> bool:
    return Subscription.objects.filter(user=user, status__in=POSSIBLY_ENTITLED_STATUSES).exists()


def checkout_start(*, user: User, plan: Plan, success_url: str, cancel_url: str) -> str:
    """Open a Stripe Checkout Session for ``plan`` and return the address to send the reader to."""
    if has_live_subscription(user=user):
        raise AlreadySubscribed
    customer_id = customer_for_user(user=user)
    # A payment whose webhook has not arrived yet must not be paid a second time: ask Stripe.
    for stripe_subscription in stripe_gateway.subscription_list(customer=customer_id):
        if stripe_subscription["status"] in POSSIBLY_ENTITLED_STATUSES:
            subscription_sync(stripe_subscription=stripe_subscription)
            raise AlreadySubscribed
    metadata = {"user_id": str(user.pk), "plan_id": str(plan.pk)}
    subscription_data: dict[str, Any] = {"metadata": metadata}
    if plan.trial_days:
        subscription_data["trial_period_days"] = plan.trial_days
    separator = "&" if "?" in success_url else "?"
    session = stripe_gateway.checkout_session_create(
        {
            "mode": "subscription",
            "customer": customer_id,
            "client_reference_id": str(user.pk),
            "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
            "locale": "fr",
            "automatic_tax": {"enabled": True},
            "allow_promotion_codes": True,
            "billing_address_collection": "required",
            "tax_id_collection": {"enabled": True},
            # Stripe requires both to save the collected address and company name for tax.
            "customer_update": {"address": "auto", "name": "auto"},
            "subscription_data": subscription_data,
            "metadata": metadata,
            "success_url": f"{success_url}{separator}session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": cancel_url,
        }
    )
    return str(session["url"])


def _user_for_customer(customer_id: str, metadata: dict[str, Any]) -> User | None:
    link = StripeCustomer.objects.select_related("user").filter(customer_id=customer_id).first()
    if link is not None:
        return link.user  # type: ignore[return-value]
    user_id = (metadata or {}).get("user_id")
    if not user_id or not str(user_id).isdigit():
        return None
    user = get_user_model().objects.filter(pk=int(user_id)).first()
    if user is not None and not StripeCustomer.objects.filter(user=user).exists():
        StripeCustomer.objects.create(user=user, customer_id=customer_id)
    return user  # type: ignore[return-value]


def _plan_id_for_price(price_id: str | None, current: tuple[int | None, str | None]) -> int | None:
    """The plan of ``price_id``; ``current`` (the local plan's id and price id) if unchanged."""
    if not price_id:
        return None
    plan_id, current_price_id = current
    if plan_id is not None and current_price_id == price_id:
        return plan_id
    return Plan.objects.filter(stripe_price_id=price_id).values_list("pk", flat=True).first()


def _column(field: Field[Any, Any]) -> str:
    return cast(str, field.column)  # set on every concrete field


# Every webhook event runs the two locking reads below: written out once, they cost a sixth of
# the CPU that compiling the same ORM queries again for each event did.


def _for_update() -> str:
    # SQLite (the embedded default of `make run`) has no row locks: its writers take turns.
    # The statements below are cached by database vendor for that reason.
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


@functools.cache
def _customer_lock_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {quote('user_id')} FROM {quote(StripeCustomer._meta.db_table)} "  # noqa: S608 - our own names
        f"WHERE {quote('customer_id')} = %s{_for_update()}"
    )


@functools.cache
def _subscription_lock_sql(vendor: str) -> tuple[str, tuple[str, ...]]:
    quote = connection.ops.quote_name
    table, plans = quote(Subscription._meta.db_table), quote(Plan._meta.db_table)
    fields = Subscription._meta.concrete_fields
    columns = ", ".join(f"{table}.{quote(_column(field))}" for field in fields)
    # A subquery rather than a join: a third less work for PostgreSQL on every event.
    price = (
        f"(SELECT {quote('stripe_price_id')} FROM {plans} "  # noqa: S608 - our own names
        f"WHERE {plans}.{quote('id')} = {table}.{quote('plan_id')})"
    )
    sql = (
        f"SELECT {columns}, {price} FROM {table} "  # noqa: S608 - our own names
        f"WHERE {table}.{quote('stripe_subscription_id')} = %s{_for_update()}"
    )
    return sql, tuple(field.attname for field in fields)


@functools.cache
def _converters(vendor: str) -> tuple[tuple[int, tuple[Any, ...], Any], ...]:
    """Where the database's values need converting as the ORM would (SQLite's datetimes)."""
    found = []
    for index, field in enumerate(Subscription._meta.concrete_fields):
        column = field.get_col(Subscription._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((index, tuple(converters), column))
    return tuple(found)


def _locked_customer_user_id(customer_id: str) -> int | None:
    """Lock the customer row; the id of its reader, None when the customer is not linked yet."""
    with connection.cursor() as cursor:
        cursor.execute(_customer_lock_sql(connection.vendor), [customer_id])
        row = cursor.fetchone()
    return row[0] if row else None


def _locked_subscription(stripe_subscription_id: str) -> tuple[Subscription | None, str | None]:
    """The local subscription, locked, and its plan's price id."""
    sql, attnames = _subscription_lock_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [stripe_subscription_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    values = list(row[:-1])
    for index, converters, column in _converters(connection.vendor):
        for converter in converters:
            values[index] = converter(values[index], column, connection)
    return Subscription.from_db(connection.alias, list(attnames), values), row[-1]


@dataclass(frozen=True)
class SyncResult:
    subscription: Subscription
    previous_status: str | None
    changed_fields: tuple[str, ...]


_SYNCED_FIELDS = (
    "user_id",
    "plan_id",
    "stripe_customer_id",
    "status",
    "current_period_end",
    "cancel_at_period_end",
    "trial_end",
    "past_due_since",
)


def subscription_sync(*, stripe_subscription: dict[str, Any]) -> SyncResult | None:
    """Upsert the local copy of a Stripe subscription; None when the customer is not ours."""
    from subscriptions import emails

    data = stripe_subscription
    customer_id = str(data["customer"])
    # No savepoint: inside a webhook's transaction a failure rolls the whole event back anyway,
    # and the savepoint's two round trips were a fifth of the event's queries.
    with transaction.atomic(savepoint=False):
        # The customer row serialises every sync of one reader, even before the local
        # subscription exists (two webhooks for a new subscription arrive together).
        user: User | None = None
        user_id = _locked_customer_user_id(customer_id)
        if user_id is None:
            user = _user_for_customer(customer_id, data.get("metadata") or {})
            if user is None:
                logger.warning("Stripe subscription %s belongs to no known reader", data["id"])
                return None
            user_id = user.pk
        local, current_price_id = _locked_subscription(data["id"])
        before = {name: getattr(local, name) for name in _SYNCED_FIELDS} if local else {}
        previous_status = local.status if local else None
        previous_cancel = local.cancel_at_period_end if local else False
        current_plan = (local.plan_id, current_price_id) if local else (None, None)
        if local is None:
            local = Subscription(stripe_subscription_id=data["id"])
        items = (data.get("items") or {}).get("data") or []
        item = items[0] if items else {}
        price_id = (item.get("price") or {}).get("id")
        if user is not None:
            local.user = user
        else:
            local.user_id = user_id
        local.plan_id = _plan_id_for_price(price_id, current_plan)
        local.stripe_customer_id = customer_id
        local.status = data["status"]
        # Current API versions moved the period to the items; older payloads kept it on top.
        local.current_period_end = _timestamp(
            item.get("current_period_end") or data.get("current_period_end")
        )
        local.cancel_at_period_end = bool(data.get("cancel_at_period_end"))
        local.trial_end = _timestamp(data.get("trial_end"))
        if local.status == Subscription.Status.PAST_DUE:
            if previous_status != Subscription.Status.PAST_DUE or local.past_due_since is None:
                local.past_due_since = timezone.now()
        else:
            local.past_due_since = None
        after = {name: getattr(local, name) for name in _SYNCED_FIELDS}
        changed = tuple(name for name in _SYNCED_FIELDS if before.get(name) != after[name])
        created = local.pk is None
        if changed or created:
            local.save()
        _record_history(local, before, after, created=created)
        live = SUBSCRIBED_STATUSES
        # The reader and plan rows load only here, for the rare sync that owes an email.
        if local.status in live and previous_status not in live:
            emails.queue(
                kind="welcome",
                user=local.user,
                key=f"welcome:{local.stripe_subscription_id}",
                subscription=local,
            )
        if local.cancel_at_period_end and not previous_cancel and local.status in live:
            emails.queue(
                kind="cancellation",
                user=local.user,
                key=f"cancellation:{local.stripe_subscription_id}:{data.get('cancel_at') or ''}",
                subscription=local,
            )
        return SyncResult(local, previous_status, changed)


# Changes worth a line in the subscriber's history (the customer id or user never move).
_HISTORY_FIELDS = ("status", "plan_id", "current_period_end", "cancel_at_period_end", "trial_end")


def _history_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _record_history(
    local: Subscription, before: dict[str, Any], after: dict[str, Any], *, created: bool
) -> None:
    changes = {
        name: [_history_value(before.get(name)), _history_value(after[name])]
        for name in _HISTORY_FIELDS
        if created or before.get(name) != after[name]
    }
    if not changes:
        return
    stripe_event_id, cause = _sync_cause.get()
    SubscriptionHistory.objects.create(
        subscription=local,
        at=timezone.now(),
        stripe_event_id=stripe_event_id,
        type=cause,
        old_status=before.get("status") or "",
        new_status=local.status,
        details=changes,
    )


def subscription_sync_by_id(*, subscription_id: str) -> SyncResult | None:
    """Re-read the subscription from Stripe and upsert it: order of events does not matter."""
    return subscription_sync(
        stripe_subscription=stripe_gateway.subscription_retrieve(subscription_id)
    )


# Expanded, the invoice brings its subscription along: one request to Stripe instead of two.
INVOICE_SUBSCRIPTION_EXPAND = "parent.subscription_details.subscription"


def invoice_subscription(invoice: dict[str, Any]) -> dict[str, Any] | str | None:
    """The invoice's subscription: the object when expanded, else its id (None if it has none)."""
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return details.get("subscription") or invoice.get("subscription") or None


def invoice_subscription_id(invoice: dict[str, Any]) -> str | None:
    subscription = invoice_subscription(invoice)
    return subscription.get("id") if isinstance(subscription, dict) else subscription


_INVOICE_FIELDS = (
    "user_id",
    "subscription_id",
    "number",
    "status",
    "amount_due",
    "amount_paid",
    "currency",
    "hosted_invoice_url",
    "invoice_pdf",
)


@functools.cache
def _invoice_upsert_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    table = quote(Invoice._meta.db_table)
    by_attname = {field.attname: _column(field) for field in Invoice._meta.concrete_fields}
    columns = [quote(by_attname[name]) for name in _INVOICE_FIELDS]
    created = quote("stripe_created")
    inserted = ", ".join([quote("stripe_invoice_id"), *columns, created])
    placeholders = ", ".join(["%s"] * (len(columns) + 2))
    assignments = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns)
    current = ", ".join(f"{table}.{column}" for column in [*columns, created])
    incoming = ", ".join(f"EXCLUDED.{column}" for column in columns)
    # A missing creation time keeps the stored one (or the first sync's clock on insert). The
    # WHERE makes a redelivery of an unchanged invoice write nothing; its row is locked anyway.
    return (
        f"INSERT INTO {table} ({inserted}) VALUES ({placeholders}) "  # noqa: S608 - our own names
        f"ON CONFLICT ({quote('stripe_invoice_id')}) DO UPDATE SET {assignments}, "
        f"{created} = COALESCE(%s, {table}.{created}) "
        f"WHERE ({current}) IS DISTINCT FROM ({incoming}, COALESCE(%s, {table}.{created}))"
    )


def invoice_sync(
    *, stripe_invoice: dict[str, Any], subscription: Subscription | None = None
) -> None:
    """Upsert the local copy of an invoice shown on the account page.

    ``subscription`` is the local row the caller just synced for this invoice, if any: its
    reader and id are reused instead of being looked up again.
    """
    data = stripe_invoice
    customer_id = str(data["customer"])
    subscription_id = invoice_subscription_id(data)
    known = (
        subscription
        if subscription is not None
        and subscription_id
        and subscription.stripe_subscription_id == subscription_id
        and subscription.stripe_customer_id == customer_id
        else None
    )
    local_subscription_id: int | None
    with transaction.atomic(savepoint=False):
        if known is not None:
            user_id = known.user_id
            local_subscription_id = known.pk
        else:
            user = _user_for_customer(customer_id, {})
            if user is None:
                return
            user_id = user.pk
            local_subscription_id = (
                Subscription.objects.filter(stripe_subscription_id=subscription_id)
                .values_list("pk", flat=True)
                .first()
                if subscription_id
                else None
            )
        values = {
            "user_id": user_id,
            "subscription_id": local_subscription_id,
            "number": data.get("number") or "",
            "status": data.get("status") or "",
            "amount_due": int(data.get("amount_due") or 0),
            "amount_paid": int(data.get("amount_paid") or 0),
            "currency": data.get("currency") or "eur",
            "hosted_invoice_url": data.get("hosted_invoice_url") or "",
            "invoice_pdf": data.get("invoice_pdf") or "",
        }
        adapt = connection.ops.adapt_datetimefield_value
        created = adapt(_timestamp(data.get("created")))
        # One statement whether the invoice is new or known: a concurrent delivery of another
        # event for it may insert it at any moment, and webhooks redeliver unchanged invoices.
        with connection.cursor() as cursor:
            cursor.execute(
                _invoice_upsert_sql(connection.vendor),
                [
                    data["id"],
                    *(values[name] for name in _INVOICE_FIELDS),
                    created or adapt(timezone.now()),
                    created,
                    created,
                ],
            )


def checkout_return_sync(*, user: User, session_id: str) -> Subscription | None:
    """On the return page: fetch the session and run the webhook's own sync to save a wait."""
    customer_id = StripeCustomer.objects.filter(user=user).values_list("customer_id", flat=True)
    if not customer_id or not session_id.startswith("cs_"):
        return None
    try:
        session = stripe_gateway.checkout_session_retrieve(session_id)
    except stripe_gateway.GatewayError:
        return None
    # Another reader's session id pasted in the address grants nothing to this one.
    if session.get("customer") != customer_id[0] or not session.get("subscription"):
        return None
    with sync_cause(type="checkout_return"):
        result = subscription_sync_by_id(subscription_id=session["subscription"])
    return result.subscription if result else None


@dataclass(frozen=True)
class Drift:
    stripe_subscription_id: str
    fields: tuple[str, ...]
    before: str | None
    after: str

    def __str__(self) -> str:
        return (
            f"{self.stripe_subscription_id}: {self.before or 'missing'} → {self.after} "
            f"({', '.join(self.fields)})"
        )


def reconcile() -> list[Drift]:
    """Compare every local subscription with Stripe and correct the local copy."""
    with sync_cause(type="reconcile"):
        return _reconcile()


def _reconcile() -> list[Drift]:
    drifts: list[Drift] = []
    seen: set[str] = set()
    for data in stripe_gateway.subscription_list(status="all"):
        seen.add(data["id"])
        result = subscription_sync(stripe_subscription=data)
        if result is not None and result.changed_fields:
            drifts.append(
                Drift(data["id"], result.changed_fields, result.previous_status, data["status"])
            )
    orphans = (
        Subscription.objects.filter(status__in=POSSIBLY_ENTITLED_STATUSES)
        .exclude(stripe_subscription_id__isnull=True)
        .exclude(stripe_subscription_id__in=seen)
    )
    for local in orphans:
        try:
            result = subscription_sync_by_id(subscription_id=str(local.stripe_subscription_id))
        except stripe_gateway.InvalidRequest as error:
            if error.code != "resource_missing":
                raise
            # Stripe has never heard of it (deleted test data, wrong account): no paid access.
            previous = local.status
            local.status = Subscription.Status.CANCELED
            local.past_due_since = None
            local.save(update_fields=["status", "past_due_since", "updated_at"])
            SubscriptionHistory.objects.create(
                subscription=local,
                at=timezone.now(),
                type="reconcile",
                old_status=previous,
                new_status=local.status,
                details={"status": [previous, local.status], "reason": "resource_missing"},
            )
            drifts.append(
                Drift(str(local.stripe_subscription_id), ("status",), previous, "canceled")
            )
            continue
        if result is not None and result.changed_fields:
            drifts.append(
                Drift(
                    str(local.stripe_subscription_id),
                    result.changed_fields,
                    result.previous_status,
                    result.subscription.status,
                )
            )
    return drifts
