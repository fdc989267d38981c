"""Billing emails (text and HTML), owed with the change that calls for them, sent once per key."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from core.site import site_url
from subscriptions.models import BillingEmail, PaywallSettings

if TYPE_CHECKING:
    from accounts.models import User
    from subscriptions.models import Subscription

logger = logging.getLogger(__name__)

SUBJECTS = {
    "welcome": _("Welcome: your subscription to %(site)s is active"),
    "payment_failed": _("Your payment failed: please update your card"),
    "action_required": _("Confirm your payment with your bank (3-D Secure)"),
    "trial_ending": _("Your free trial ends soon"),
    "cancellation": _("Your subscription has been cancelled"),
}


def _absolute(name: str) -> str:
    try:
        return site_url() + reverse(name)
    except NoReverseMatch:
        return site_url() + "/"


def _context(
    user: User, subscription: Subscription | None, extra: dict[str, Any] | None
) -> dict[str, Any]:
    from subscriptions.paywall import format_price

    context: dict[str, Any] = {
        "first_name": user.first_name,
        "site_name": settings.SITE_NAME,
        "site_url": site_url(),
        "account_url": _absolute("billing:account"),
        "grace_days": PaywallSettings.load().past_due_grace_days,
    }
    if subscription is not None:
        plan = subscription.plan
        context["plan_name"] = plan.name if plan else ""
        context["plan_price"] = format_price(plan.amount, plan.currency) if plan else ""
        for field in ("current_period_end", "trial_end"):
            moment = getattr(subscription, field)
            context[field] = (
                formats.date_format(timezone.localtime(moment), "DATE_FORMAT") if moment else ""
            )
    context.update(extra or {})
    return context


def queue(
    *,
    kind: str,
    user: User,
    key: str,
    subscription: Subscription | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Owe ``kind`` to ``user`` in the current transaction (core.outbox); never twice per key.

    A worker sends it once the transaction commits; a broker that is down or a worker that dies
    only delays it.
    """
    from core import outbox
    from subscriptions import tasks

    if kind not in SUBJECTS:
        raise ValueError(f"Unknown billing email: {kind}")
    if BillingEmail.objects.filter(key=key).exists():
        return  # sent already (a redelivered event); send() checks again under its lock
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(user, subscription, extra)
    outbox.enqueue(tasks.send_billing_email, kind=kind, user_id=user.pk, key=key, context=context)


def send(*, kind: str, user: User, key: str, context: dict[str, Any]) -> bool:
    """Render and send one billing email unless ``key`` was already sent; True if sent now."""
    with transaction.atomic():
        _row, created = BillingEmail.objects.get_or_create(
            key=key, defaults={"kind": kind, "user": user}
        )
        if not created:
            return False
        # Inside the transaction: if the mail server refuses, the key is not kept and a retry
        # sends it.
        with translation.override(settings.LANGUAGE_CODE):
            subject = str(SUBJECTS[kind]) % {"site": settings.SITE_NAME}
            text = render_to_string(f"emails/subscriptions/{kind}.txt", context)
            html = render_to_string(f"emails/subscriptions/{kind}.html", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
        )
        message.attach_alternative(html, "text/html")
        message.send()
        logger.info("Billing email %s sent to user %s", key, user.pk)
        return True
