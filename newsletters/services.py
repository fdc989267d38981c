"""Newsletter workflows: subscribing (double opt-in), unsubscribing, suppressions, imports,
campaign sending controls. Each writes inside one transaction and enqueues after commit."""

from __future__ import annotations

import csv
import io
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnavailable

from core.site import site_url
from newsletters import rendering, tokens
from newsletters.models import (
    Campaign,
    ConsentRecord,
    Delivery,
    Newsletter,
    Subscriber,
    Suppression,
    normalise_email,
)

logger = logging.getLogger(__name__)

# Bump when the sentence readers agree to changes: each consent record keeps the version it saw.
CONSENT_WORDING_VERSION = "2025-10"


def consent_wording() -> str:
    return _(
        "I agree to receive the newsletters I ticked from %(site)s. I can unsubscribe at any "
        "time with the link in every email."
    ) % {"site": settings.SITE_NAME}


def _consent(
    *,
    newsletter: Newsletter,
    email: str,
    action: str,
    source: str,
    ip: str | None,
    now: datetime,
    wording_version: str = "",
    wording: str = "",
) -> ConsentRecord:
    return ConsentRecord.objects.create(
        newsletter=newsletter,
        email=email,
        action=action,
        source=source,
        ip_address=ip or None,
        wording_version=wording_version,
        wording=wording,
        created_at=now,
    )


@dataclass
class SubscribeOutcome:
    confirmation_sent: bool = False
    confirmed: list[Newsletter] = field(default_factory=list)
    pending: list[Newsletter] = field(default_factory=list)


def subscription_request(
    *,
    email: str,
    newsletters: Iterable[Newsletter],
    source: str,
    ip: str | None,
    user: Any = None,
    verified: bool = False,
    now: datetime | None = None,
) -> SubscribeOutcome:
    """A reader asks to receive ``newsletters``: record consent; confirm by email unless the
    address is already proven theirs (a verified address of a logged-in reader)."""
    now = now or timezone.now()
    email = normalise_email(email)
    validate_email(email)
    outcome = SubscribeOutcome()
    wording = consent_wording()
    with transaction.atomic():
        for newsletter in newsletters:
            subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
                newsletter=newsletter, email=email, defaults={"user": user}
            )
            if user is not None and subscriber.user_id is None:
                subscriber.user = user
            if subscriber.status == Subscriber.Status.SUBSCRIBED:
                subscriber.save(update_fields=["user"])
                outcome.confirmed.append(newsletter)
                continue
            _consent(
                newsletter=newsletter, email=email, action=ConsentRecord.Action.REQUESTED,
                source=source, ip=ip, now=now, wording_version=CONSENT_WORDING_VERSION,
                wording=wording,
            )  # fmt: skip
            if verified:
                _confirm(subscriber, source=source, ip=ip, now=now)
                outcome.confirmed.append(newsletter)
            else:
                subscriber.status = Subscriber.Status.PENDING
                subscriber.save(update_fields=["status", "user"])
                outcome.pending.append(newsletter)
        if outcome.pending:
            token = tokens.confirmation_token(email, [n.pk for n in outcome.pending])
            names = [n.name for n in outcome.pending]
            transaction.on_commit(lambda: _send_confirmation(email, token, names))
            outcome.confirmation_sent = True
    return outcome


def _send_confirmation(email: str, token: str, names: list[str]) -> None:
    path = reverse("newsletters:confirm", kwargs={"token": token})
    context = {
        "confirm_url": f"{site_url()}{path}",
        "newsletters": names,
        "site_name": settings.SITE_NAME,
        "days": settings.NEWSLETTER_CONFIRMATION_MAX_AGE_DAYS,
    }
    send_mail(
        subject=_("Confirm your subscription to %(site)s") % {"site": settings.SITE_NAME},
        message=render_to_string("emails/newsletters/confirm.txt", context),
        html_message=render_to_string("emails/newsletters/confirm.html", context),
        from_email=settings.NEWSLETTER_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )


