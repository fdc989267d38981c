"""Newsletters: lists, readers' subscriptions and consent, suppressions, campaigns, deliveries.

PostgreSQL is the truth for delivery: one ``Delivery`` row per recipient and campaign, whose
status moves queued → sending → sent (or failed, suppressed, quarantined, cancelled). Workers
claim rows; nothing about the progress of a campaign lives only in a broker or in memory.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from magazine.sanitizer import BODY_EDITOR_EXTENSIONS, sanitize_html
from newsletters.querysets import (
    CampaignQuerySet,
    DeliveryQuerySet,
    SubscriberQuerySet,
    SuppressionQuerySet,
)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


class Newsletter(models.Model):
    """A list readers subscribe to: the weekly digest, event announcements, partner offers."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    public = models.BooleanField(
        _("offered on the site"),
        default=True,
        help_text=_("Readers may subscribe from the site, their account and the signup form."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ("position", "name")

    def __str__(self) -> str:
        return self.name


class Subscriber(models.Model):
    """One address's subscription to one newsletter (registered reader or not)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        SUBSCRIBED = "subscribed", _("subscribed")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")

    newsletter = models.ForeignKey(
        Newsletter,
        verbose_name=_("newsletter"),
        on_delete=models.CASCADE,
        related_name="subscribers",
    )
    email = models.EmailField(_("email address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_subscriptions",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    objects: ClassVar[SubscriberQuerySet] = SubscriberQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ("newsletter", "email")
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "email"], name="unique_subscriber")
        ]
        indexes = [models.Index(fields=["newsletter", "status"]), models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.email} — {self.newsletter}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ConsentRecord(models.Model):
    """Append-only proof of each choice a reader made: when, from where, under which wording."""

    class Action(models.TextChoices):
        REQUESTED = "requested", _("asked to subscribe")
        CONFIRMED = "confirmed", _("confirmed the subscription")
        IMPORTED = "imported", _("imported with prior consent")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")

    class Source(models.TextChoices):
        SITE_FORM = "site_form", _("subscription form")
        ACCOUNT = "account", _("account page")
        SIGNUP = "signup", _("signup form")
        EMAIL_LINK = "email_link", _("link in an email")
        ONE_CLICK = "one_click", _("one-click unsubscribe (mail client)")
        IMPORT = "import", _("CSV import")
        ADMIN = "admin", _("staff, in the admin")
        ESP = "esp", _("email provider report")

    newsletter = models.ForeignKey(
        Newsletter,
        verbose_name=_("newsletter"),
        on_delete=models.CASCADE,
        related_name="consent_records",
    )
    email = models.EmailField(_("email address"))
    action = models.CharField(_("action"), max_length=14, choices=Action.choices)
    source = models.CharField(_("form"), max_length=12, choices=Source.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    wording_version = models.CharField(_("wording version"), max_length=40, blank=True)
    wording = models.TextField(_("wording shown"), blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["newsletter", "email"])]

    def __str__(self) -> str:
        return f"{self.email} — {self.get_action_display()}"


class Suppression(models.Model):
    """An address that must not receive a newsletter (one, or all when ``newsletter`` is empty)."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        HARD_BOUNCE = "hard_bounce", _("hard bounce")
        COMPLAINT = "complaint", _("spam complaint")
        MANUAL = "manual", _("added by staff")

    email = models.EmailField(_("email address"))
    newsletter = models.ForeignKey(
        Newsletter,
        verbose_name=_("newsletter"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="suppressions",
        help_text=_("Empty: no newsletter at all is sent to this address."),
    )
    reason = models.CharField(_("reason"), max_length=14, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects: ClassVar[SuppressionQuerySet] = SuppressionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppression list")
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["email", "newsletter"],
                condition=models.Q(newsletter__isnull=False),
                name="unique_suppression_per_newsletter",
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(newsletter__isnull=True),
                name="unique_global_suppression",
            ),
        ]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.email} — {self.get_reason_display()}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Segment(models.Model):
    """A named audience rule: segments from the registry combined with all / any / not."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    rule = models.JSONField(
        _("rule"),
        default=dict,
        help_text=_(
            'For example {"all": [{"segment": "paying"}, {"not": {"segment": "licence_members"}}]}.'
            " Segments: see the list below the form."
        ),
    )

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from newsletters.segments import validate_rule

        super().clean()
        try:
            validate_rule(self.rule)
        except ValidationError as exc:
            raise ValidationError({"rule": exc.messages}) from exc


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        PAUSED = "paused", _("paused")
        SENT = "sent", _("sent")
        CANCELLED = "cancelled", _("cancelled")

    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("newsletter"), on_delete=models.PROTECT, related_name="campaigns"
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text=_("Empty: every confirmed subscriber of the newsletter."),
    )
    subject = models.CharField(_("subject"), max_length=150)
    preheader = models.CharField(
        _("preheader"),
        max_length=150,
        blank=True,
        help_text=_("The line mail clients show after the subject."),
    )
    body = ProseEditorField(
        _("body"),
        config={"extensions": BODY_EDITOR_EXTENSIONS},
        sanitize=sanitize_html,
        blank=True,
    )
    articles = models.ManyToManyField(
        "magazine.Article",
        verbose_name=_("digest articles"),
        through="CampaignArticle",
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total_recipients = models.PositiveIntegerField(_("recipients"), default=0)
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
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects: ClassVar[CampaignQuerySet] = CampaignQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.subject

    def save(self, *args: object, **kwargs: object) -> None:
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)


class CampaignArticle(models.Model):
    """An article chosen for a campaign's digest block, in the editor's order."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="digest_items"
    )
    article = models.ForeignKey(
        "magazine.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("digest article")
        verbose_name_plural = _("digest articles")
        ordering = ("position", "id")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "article"], name="unique_digest_article")
        ]

    def __str__(self) -> str:
        return str(self.article)


class Delivery(models.Model):
    """One recipient of one campaign: the row workers claim, send and mark."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SUPPRESSED = "suppressed", _("suppressed")
        QUARANTINED = "quarantined", _("quarantined")
        CANCELLED = "cancelled", _("cancelled")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="deliveries"
    )
    email = models.EmailField(_("email address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,  # written by INSERT … SELECT in bulk; a deleted reader is harmless
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=120, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects: ClassVar[DeliveryQuerySet] = DeliveryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="unique_delivery")
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "id"]),
            models.Index(fields=["campaign", "sent_at"]),
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(status="sending"),
                name="delivery_sending_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.campaign_id}"
