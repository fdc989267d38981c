"""Billing: plans, the local mirror of Stripe subscriptions, invoices, webhook bookkeeping."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import format_price
from subscriptions.querysets import PlanQuerySet, SubscriptionQuerySet

# The headline offer under every article promises "less than €3 a week".
WEEKLY_HEADLINE_LIMIT_CENTS = 300


def _round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


class BillingSettings(models.Model):
    """Billing's one knob, a row edited in the admin."""

    past_due_grace_days = models.PositiveSmallIntegerField(
        _("grace period after a failed payment (days)"), default=7
    )

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")

    def __str__(self) -> str:
        return str(_("Billing settings"))

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1  # a singleton: whatever the admin posts edits the one row
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def load(cls) -> BillingSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row

    @property
    def past_due_grace(self) -> timedelta:
        return timedelta(days=self.past_due_grace_days)


class Plan(models.Model):
    class Interval(models.TextChoices):
        WEEK = "week", _("week")
        MONTH = "month", _("month")
        YEAR = "year", _("year")

    name = models.CharField(_("name"), max_length=100)
    stripe_price_id = models.CharField(_("Stripe price id"), max_length=100, unique=True)
    amount = models.PositiveIntegerField(_("amount (cents)"))
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="eur",
        validators=[RegexValidator(r"^[a-z]{3}$", _("Use a lower-case ISO code such as “eur”."))],
    )
    interval = models.CharField(_("billing interval"), max_length=5, choices=Interval.choices)
    interval_count = models.PositiveSmallIntegerField(
        _("intervals per billing period"), default=1, validators=[MinValueValidator(1)]
    )
    trial_days = models.PositiveSmallIntegerField(_("trial days"), default=0)
    active = models.BooleanField(_("offered"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    objects: ClassVar[PlanQuerySet] = PlanQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ("display_order", "amount")

    def __str__(self) -> str:
        return self.name

    @property
    def weekly_price_cents(self) -> int:
        """The price of one week, rounded half up: the figure the headline offer quotes."""
        count = max(self.interval_count or 1, 1)
        if self.interval == self.Interval.WEEK:
            return _round_half_up(self.amount, count)
        if self.interval == self.Interval.MONTH:
            return _round_half_up(self.amount * 12, 52 * count)
        return _round_half_up(self.amount, 52 * count)

    def clean(self) -> None:
        super().clean()
        if (
            self.interval == self.Interval.WEEK
            and self.interval_count == 1
            and self.amount is not None
            and self.amount >= WEEKLY_HEADLINE_LIMIT_CENTS
        ):
            raise ValidationError(
                {
                    "amount": _(
                        "A weekly plan must cost less than €3 (300 cents): the offer under "
                        "every article promises unlimited access for less than €3 a week."
                    )
                },
                code="weekly_price",
            )


class Subscription(models.Model):
    """Local mirror of a Stripe subscription (kept in sync by the coming webhook handlers)."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", _("incomplete")
        INCOMPLETE_EXPIRED = "incomplete_expired", _("incomplete, expired")
        TRIALING = "trialing", _("trialing")
        ACTIVE = "active", _("active")
        PAST_DUE = "past_due", _("past due")
        CANCELED = "canceled", _("canceled")
        UNPAID = "unpaid", _("unpaid")
        PAUSED = "paused", _("paused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subscriptions",
    )
    stripe_subscription_id = models.CharField(
        _("Stripe subscription id"), max_length=100, unique=True, null=True, blank=True
    )
    stripe_customer_id = models.CharField(_("Stripe customer id"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.INCOMPLETE
    )
    current_period_end = models.DateTimeField(_("current period end"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("cancels at period end"), default=False)
    trial_end = models.DateTimeField(_("trial end"), null=True, blank=True)
    past_due_since = models.DateTimeField(_("past due since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects: ClassVar[SubscriptionQuerySet] = SubscriptionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_status_display()}"

    def grants_access(self, now: datetime, grace: timedelta) -> bool:
        if self.status in (self.Status.ACTIVE, self.Status.TRIALING):
            return True
        if self.status == self.Status.PAST_DUE:
            # Stripe retries a failed card for days; readers keep reading meanwhile, not forever.
            return self.past_due_since is not None and now < self.past_due_since + grace
        return False


class StripeCustomer(models.Model):
    """The Stripe customer of an account: created once, reused by every later checkout."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="stripe_customer",
    )
    customer_id = models.CharField(_("Stripe customer id"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Stripe customer")
        verbose_name_plural = _("Stripe customers")

    def __str__(self) -> str:
        return f"{self.user} — {self.customer_id}"


class StripeEvent(models.Model):
    """A webhook event, recorded in the transaction that processed it: its id is the dedupe key."""

    event_id = models.CharField(_("Stripe event id"), max_length=100, unique=True)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    stripe_created = models.DateTimeField(_("created at Stripe"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed at"))

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ("-processed_at",)

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Invoice(models.Model):
    """Local copy of a Stripe invoice, listed on the reader's account page."""

    stripe_invoice_id = models.CharField(_("Stripe invoice id"), max_length=100, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="invoices",
    )
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    number = models.CharField(_("number"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20)
    amount_due = models.IntegerField(_("amount due (cents)"), default=0)
    amount_paid = models.IntegerField(_("amount paid (cents)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="eur")
    hosted_invoice_url = models.URLField(_("hosted invoice page"), max_length=500, blank=True)
    invoice_pdf = models.URLField(_("PDF"), max_length=500, blank=True)
    stripe_created = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ("-stripe_created",)

    def __str__(self) -> str:
        return self.number or self.stripe_invoice_id

    @property
    def amount_paid_display(self) -> str:
        return format_price(self.amount_paid, self.currency)

    @property
    def amount_due_display(self) -> str:
        return format_price(self.amount_due, self.currency)


class BillingEmail(models.Model):
    """One row per billing email sent: its key makes a redelivered event send nothing twice."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="billing_emails",
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("billing email")
        verbose_name_plural = _("billing emails")
        ordering = ("-sent_at",)

    def __str__(self) -> str:
        return self.key


class SubscriptionHistory(models.Model):
    """One change of a subscription's status, plan or period, written by the one sync."""

    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="history",
    )
    at = models.DateTimeField(_("at"), db_index=True)
    stripe_event_id = models.CharField(_("Stripe event id"), max_length=100, blank=True)
    type = models.CharField(
        _("cause"),
        max_length=100,
        help_text=_("The Stripe event type, or what else ran the sync (reconcile, return page)."),
    )
    old_status = models.CharField(_("old status"), max_length=20, blank=True)
    new_status = models.CharField(_("new status"), max_length=20)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("subscription history entry")
        verbose_name_plural = _("subscription history")
        ordering = ("-at", "-pk")
        indexes = [models.Index(fields=["subscription", "at"])]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.old_status or '∅'} → {self.new_status}"