def _confirm(subscriber: Subscriber, *, source: str, ip: str | None, now: datetime) -> None:
    subscriber.status = Subscriber.Status.SUBSCRIBED
    subscriber.confirmed_at = now
    subscriber.unsubscribed_at = None
    subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "user"])
    # A fresh, confirmed request overrides the reader's own earlier unsubscribe, never a bounce
    # or a complaint (those are about the address, not about the reader's wishes).
    Suppression.objects.filter(
        email=subscriber.email,
        newsletter=subscriber.newsletter,
        reason=Suppression.Reason.UNSUBSCRIBED,
    ).delete()
    _consent(
        newsletter=subscriber.newsletter, email=subscriber.email,
        action=ConsentRecord.Action.CONFIRMED, source=source, ip=ip, now=now,
        wording_version=CONSENT_WORDING_VERSION,
    )  # fmt: skip


def subscription_confirm(
    *, token: str, ip: str | None, now: datetime | None = None
) -> list[Newsletter]:
    """Confirm the subscriptions a double opt-in link names; raises tokens.InvalidToken."""
    now = now or timezone.now()
    email, newsletter_ids = tokens.read_confirmation_token(token)
    confirmed = []
    with transaction.atomic():
        for subscriber in (
            Subscriber.objects.select_for_update()
            .select_related("newsletter")
            .filter(email=email, newsletter_id__in=newsletter_ids)
        ):
            if subscriber.status == Subscriber.Status.PENDING:
                _confirm(subscriber, source=ConsentRecord.Source.EMAIL_LINK, ip=ip, now=now)
            if subscriber.status == Subscriber.Status.SUBSCRIBED:
                confirmed.append(subscriber.newsletter)
    return confirmed


def unsubscribe(
    *,
    email: str,
    newsletter: Newsletter,
    source: str,
    ip: str | None = None,
    now: datetime | None = None,
) -> None:
    """Stop ``newsletter`` for ``email`` at once, including messages already queued."""
    now = now or timezone.now()
    email = normalise_email(email)
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
            newsletter=newsletter, email=email, defaults={"status": Subscriber.Status.UNSUBSCRIBED}
        )
        if subscriber.status != Subscriber.Status.UNSUBSCRIBED or _created:
            subscriber.status = Subscriber.Status.UNSUBSCRIBED
            subscriber.unsubscribed_at = now
            subscriber.save(update_fields=["status", "unsubscribed_at"])
        Suppression.objects.get_or_create(
            email=email, newsletter=newsletter, defaults={"reason": Suppression.Reason.UNSUBSCRIBED}
        )
        _consent(
            newsletter=newsletter, email=email, action=ConsentRecord.Action.UNSUBSCRIBED,
            source=source, ip=ip, now=now,
        )  # fmt: skip


def unsubscribe_by_token(*, token: str, source: str, ip: str | None) -> Newsletter:
    """One-click unsubscribe; raises tokens.InvalidToken or Newsletter.DoesNotExist."""
    target = tokens.read_unsubscribe_token(token)
    newsletter = Newsletter.objects.get(pk=target.newsletter_id)
    unsubscribe(email=target.email, newsletter=newsletter, source=source, ip=ip)
    return newsletter


def suppression_add(*, email: str, reason: str, detail: str = "") -> Suppression:
    """Stop every newsletter to ``email`` (a hard bounce, a complaint, a staff decision)."""
    suppression, _created = Suppression.objects.get_or_create(
        email=normalise_email(email),
        newsletter=None,
        defaults={"reason": reason, "detail": detail[:2000]},
    )
    return suppression


TRACKING_REASONS = {
    "bounced": Suppression.Reason.HARD_BOUNCE,
    "complained": Suppression.Reason.COMPLAINT,
}


