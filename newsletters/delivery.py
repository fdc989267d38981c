"""The delivery engine: create rows in bulk, claim chunks, send, mark, sweep.

- ``deliveries_create`` copies the audience into ``Delivery`` rows with one INSERT … SELECT
  (ON CONFLICT DO NOTHING: running it twice adds nobody twice); suppressed addresses are marked
  on the way in.
- ``chunk_send`` claims up to a chunk of due rows (SELECT … FOR UPDATE SKIP LOCKED, then marked
  'sending' with claimed_at/claimed_by in the same transaction), so any number of workers on any
  number of machines share a campaign without sending a row twice. It builds each message from
  the campaign prepared once per process, sends over one connection, and marks each row as soon
  as the server accepted it: a worker killed mid-chunk leaves at most the message in flight on
  its connection sent-but-unmarked. Between batches it re-reads the pause flag and the
  suppression list, so a pause or an unsubscribe takes effect at once.
- ``deliveries_sweep`` returns rows a dead worker left in 'sending' after the lease, quarantines
  rows that already had three attempts, and re-enqueues work and finishes campaigns.
"""

from __future__ import annotations

import html
import logging
import os
import re
import smtplib
import socket
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from newsletters import ratelimit, rendering
from newsletters.mime import NewsletterMessage
from newsletters.models import Campaign, Delivery, Subscriber, Suppression
from newsletters.segments import rule_q
from subscriptions.paywall import article_access

if TYPE_CHECKING:
    from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
BATCH = 25  # rows between two looks at the pause flag and the suppression list


class PermanentFailure(Exception):
    pass


class TransientFailure(Exception):
    pass


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def audience(campaign: Campaign) -> Any:
    """Confirmed subscribers of the campaign's newsletter matching its segment: one query."""
    rule = campaign.segment.rule if campaign.segment_id else None  # type: ignore[union-attr]
    return (
        Subscriber.objects.confirmed()
        .filter(newsletter_id=campaign.newsletter_id)
        .filter(rule_q(rule))
    )


def deliveries_create(campaign: Campaign) -> int:
    """Copy the audience into delivery rows inside the database; return how many there are."""
    source = audience(campaign).values_list("email", "user_id")
    select_sql, select_params = source.query.sql_with_params()
    suppression = Suppression._meta.db_table
    delivery = Delivery._meta.db_table
    now = timezone.now()
    # A CTE names the audience's columns: SQLite has no column list on a derived table's alias
    # ("AS audience (email, user_id)"), PostgreSQL and SQLite both take one on a CTE. The WHERE
    # keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    sql = (
        f"WITH audience (email, user_id) AS ({select_sql}) "  # noqa: S608 - table names from models
        f"INSERT INTO {delivery} (campaign_id, email, user_id, status, attempts, claimed_by, "
        "last_error, created_at) "
        "SELECT %s, audience.email, audience.user_id, "
        f"CASE WHEN EXISTS (SELECT 1 FROM {suppression} s WHERE s.email = audience.email "
        "AND (s.newsletter_id IS NULL OR s.newsletter_id = %s)) "
        "THEN 'suppressed' ELSE 'queued' END, "
        "0, '', '', %s "
        "FROM audience WHERE true "
        "ON CONFLICT (campaign_id, email) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*select_params, campaign.pk, campaign.newsletter_id, now])
    return Delivery.objects.filter(campaign=campaign).count()


# --- prepared messages, kept per worker process ---------------------------------------------

_PREPARED: OrderedDict[tuple[int, datetime], rendering.PreparedCampaign] = OrderedDict()
_PREPARED_KEEP = 4


def prepared_for(campaign: Campaign) -> rendering.PreparedCampaign:
    key = (campaign.pk, campaign.updated_at)
    found = _PREPARED.get(key)
    if found is None:
        found = rendering.prepare(campaign)
        _PREPARED[key] = found
        while len(_PREPARED) > _PREPARED_KEEP:
            _PREPARED.popitem(last=False)
    return found


