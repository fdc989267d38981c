"""Events: forums, master classes and evenings, their seats, registrations and waiting lists."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.site import site_url
from events.querysets import (
    EventQuerySet,
    RegistrationQuerySet,
    WaitlistEntryQuerySet,
)
from magazine.images import validate_image_upload

# No 0/O, 1/I/L: the code is read aloud and typed by hand at the check-in desk.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8


def reference_generate() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def token_generate() -> str:
    return secrets.token_urlsafe(24)


def event_upload_to(instance: models.Model, filename: str) -> str:
    return f"events/{timezone.now():%Y/%m}/{filename}"


def speaker_upload_to(instance: models.Model, filename: str) -> str:
    return f"speakers/{filename}"


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=150)
    address = models.CharField(_("street address"), max_length=250)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country code"), max_length=2, default="FR")
    access_notes = models.TextField(
        _("access notes"), blank=True, help_text=_("Transport, parking, entrance, accessibility.")
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"

    @property
    def full_address(self) -> str:
        return ", ".join(
            part for part in (self.address, f"{self.postal_code} {self.city}".strip()) if part
        )

    @property
    def map_url(self) -> str:
        """OpenStreetMap centred on the venue (or a search for its address)."""
        if self.latitude is not None and self.longitude is not None:
            return (
                f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
                f"#map=17/{self.latitude}/{self.longitude}"
            )
        return "https://www.openstreetmap.org/search?" + urlencode(
            {"query": f"{self.name}, {self.full_address}"}
        )


class Speaker(models.Model):
    """Someone on stage; reused from one event to the next."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    role = models.CharField(_("role"), max_length=150, blank=True)
    company = models.CharField(_("company"), max_length=150, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    photo = models.ImageField(
        _("photo"), upload_to=speaker_upload_to, blank=True, validators=[validate_image_upload]
    )

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:speaker", kwargs={"slug": self.slug})

    @property
    def affiliation(self) -> str:
        return ", ".join(part for part in (self.role, self.company) if part)


class Event(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    edition = models.CharField(
        _("edition"), max_length=60, blank=True, help_text=_("For example “13th edition”.")
    )
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(
        _("image"), upload_to=event_upload_to, blank=True, validators=[validate_image_upload]
    )
    image_alt = models.CharField(_("image alternative text"), max_length=250, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="events"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    is_published = models.BooleanField(_("published on the site"), default=False)
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    refund_days_before = models.PositiveSmallIntegerField(
        _("refund until (days before the start)"),
        null=True,
        blank=True,
        help_text=_(
            "Paid tickets cancelled by the attendee are refunded up to this many days before "
            "the event. Empty: no refund. Cancelled events are always refunded."
        ),
    )
    organiser_email = models.EmailField(_("organiser's email"), blank=True)
    announced_in = models.ManyToManyField(
        "magazine.Article",
        verbose_name=_("announced in articles"),
        blank=True,
        related_name="announced_events",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects: ClassVar[EventQuerySet] = EventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ("starts_at",)

    def __str__(self) -> str:
        return f"{self.name} — {self.edition}" if self.edition else self.name

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The event must end after it starts.")})
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            raise ValidationError(
                {"registration_closes_at": _("Registration must close after it opens.")}
            )

    @property
    def title(self) -> str:
        return str(self)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def is_past(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or timezone.now())

    def registration_is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.SCHEDULED
            and self.registration_opens_at <= now < self.registration_closes_at
            and now < self.starts_at
        )

    def refund_deadline(self) -> datetime | None:
        if self.refund_days_before is None:
            return None
        return self.starts_at - timedelta(days=self.refund_days_before)

    @property
    def google_calendar_url(self) -> str:
        def stamp(value: datetime) -> str:
            return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

        params = {
            "action": "TEMPLATE",
            "text": str(self),
            "dates": f"{stamp(self.starts_at)}/{stamp(self.ends_at)}",
            "details": f"{self.summary}\n{site_url()}{self.get_absolute_url()}",
            "location": f"{self.venue.name}, {self.venue.full_address}",
            "ctz": settings.TIME_ZONE,
        }
        return "https://calendar.google.com/calendar/render?" + urlencode(params, quote_via=quote)


class Session(models.Model):
    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Plenary")
        MASTERCLASS = "masterclass", _("Master class")
        EVENING = "evening", _("Evening")
        WORKSHOP = "workshop", _("Workshop")
        BREAK = "break", _("Break")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PLENARY)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100, blank=True)
    track = models.CharField(_("track"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Seats in the room, shared by every ticket type for this session."),
    )
    speakers = models.ManyToManyField(
        Speaker, verbose_name=_("speakers"), blank=True, related_name="sessions"
    )
    writeup_article = models.ForeignKey(
        "magazine.Article",
        verbose_name=_("write-up article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_sessions",
        help_text=_("The magazine's report of this session, once published."),
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ("starts_at", "track", "title")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The session must end after it starts.")})


class TicketType(models.Model):
    class Access(models.TextChoices):
        OPEN = "open", _("Open to all")
        APPROVAL = "approval", _("On approval by the organisers")
        INVITATION = "invitation", _("By invitation code only")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="ticket_types"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ticket_types",
        help_text=_("A ticket for one session takes a seat in that session's room as well."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Seats for this ticket type; empty means limited only by the session."),
    )
    price_cents = models.PositiveIntegerField(_("price (cents)"), default=0)
    subscriber_price_cents = models.PositiveIntegerField(
        _("subscriber price (cents)"), null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="eur")
    subscriber_opens_at = models.DateTimeField(
        _("subscribers may book from"),
        null=True,
        blank=True,
        help_text=_("Early booking for subscribers, before registration opens to everyone."),
    )
    access = models.CharField(
        _("access"), max_length=10, choices=Access.choices, default=Access.OPEN
    )
    is_active = models.BooleanField(_("on sale"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return f"{self.event.name} — {self.name}"

    def clean(self) -> None:
        if self.session is not None and self.event_id and self.session.event_id != self.event_id:
            raise ValidationError({"session": _("The session belongs to another event.")})
        if self.capacity is None and (self.session is None or self.session.capacity is None):
            raise ValidationError(
                {"capacity": _("Give this ticket type a capacity, or its session one.")}
            )

    def price_for(self, *, subscriber: bool) -> int:
        if subscriber and self.subscriber_price_cents is not None:
            return min(self.subscriber_price_cents, self.price_cents)
        return self.price_cents

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0


class Question(models.Model):
    """A custom question on an event's registration form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHOICE = "choice", _("Choice")
        CHECKBOX = "checkbox", _("Checkbox")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="questions"
    )
    label = models.CharField(_("question"), max_length=250)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice question: one answer per line.")
    )
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.kind == self.Kind.CHOICE and len(self.choice_list) < 2:
            raise ValidationError({"choices": _("A choice question needs at least two answers.")})

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class DiscountCode(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="discount_codes"
    )
    code = models.CharField(_("code"), max_length=40)
    percent_off = models.PositiveSmallIntegerField(
        _("percent off"), default=0, validators=[MaxValueValidator(100)]
    )
    unlocks_invitation = models.BooleanField(
        _("invitation code"),
        default=False,
        help_text=_("Opens the ticket types that are by invitation only."),
    )
    ticket_types = models.ManyToManyField(
        TicketType,
        verbose_name=_("ticket types"),
        blank=True,
        help_text=_("Empty: every ticket type of the event."),
    )
    max_uses = models.PositiveIntegerField(
        _("maximum uses"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("discount code")
        verbose_name_plural = _("discount codes")
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="events_discount_code_unique")
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # Codes are typed by people: compare them in one canonical case.
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Hold expired")
        REJECTED = "rejected", _("Rejected")

    ACTIVE_STATUSES = (Status.PENDING_APPROVAL, Status.PENDING_PAYMENT, Status.CONFIRMED)

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=reference_generate, editable=False
    )
    token = models.CharField(max_length=64, unique=True, default=token_generate, editable=False)
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="registrations"
    )
    ticket_type = models.ForeignKey(
        TicketType,
        verbose_name=_("ticket type"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    company = models.CharField(_("company"), max_length=150, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    price_cents = models.PositiveIntegerField(_("price paid (cents)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="eur")
    discount_code = models.ForeignKey(
        DiscountCode,
        verbose_name=_("discount code"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    is_subscriber = models.BooleanField(_("subscriber at registration"), default=False)
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    stripe_checkout_session_id = models.CharField(
        max_length=255, null=True, blank=True, unique=True, editable=False
    )
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, editable=False)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    refunded_cents = models.PositiveIntegerField(_("refunded (cents)"), default=0)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    stripe_refund_id = models.CharField(max_length=255, blank=True, editable=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_week_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_day_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects: ClassVar[RegistrationQuerySet] = RegistrationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=["ticket_type", "status"]),
            models.Index(fields=["event", "status"]),
        ]
        constraints = [
            # The service checks this under the seat lock; the index is the last line of defence.
            models.UniqueConstraint(
                fields=["ticket_type", "email"],
                condition=Q(status__in=["pending_approval", "pending_payment", "confirmed"]),
                name="events_one_active_registration_per_ticket",
            )
        ]
        permissions = [("checkin_registration", _("Can check attendees in"))]

    def __str__(self) -> str:
        return f"{self.reference} — {self.full_name}"

    def get_absolute_url(self) -> str:
        return reverse("events:ticket", kwargs={"token": self.token})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    def attendee_may_cancel(self, now: datetime | None = None) -> bool:
        """Self-service cancellation: closed once checked in or once the event has started."""
        return (
            self.is_active
            and self.checked_in_at is None
            and (now or timezone.now()) < self.event.starts_at
        )

    def holds_seat(self, now: datetime | None = None) -> bool:
        if self.status == self.Status.CONFIRMED:
            return True
        return (
            self.status == self.Status.PENDING_PAYMENT
            and self.hold_expires_at is not None
            and self.hold_expires_at > (now or timezone.now())
        )


class RegistrationLog(models.Model):
    """The audit trail: one row for every change to a registration (no personal data)."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="log_entries",
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("registration log entry")
        verbose_name_plural = _("registration log")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class WaitlistEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Seat offered")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Offer lapsed")
        LEFT = "left", _("Left the list")

    token = models.CharField(max_length=64, unique=True, default=token_generate, editable=False)
    ticket_type = models.ForeignKey(
        TicketType,
        verbose_name=_("ticket type"),
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_waitlist_entries",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    priority = models.SmallIntegerField(
        _("priority"), default=0, help_text=_("Higher goes first; then the earliest sign-up.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    offer_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("joined at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects: ClassVar[WaitlistEntryQuerySet] = WaitlistEntryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list")
        ordering = ("-priority", "created_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_type", "email"],
                condition=Q(status__in=["waiting", "offered"]),
                name="events_one_waitlist_entry_per_ticket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("events:waitlist_entry", kwargs={"token": self.token})

    def offer_is_live(self, now: datetime | None = None) -> bool:
        return (
            self.status == self.Status.OFFERED
            and self.offer_expires_at is not None
            and self.offer_expires_at > (now or timezone.now())
        )


class EventMessage(models.Model):
    """A message from the organisers to an event's attendees or its waiting list."""

    class Audience(models.TextChoices):
        ATTENDEES = "attendees", _("Confirmed attendees")
        WAITLIST = "waitlist", _("Waiting list")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="messages"
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.ATTENDEES
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    recipients_count = models.PositiveIntegerField(_("recipients"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message to attendees")
        verbose_name_plural = _("messages to attendees")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.subject
