"""The paywall's rows: its settings, complimentary access, company licences, gift links, meter.

The tables keep the names they had under ``subscriptions`` (``db_table``): the models moved
between apps, the data did not (see the migrations ``subscriptions 0004`` and ``paywall 0001``).
Articles are referred to by the "magazine.Article" relation only: the paywall imports nothing
from the magazine, which depends on it.
"""

from __future__ import annotations

import ipaddress
from datetime import date, datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import normalise_cidr, normalise_domain, validate_cidr, validate_domain
from paywall.querysets import OrganisationDomainQuerySet, OrganisationQuerySet

# Its own salt: a token signed for anything else (sessions, unsubscribe links) is no gift.
GIFT_LINK_SALT = "kiosque.subscriptions.gift-link"
GIFT_QUERY_PARAMETER = "cadeau"
# Bumped whenever an organisation, its IP ranges or its dates change: the reading site keeps
# the list of licensed ranges in memory and reloads it when this value moves.
LICENCE_RANGES_VERSION_KEY = "kiosque:paywall:licence-ranges-version"


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

    class Meta:
        db_table = "subscriptions_paywallsettings"
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

    class Meta:
        db_table = "subscriptions_complimentaryaccess"
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
        db_table = "subscriptions_organisation"
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
        db_table = "subscriptions_organisationdomain"
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
        db_table = "subscriptions_organisationiprange"
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
        db_table = "subscriptions_seat"
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
        db_table = "subscriptions_giftlink"
        verbose_name = _("gift link")
        verbose_name_plural = _("gift links")
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["sender", "created_at"])]

    def __str__(self) -> str:
        return f"{self.article} ← {self.sender}"

    @property
    def token(self) -> str:
        return signing.dumps({"g": self.pk, "a": self.article_id}, salt=GIFT_LINK_SALT)


def month_start(now: datetime) -> date:
    """First day of ``now``'s calendar month in the magazine's time zone (a meter's month)."""
    return timezone.localtime(now, timezone.get_default_timezone()).date().replace(day=1)


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Where ``now``'s month (meter, gift quota) starts and the next one starts."""
    first = month_start(now)
    following = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_default_timezone()
    return (
        datetime(first.year, first.month, 1, tzinfo=tz),
        datetime(following.year, following.month, 1, tzinfo=tz),
    )


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
        db_table = "subscriptions_meterperiod"
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
        db_table = "subscriptions_meterread"
        verbose_name = _("metered read")
        verbose_name_plural = _("metered reads")
        ordering = ("read_at",)
        constraints = [
            models.UniqueConstraint(fields=["period", "article"], name="unique_meter_read")
        ]

    def __str__(self) -> str:
        return f"{self.period} — {self.article_id}"