def build_message(
    prepared: rendering.PreparedCampaign,
    variant: rendering.Variant,
    *,
    email: str,
    delivery_id: int,
    connection: Any = None,
    subject_prefix: str = "",
) -> NewsletterMessage:
    body_html, text, url = prepared.personalise(variant, email)
    message = NewsletterMessage(
        subject=f"{subject_prefix}{prepared.subject}",
        body=text,
        from_email=prepared.from_email,
        to=[email],
        connection=connection,
        headers={
            "Message-ID": prepared.message_id(delivery_id),
            "List-Id": prepared.list_id,
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
        },
    )
    message.attach_alternative(body_html, "text/html")
    if not subject_prefix:
        # The same HTML escaping as personalise(): the skeleton holds the pre-rendered parts.
        message.skeleton = variant.skeleton
        message.substitutions = (
            (rendering.UNSUBSCRIBE_MARK.encode(), url.encode(), html.escape(url).encode()),
            (rendering.EMAIL_MARK.encode(), email.encode(), html.escape(email).encode()),
        )
    return message


def entitled_articles(
    prepared: rendering.PreparedCampaign, user: Any, now: datetime
) -> frozenset[int]:
    """The gated digest articles the paywall opens for this recipient (never the meter)."""
    if not prepared.gated_articles or user is None:
        return frozenset()
    return frozenset(
        article.pk
        for article in prepared.gated_articles
        if article_access(article=article, user=user, consume_meter=False, now=now).allowed
    )


def classify(exc: BaseException) -> type[Exception]:
    """SMTP 5xx is permanent; 4xx, dropped connections and provider hiccups are transient."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return (
            PermanentFailure if codes and all(code >= 500 for code in codes) else TransientFailure
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return PermanentFailure if exc.smtp_code >= 500 else TransientFailure
    try:
        from anymail.exceptions import AnymailRecipientsRefused

        if isinstance(exc, AnymailRecipientsRefused):
            return PermanentFailure
    except ImportError:  # pragma: no cover - anymail is a dependency
        pass
    return TransientFailure


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.NEWSLETTER_RETRY_BACKOFF_S * (2 ** max(attempts - 1, 0)))


@dataclass
class ChunkResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    suppressed: int = 0
    deferred: int = 0
    released: int = 0
    stopped: str = ""


def claim(
    campaign_id: int, *, worker: str, size: int, now: datetime
) -> list[tuple[int, str, int | None, int]]:
    """Take up to ``size`` due rows for this worker; rows locked by others are skipped."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.claimable(campaign_id, now)
            .select_for_update(skip_locked=True)
            .order_by("id")
            .values_list("id", flat=True)[:size]
        )
        if not ids:
            return []
        Delivery.objects.filter(id__in=ids).update(
            status=Delivery.Status.SENDING,
            claimed_at=now,
            claimed_by=worker,
            attempts=F("attempts") + 1,
        )
        return list(
            Delivery.objects.filter(id__in=ids)
            .order_by("id")
            .values_list("id", "email", "user_id", "attempts")
        )


def _release(ids: list[int], worker: str, status: str) -> int:
    """Give back claimed rows that were never tried (pause: queued again; cancel: cancelled)."""
    if not ids:
        return 0
    return Delivery.objects.filter(
        id__in=ids, status=Delivery.Status.SENDING, claimed_by=worker
    ).update(status=status, attempts=F("attempts") - 1, claimed_at=None, claimed_by="")


def _mark(delivery_id: int, worker: str, **fields: Any) -> None:
    # Only the claimant may mark its row: after a lease expiry the sweeper may have handed it on.
    Delivery.objects.filter(
        pk=delivery_id, claimed_by=worker, status=Delivery.Status.SENDING
    ).update(**fields)


_SENT_SQL = (
    f"UPDATE {Delivery._meta.db_table} SET status = 'sent', sent_at = %s, "  # noqa: S608
    "claimed_by = '' WHERE id = %s AND claimed_by = %s AND status = 'sending'"
)