def tracking_event_record(*, event: Any) -> Suppression | None:
    """An ESP's report (anymail): hard bounces and complaints join the suppression list."""
    reason = TRACKING_REASONS.get(event.event_type)
    if reason is None or not event.recipient:
        return None
    detail = " ".join(str(part) for part in (event.description, event.mta_response) if part)
    return suppression_add(email=event.recipient, reason=reason, detail=detail)


# --- import and export --------------------------------------------------------------------------

IMPORT_COLUMNS = ("email",)
EXPORT_COLUMNS = (
    "email", "newsletter", "status", "confirmed_at", "unsubscribed_at", "suppressed",
    "consent_action", "consent_source", "consent_at", "consent_ip", "consent_wording_version",
)  # fmt: skip


@dataclass
class ImportReport:
    created: int = 0
    confirmed: int = 0
    already: int = 0
    kept_unsubscribed: int = 0
    suppressed: int = 0


def subscribers_import(
    *, newsletter: Newsletter, data: str, source_note: str = "", now: datetime | None = None
) -> ImportReport:
    """Import a CSV (email, optional consent_at, consent_ip). All rows are checked first: any
    error and nothing is imported. Never resubscribes an address that unsubscribed or is
    suppressed."""
    now = now or timezone.now()
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    if not reader.fieldnames or "email" not in [f.strip().lower() for f in reader.fieldnames]:
        raise ValidationError(_("The file needs a header row with an “email” column."))
    rows: dict[str, dict[str, Any]] = {}
    errors = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        email = normalise_email(row.get("email", ""))
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("Line %(line)d: “%(email)s” is not an email address.")
                % {"line": line, "email": email}
            )
            continue
        consent_at = now
        if row.get("consent_at"):
            parsed = parse_datetime(row["consent_at"])
            if parsed is None:
                errors.append(
                    _("Line %(line)d: “%(value)s” is not a date and time.")
                    % {"line": line, "value": row["consent_at"]}
                )
                continue
            consent_at = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        rows[email] = {"consent_at": consent_at, "ip": row.get("consent_ip") or None}
    if errors:
        raise ValidationError(errors)
    report = ImportReport()
    with transaction.atomic():
        existing = {
            s.email: s
            for s in Subscriber.objects.select_for_update().filter(
                newsletter=newsletter, email__in=list(rows)
            )
        }
        suppressed = set(
            Suppression.objects.blocking(newsletter.pk)
            .filter(email__in=list(rows))
            .values_list("email", flat=True)
        )
        for email, info in rows.items():
            subscriber = existing.get(email)
            if subscriber is not None and subscriber.status == Subscriber.Status.UNSUBSCRIBED:
                report.kept_unsubscribed += 1
                continue
            if email in suppressed:
                report.suppressed += 1
                continue
            if subscriber is not None and subscriber.status == Subscriber.Status.SUBSCRIBED:
                report.already += 1
                continue
            if subscriber is None:
                subscriber = Subscriber(newsletter=newsletter, email=email)
                report.created += 1
            else:
                report.confirmed += 1
            subscriber.status = Subscriber.Status.SUBSCRIBED
            subscriber.confirmed_at = info["consent_at"]
            subscriber.save()
            _consent(
                newsletter=newsletter, email=email, action=ConsentRecord.Action.IMPORTED,
                source=ConsentRecord.Source.IMPORT, ip=info["ip"], now=info["consent_at"],
                wording=source_note[:2000],
            )  # fmt: skip
    return report


def subscribers_export(subscribers: Any, out: Any) -> None:
    """Write subscribers as CSV with their latest consent record and suppression state."""
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for subscriber in (
        subscribers.select_related("newsletter")
        .order_by("newsletter_id", "email")
        .iterator(chunk_size=2000)
    ):
        consent = (
            ConsentRecord.objects.filter(
                newsletter_id=subscriber.newsletter_id, email=subscriber.email
            )
            .order_by("-created_at", "-id")
            .first()
        )
        suppressed = (
            Suppression.objects.blocking(subscriber.newsletter_id)
            .filter(email=subscriber.email)
            .exists()
        )
        writer.writerow(
            [
                subscriber.email, subscriber.newsletter.slug, subscriber.status,
                subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                subscriber.unsubscribed_at.isoformat() if subscriber.unsubscribed_at else "",
                "yes" if suppressed else "no",
                consent.action if consent else "", consent.source if consent else "",
                consent.created_at.isoformat() if consent else "",
                (consent.ip_address or "") if consent else "",
                consent.wording_version if consent else "",
            ]
        )  # fmt: skip


