"""Plans, subscriptions and every other ground the paywall (subscriptions.paywall) reads."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from subscriptions.querysets import (
    ComplimentaryAccessQuerySet,
    OrganisationDomainQuerySet,
    OrganisationQuerySet,
    PlanQuerySet,
    SubscriptionQuerySet,
)

# The headline offer under every article promises "less than €3 a week".
WEEKLY_HEADLINE_LIMIT_CENTS = 300

# A licence on a webmail domain would hand a seat to anyone with a free address.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "outlook.fr", "hotmail.com", "hotmail.fr",
        "live.com", "live.fr", "msn.com", "yahoo.com", "yahoo.fr", "icloud.com", "me.com",
        "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "laposte.net", "gmx.fr", "gmx.com",
        "protonmail.com", "proton.me", "aol.com",
    }
)  # fmt: skip
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def normalise_domain(value: str) -> str:
    """Lower-case, IDNA-encoded form of ``value``; raises ValidationError when it is no domain."""
    domain = (value or "").strip().lower().rstrip(".")
    if "@" in domain:
        raise ValidationError(
            _("Enter a domain such as “acme.fr”, not an email address."), code="email"
        )
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid domain name."), code="invalid", params={"value": value}
        ) from exc
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise ValidationError(
            _("“%(value)s” is not a valid domain name (expected something like “acme.fr”)."),
            code="invalid",
            params={"value": value},
        )
    if labels[-1].isdigit():
        raise ValidationError(
            _("“%(value)s” looks like an IP address: add it as an IP range instead."),
            code="ip",
            params={"value": value},
        )
    if domain in PUBLIC_EMAIL_DOMAINS:
        raise ValidationError(
            _("“%(value)s” is a public email provider: anyone could claim a seat with it."),
            code="public",
            params={"value": value},
        )
    return domain


def normalise_cidr(value: str) -> str:
    """Canonical form of an IPv4/IPv6 address or range; raises ValidationError otherwise."""
    text = (value or "").strip()
    try:
        return str(ipaddress.ip_network(text, strict=True))
    except ValueError as exc:
        try:
            suggestion = str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValidationError(
                _(
                    "“%(value)s” is not an IP address or range: use the CIDR notation, "
                    "e.g. 192.0.2.0/24 or 2001:db8::/32."
                ),
                code="invalid",
                params={"value": value},
            ) from exc
        raise ValidationError(
            _("“%(value)s” has host bits set: did you mean %(suggestion)s?"),
            code="host_bits",
            params={"value": value, "suggestion": suggestion},
        ) from exc


def validate_domain(value: str) -> None:
    normalise_domain(value)


def validate_cidr(value: str) -> None:
    normalise_cidr(value)


class PaywallSettings(models.Model):
    """The paywall's knobs, one row edited in the admin."""

    meter_limit = models.PositiveSmallIntegerField(
        _("free subscriber articles per month"),
        default=3,
        help_text=_("Registered readers without a subscription; 0 turns the meter off."),
    )
    gifts_per_month = models.PositiveSmallIntegerField(
        _("gift links per subscriber per month"), default=5
    )
    gift_link_days = models.PositiveSmallIntegerField(
        _("gift link validity (days)"), default=30, validators=[MinValueValidator(1)]
    )
    past_due_grace_days = models.PositiveSmallIntegerField(
        _("grace period after a failed payment (days)"), default=7
    )

    class Meta:
        verbose_name = _("paywall settings")
        verbose_name_plural = _("paywall settings")

    def __str__(self) -> str:
        return str(_("Paywall settings"))

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1  # a singleton: whatever the admin posts edits the one row
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def load(cls) -> PaywallSettings:
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