class _Marks:
    """Marks each sent row on one cursor, as soon as the server has accepted its message.

    Each mark is its own committed UPDATE, so a worker killed mid-chunk still leaves at most the
    message in flight on its connection sent-but-unmarked. Those commits do not wait for the WAL
    to reach the disk (synchronous_commit off): surviving the worker's death needs the commit,
    not the fsync, and waiting for one fsync per message was most of a message's time. The last
    mark of every batch commits synchronously, which makes every earlier mark durable too, so
    only a crash of PostgreSQL itself can lose marks, at most one batch's per connection.
    """

    def __init__(self, worker: str) -> None:
        self.worker = worker
        # Inside an outer transaction (tests) nothing commits here anyway.
        self.relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.sql = _SENT_SQL
        if self.relaxed:
            # psycopg's own cursor on Django's connection: parameters bound by the server and
            # the statement prepared once, instead of being quoted into new SQL text that the
            # server parses and plans again for every message.
            import psycopg

            connection.ensure_connection()
            self.cursor: Any = psycopg.Cursor(connection.connection)
            self.cursor.execute("SET synchronous_commit = off")
            self.prepare: bool | None = True
        else:
            self.cursor = connection.cursor()
            self.prepare = None

    def _execute(self, params: list[Any]) -> None:
        if self.prepare is None:
            self.cursor.execute(self.sql, params)
        else:
            self.cursor.execute(self.sql, params, prepare=self.prepare)

    def sent(self, delivery_id: int, now: datetime, *, durable: bool = False) -> None:
        if durable and self.relaxed:
            self.cursor.execute("SET synchronous_commit = on")
            self._execute([now, delivery_id, self.worker])
            self.cursor.execute("SET synchronous_commit = off")
            return
        self._execute([now, delivery_id, self.worker])

    def close(self) -> None:
        try:
            if self.relaxed and connection.is_usable():
                self.cursor.execute("RESET synchronous_commit")
        finally:
            self.cursor.close()


def _mark_sent(delivery_id: int, worker: str, now: datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_SENT_SQL, [now, delivery_id, worker])


# Addresses that go into SMTP commands as they are (sanitize_address and smtplib's quoteaddr
# return them unchanged); no leading dot, so a substituted address never starts a line with one.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-][A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]*@[A-Za-z0-9.-]+"
)


def _rset(client: smtplib.SMTP) -> None:
    # sendmail() resets with the private SMTP._rset(), which also tolerates a server that has
    # already hung up; typeshed leaves it out, hence the typed lookup.
    reset: Callable[[], object] = getattr(client, "_rset")  # noqa: B009
    reset()


def _refused(client: smtplib.SMTP, code: int) -> None:
    """After a refusal: a server that is leaving (421) is closed, otherwise the envelope reset."""
    if code == 421:
        client.close()
    else:
        _rset(client)