# --- campaigns ------------------------------------------------------------------------------


class CampaignStateError(Exception):
    pass


class CampaignStartError(CampaignStateError):
    """Sending could not start (only seen when tasks run in-process, as in `make run`)."""


class TaskFailed(Exception):
    """A task run in-process (no broker: the embedded mode) raised; the cause is chained."""


def _publish(task: Any, *args: Any, count: int = 1) -> None:
    """Send ``count`` messages for ``task``; a broker that is away is logged, never raised.

    The database holds the campaign's state: beat's start_due_campaigns and the sweeper find
    what a lost message would have started once the broker is back. Without a broker the task
    runs here and now: its own failure is logged as what it is and raised as TaskFailed.
    """
    for _i in range(count):
        try:
            task.delay(*args)
        except BrokerUnavailable as exc:
            logger.warning("Broker unavailable (%s): %s%r left to beat", exc, task.name, args)
            return
        except Exception as exc:
            logger.exception("Task %s%r failed in-process: %s", task.name, args, exc)
            raise TaskFailed(str(exc)) from exc


def _enqueue_chunks(campaign_id: int, count: int) -> None:
    from newsletters.tasks import campaign_send_chunk

    transaction.on_commit(lambda: _publish(campaign_send_chunk, campaign_id, count=count))


def _chunks_for(rows: int) -> int:
    return math.ceil(rows / settings.NEWSLETTER_CHUNK_SIZE) if rows else 0


def campaign_check(*, campaign: Campaign) -> None:
    """Raise ValidationError if the message cannot be sent (too heavy, for instance)."""
    try:
        rendering.prepare(campaign).check_size()
    except rendering.MessageTooLarge as exc:
        raise ValidationError(str(exc), code="too_large") from exc


def campaign_schedule(*, campaign: Campaign, at: datetime) -> Campaign:
    if not campaign.editable:
        raise CampaignStateError(_("Only a draft or scheduled campaign can be scheduled."))
    campaign_check(campaign=campaign)
    campaign.status = Campaign.Status.SCHEDULED
    campaign.scheduled_at = at
    campaign.save(update_fields=["status", "scheduled_at", "updated_at"])
    return campaign


def campaign_start(*, campaign_id: int, now: datetime | None = None) -> int:
    """Create the delivery rows and enqueue the chunk tasks; safe to call twice."""
    from newsletters.delivery import deliveries_create

    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED):
            return 0
        campaign.status = Campaign.Status.SENDING
        campaign.started_at = now
        campaign.total_recipients = deliveries_create(campaign)
        campaign.save(update_fields=["status", "started_at", "total_recipients", "updated_at"])
        queued = Delivery.objects.filter(campaign=campaign, status=Delivery.Status.QUEUED).count()
        _enqueue_chunks(campaign.pk, _chunks_for(queued))
        if not queued:
            transaction.on_commit(lambda: _finish(campaign.pk))
    return queued


def _finish(campaign_id: int) -> None:
    from newsletters.delivery import campaign_finish_if_done

    campaign_finish_if_done(campaign_id)


def campaign_send_now(*, campaign: Campaign) -> None:
    """Start sending after commit, in a worker (in-process without a broker)."""
    if not campaign.editable:
        raise CampaignStateError(_("This campaign has already been sent or started."))
    campaign_check(campaign=campaign)
    before = {"status": campaign.status, "scheduled_at": campaign.scheduled_at}
    # Scheduled for now, so that beat's start_due_campaigns starts it if the message is lost.
    campaign.status = Campaign.Status.SCHEDULED
    campaign.scheduled_at = timezone.now()
    campaign.save(update_fields=["status", "scheduled_at", "updated_at"])
    transaction.on_commit(partial(_start, campaign.pk, before))