class ComplimentaryAccess(models.Model):
    """Full access offered by staff (a speaker, a partner, a journalist) until an end date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="complimentary_accesses",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200)
    offered_by = models.CharField(
        _("offered by (shown to the reader)"),
        max_length=120,
        blank=True,
        help_text=_("Leave empty to show the magazine's name: “Offered by …”."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects: ClassVar[ComplimentaryAccessQuerySet] = ComplimentaryAccessQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("complimentary access")
        verbose_name_plural = _("complimentary accesses")
        ordering = ("-starts_at",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="complimentary_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.reason}"

    @property
    def offered_by_label(self) -> str:
        return self.offered_by or settings.SITE_NAME

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {"ends_at": _("The end must come after the start.")}, code="ends_before_start"
            )


class Organisation(models.Model):
    """A company licence: seats for members on verified domains, plus optional IP ranges."""

    name = models.CharField(_("name"), max_length=150)
    seats = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until (inclusive)"))
    admin_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("admin contact"),
        on_delete=models.PROTECT,
        related_name="administered_organisations",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects: ClassVar[OrganisationQuerySet] = OrganisationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": _("The licence cannot end before it starts.")}, code="ends_before"
            )


class OrganisationDomain(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="domains",
    )
    domain = models.CharField(
        _("verified email domain"),
        max_length=253,
        unique=True,
        validators=[validate_domain],
        help_text=_("Readers with a verified address on this domain (or a subdomain) take a seat."),
    )

    objects: ClassVar[OrganisationDomainQuerySet] = OrganisationDomainQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("email domain")
        verbose_name_plural = _("email domains")
        ordering = ("domain",)

    def __str__(self) -> str:
        return self.domain

    def clean(self) -> None:
        super().clean()
        if self.domain:
            try:
                self.domain = normalise_domain(self.domain)
            except ValidationError as exc:
                raise ValidationError({"domain": exc.messages}) from exc


class OrganisationIPRange(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="ip_ranges",
    )
    cidr = models.CharField(
        _("IP range"),
        max_length=49,
        validators=[validate_cidr],
        help_text=_("CIDR notation, e.g. 192.0.2.0/24 or 2001:db8::/32; a single address works."),
    )

    class Meta:
        verbose_name = _("IP range")
        verbose_name_plural = _("IP ranges")
        ordering = ("cidr",)
        constraints = [
            models.UniqueConstraint(fields=["organisation", "cidr"], name="unique_org_ip_range")
        ]

    def __str__(self) -> str:
        return self.cidr

    def clean(self) -> None:
        super().clean()
        if self.cidr:
            try:
                self.cidr = normalise_cidr(self.cidr)
            except ValidationError as exc:
                raise ValidationError({"cidr": exc.messages}) from exc

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(self.cidr, strict=False)


class Seat(models.Model):
    """A member holding one of an organisation's seats (taken on first use)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="seat_set",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="licence_seats",
    )
    claimed_at = models.DateTimeField(_("taken at"), auto_now_add=True)

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ("claimed_at",)
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="unique_seat_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.user}"


class GiftLink(models.Model):
    """One article shared by a subscriber; the signed token in the link points here."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        on_delete=models.CASCADE,
        related_name="gift_links",
    )
    article = models.ForeignKey(
        "magazine.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="gift_links",
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("gift link")
        verbose_name_plural = _("gift links")
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["sender", "created_at"])]

    def __str__(self) -> str:
        return f"{self.article} ← {self.sender}"

    @property
    def token(self) -> str:
        from subscriptions.services import gift_token_for

        return gift_token_for(self)


class MeterPeriod(models.Model):
    """A reader's meter for one calendar month; its row is the lock that serialises reads."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="meter_periods",
    )
    month = models.DateField(_("month"), help_text=_("First day of the month (Europe/Paris)."))
    reads_count = models.PositiveSmallIntegerField(_("articles read"), default=0)

    class Meta:
        verbose_name = _("monthly meter")
        verbose_name_plural = _("monthly meters")
        ordering = ("-month",)
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="unique_meter_per_user_month")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.month:%Y-%m}"


class MeterRead(models.Model):
    period = models.ForeignKey(
        MeterPeriod, verbose_name=_("month"), on_delete=models.CASCADE, related_name="reads"
    )
    article = models.ForeignKey(
        "magazine.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("metered read")
        verbose_name_plural = _("metered reads")
        ordering = ("read_at",)
        constraints = [
            models.UniqueConstraint(fields=["period", "article"], name="unique_meter_read")
        ]

    def __str__(self) -> str:
        return f"{self.period} — {self.article_id}"


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
        from subscriptions.paywall import format_price

        return format_price(self.amount_paid, self.currency)

    @property
    def amount_due_display(self) -> str:
        from subscriptions.paywall import format_price

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