def _smtp_transaction(client: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
    """smtplib's sendmail() for one plain recipient and already dot-stuffed bytes.

    The same commands, bytes on the wire and exceptions as sendmail(), without its regex over
    the whole message and its two address parses, which were a large share of a message's CPU.
    With a server that offers PIPELINING (RFC 2920; every MTA and provider relay does), MAIL,
    RCPT and DATA leave together: two round trips a message instead of four.
    """
    client.ehlo_or_helo_if_needed()
    size = f" size={len(data)}" if client.does_esmtp and client.has_extn("size") else ""
    if client.does_esmtp and client.has_extn("pipelining"):
        client.send(f"MAIL FROM:<{sender}>{size}\r\nRCPT TO:<{recipient}>\r\nDATA\r\n")
        # Every reply of the group is read, whatever the first ones said.
        (mail, mail_reply), (rcpt, rcpt_reply), (start, start_reply) = (
            client.getreply(),
            client.getreply(),
            client.getreply(),
        )
        if start == 354 and (mail != 250 or rcpt not in (250, 251)):
            # A server that opened DATA despite a refusal gets an empty message, then a reset.
            client.send(b".\r\n")
            client.getreply()
        if mail != 250:
            _refused(client, mail)
            raise smtplib.SMTPSenderRefused(mail, mail_reply, sender)
        if rcpt not in (250, 251):
            _refused(client, rcpt)
            raise smtplib.SMTPRecipientsRefused({recipient: (rcpt, rcpt_reply)})
        if start != 354:
            _refused(client, start)
            raise smtplib.SMTPDataError(start, start_reply)
    else:
        code, reply = client.docmd("mail", f"FROM:<{sender}>{size}")
        if code != 250:
            _refused(client, code)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = client.docmd("rcpt", f"TO:<{recipient}>")
        if code not in (250, 251):
            _refused(client, code)
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        code, reply = client.docmd("data")
        if code != 354:
            _refused(client, code)
            raise smtplib.SMTPDataError(code, reply)
    client.send(data + b".\r\n")
    code, reply = client.getreply()
    if code != 250:
        _refused(client, code)
        raise smtplib.SMTPDataError(code, reply)


class _Sender:
    """Django's email backend, plus a direct path for its SMTP backend.

    With the SMTP backend, a message that the skeleton can build goes out as bytes through the
    backend's own smtplib connection: what Django would send, without building an EmailMessage
    and parsing both addresses again for every recipient. Any other backend (ESPs, locmem in
    tests) or an unusual message takes Django's path.
    """

    def __init__(self, prepared: rendering.PreparedCampaign) -> None:
        from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

        self.prepared = prepared
        self.backend = get_connection(fail_silently=False)
        self.direct = type(self.backend) is SmtpBackend
        self.envelope_from = ""
        if self.direct:
            address = smtplib.quoteaddr(
                sanitize_address(prepared.from_email, settings.DEFAULT_CHARSET)
            )
            self.direct = address.isascii() and bool(_PLAIN_ADDRESS.fullmatch(address[1:-1]))
            self.envelope_from = address[1:-1]

    def open(self) -> None:
        self.backend.open()

    def close(self) -> None:
        self.backend.close()

    def reopen(self) -> None:
        self.backend.close()
        self.backend = get_connection(fail_silently=False)
        self.backend.open()

    def send(self, variant: rendering.Variant, *, email: str, delivery_id: int) -> None:
        prepared = self.prepared
        skeleton = variant.skeleton
        # self.direct is only ever true for Django's SMTP backend, which holds the connection.
        client = cast("SmtpBackend", self.backend).connection if self.direct else None
        if (
            client is not None
            and skeleton is not None
            and skeleton.usable
            and _PLAIN_ADDRESS.fullmatch(email)
        ):
            url = prepared.unsubscribe_url(email)
            data = skeleton.assemble(
                to=email,
                message_id=prepared.message_id(delivery_id),
                unsubscribe_url=f"<{url}>",
                substitutions=_substitutions(url, email),
                for_smtp_data=True,
            )
            _smtp_transaction(client, self.envelope_from, email, data)
            return
        message = build_message(prepared, variant, email=email, delivery_id=delivery_id)
        self.backend.send_messages([message])


def _substitutions(url: str, email: str) -> tuple[tuple[bytes, bytes, bytes], ...]:
    # The same HTML escaping as PreparedCampaign.personalise().
    return (
        (rendering.UNSUBSCRIBE_MARK.encode(), url.encode(), html.escape(url).encode()),
        (rendering.EMAIL_MARK.encode(), email.encode(), html.escape(email).encode()),
    )


def chunk_send(campaign_id: int, *, chunk_size: int | None = None) -> ChunkResult:
    """Claim one chunk of the campaign's due rows and send them (safe to run anywhere, twice)."""
    result = ChunkResult()
    campaign = Campaign.objects.select_related("newsletter").filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Campaign.Status.SENDING:
        result.stopped = "not sending"
        return result
    worker = worker_id()
    rows = claim(
        campaign_id,
        worker=worker,
        size=chunk_size or settings.NEWSLETTER_CHUNK_SIZE,
        now=timezone.now(),
    )
    result.claimed = len(rows)
    if not rows:
        return result
    prepared = prepared_for(campaign)
    users = _users([user_id for _id, _email, user_id, _a in rows if user_id], prepared)
    sender = _Sender(prepared)
    marks = _Marks(worker)
    try:
        sender.open()
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            status = (
                Campaign.objects.filter(pk=campaign_id).values_list("status", flat=True).first()
            )
            if status != Campaign.Status.SENDING:
                remaining = [row[0] for row in rows[start:]]
                target = (
                    Delivery.Status.QUEUED
                    if status == Campaign.Status.PAUSED
                    else Delivery.Status.CANCELLED
                )
                result.released += _release(remaining, worker, target)
                result.stopped = status or "deleted"
                return result
            suppressed = set(
                Suppression.objects.blocking(campaign.newsletter_id)
                .filter(email__in=[email for _id, email, _u, _a in batch])
                .values_list("email", flat=True)
            )
            try:
                ratelimit.acquire(len(batch) - len([1 for row in batch if row[1] in suppressed]))
            except ratelimit.LimiterUnavailable as exc:
                # Unsent rows go back to the queue, attempts untouched (a row held until its
                # lease expired would use one up); the sweeper enqueues them again.
                logger.warning("newsletter rate limiter unavailable, chunk released: %s", exc)
                remaining = [row[0] for row in rows[start:]]
                result.released += _release(remaining, worker, Delivery.Status.QUEUED)
                result.stopped = "rate limiter unavailable"
                return result
            last = len(batch) - 1
            for position, (delivery_id, email, user_id, attempts) in enumerate(batch):
                if email in suppressed:
                    _mark(delivery_id, worker, status=Delivery.Status.SUPPRESSED, claimed_by="")
                    result.suppressed += 1
                    continue
                _send_one(
                    sender, marks, prepared, users, result, worker,
                    delivery_id=delivery_id, email=email, user_id=user_id, attempts=attempts,
                    durable=position == last,
                )  # fmt: skip
    finally:
        try:
            marks.close()
        finally:
            sender.close()
    return result


def _users(user_ids: list[int], prepared: rendering.PreparedCampaign) -> dict[int, Any]:
    if not user_ids or not prepared.gated_articles:
        return {}
    return get_user_model().objects.in_bulk(user_ids)


def _send_one(
    sender: _Sender,
    marks: _Marks,
    prepared: rendering.PreparedCampaign,
    users: dict[int, Any],
    result: ChunkResult,
    worker: str,
    *,
    delivery_id: int,
    email: str,
    user_id: int | None,
    attempts: int,
    durable: bool,
) -> None:
    now = timezone.now()
    entitled = entitled_articles(prepared, users.get(user_id) if user_id else None, now)
    try:
        sender.send(prepared.variant(entitled), email=email, delivery_id=delivery_id)
    except Exception as exc:
        kind = classify(exc)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if kind is PermanentFailure:
            _mark(
                delivery_id, worker, status=Delivery.Status.FAILED, last_error=error, claimed_by=""
            )
            result.failed += 1
        elif attempts >= MAX_ATTEMPTS:
            _mark(
                delivery_id, worker, status=Delivery.Status.QUARANTINED, last_error=error,
                claimed_by="",
            )  # fmt: skip
            result.failed += 1
        else:
            _mark(
                delivery_id, worker, status=Delivery.Status.QUEUED, last_error=error,
                claimed_at=None, claimed_by="", next_attempt_at=now + backoff(attempts),
            )  # fmt: skip
            result.deferred += 1
        logger.warning("newsletter delivery %s to %s failed: %s", delivery_id, email, error)
        if not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPResponseException):
            # The connection may be dead: start the next message on a fresh one.
            sender.reopen()
        return
    marks.sent(delivery_id, timezone.now(), durable=durable)
    result.sent += 1


def deliveries_sweep(*, lease: timedelta, now: datetime | None = None) -> dict[str, int]:
    """Hand back rows whose worker died; quarantine rows that used up their attempts."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - lease)
    quarantined = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Delivery.Status.QUARANTINED,
        last_error="worker lost the row three times (lease expired)",
        claimed_by="",
    )
    returned = stale.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=Delivery.Status.QUEUED, claimed_at=None, claimed_by=""
    )
    return {"returned": returned, "quarantined": quarantined}


def campaign_finish_if_done(campaign_id: int) -> bool:
    """Mark a sending campaign sent once no row is queued or being sent."""
    if Delivery.objects.filter(campaign_id=campaign_id).pending().exists():
        return False
    return bool(
        Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING).update(
            status=Campaign.Status.SENT, finished_at=timezone.now()
        )
    )