def _start(campaign_id: int, before: dict[str, Any]) -> None:
    from newsletters.tasks import campaign_start_task

    try:
        _publish(campaign_start_task, campaign_id)
    except TaskFailed as exc:
        # An in-process start that failed left nothing behind (campaign_start is atomic), and
        # no beat will try again: the campaign goes back to what it was, and the caller says why.
        Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SCHEDULED).update(
            **before, updated_at=timezone.now()
        )
        raise CampaignStartError(_("Sending could not start: %(error)s") % {"error": exc}) from exc


def campaigns_start_due(*, now: datetime | None = None) -> list[int]:
    """Start every scheduled campaign whose time has come (Celery beat calls this)."""
    now = now or timezone.now()
    started = []
    for campaign_id in Campaign.objects.due(now).values_list("pk", flat=True):
        campaign_start(campaign_id=campaign_id, now=now)
        started.append(campaign_id)
    return started


def campaign_pause(*, campaign: Campaign) -> None:
    updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).update(
        status=Campaign.Status.PAUSED, updated_at=timezone.now()
    )
    if not updated:
        raise CampaignStateError(_("Only a campaign being sent can be paused."))


def campaign_resume(*, campaign: Campaign) -> None:
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.PAUSED).update(
            status=Campaign.Status.SENDING, updated_at=timezone.now()
        )
        if not updated:
            raise CampaignStateError(_("Only a paused campaign can be resumed."))
        queued = Delivery.objects.filter(campaign=campaign, status=Delivery.Status.QUEUED).count()
        _enqueue_chunks(campaign.pk, _chunks_for(queued))
        if not queued:
            transaction.on_commit(lambda: _finish(campaign.pk))


def campaign_cancel(*, campaign: Campaign) -> None:
    with transaction.atomic():
        updated = Campaign.objects.filter(
            pk=campaign.pk,
            status__in=(
                Campaign.Status.DRAFT,
                Campaign.Status.SCHEDULED,
                Campaign.Status.SENDING,
                Campaign.Status.PAUSED,
            ),
        ).update(
            status=Campaign.Status.CANCELLED, finished_at=timezone.now(), updated_at=timezone.now()
        )
        if not updated:
            raise CampaignStateError(_("This campaign can no longer be cancelled."))
        Delivery.objects.filter(campaign=campaign, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.CANCELLED
        )


def campaign_send_test(*, campaign: Campaign, user: Any) -> None:
    """Send the campaign to ``user`` alone, as the paywall would show it to them."""
    from django.core.mail import get_connection

    from newsletters.delivery import build_message, entitled_articles

    prepared = rendering.prepare(campaign)
    variant = prepared.variant(entitled_articles(prepared, user, timezone.now()))
    message = build_message(
        prepared, variant, email=user.email, delivery_id=0, connection=get_connection(),
        subject_prefix=_("[Test] "),
    )  # fmt: skip
    message.extra_headers["Message-ID"] = prepared.message_id(0).replace(
        "newsletter.", f"test.{timezone.now():%Y%m%d%H%M%S%f}."
    )
    message.send()


def campaign_resume_stalled(*, chunk_cap: int) -> int:
    """Enqueue chunk tasks for sending campaigns that have due rows (after a sweep or retry)."""
    now = timezone.now()
    enqueued = 0
    for campaign_id in Campaign.objects.filter(status=Campaign.Status.SENDING).values_list(
        "pk", flat=True
    ):
        due = Delivery.objects.claimable(campaign_id, now).count()
        if due:
            count = min(_chunks_for(due), chunk_cap)
            _enqueue_chunks(campaign_id, count)
            enqueued += count
        else:
            transaction.on_commit(partial(_finish, campaign_id))
    return enqueued
