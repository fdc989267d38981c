"""Event emails are owed in the database (core.outbox): leases, the sweeper, retries, give-up.

Tasks run in-process here; tests/faults/test_worker_killed.py does the same with real workers
that die, and a broker that is down.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.models import OutboxTask
from events import services
from events.models import Registration, TicketType
from tests.events.helpers import register

pytestmark = pytest.mark.django_db

CONFIRMATION = "events.tasks.registration_confirmation_send"


@pytest.fixture
def mail_server_down(settings):  # type: ignore[no-untyped-def]
    """SMTP to a closed port: every send is refused, as with the mail server down."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    return settings


def _lost_message_registration(ticket: TicketType, email: str) -> Registration:
    """Register, but lose the message published after commit (as if the broker dropped it)."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=False):
        return register(ticket, email).registration


def test_the_ticket_is_owed_with_the_registration_and_rolled_back_with_it(
    free_ticket: TicketType,
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        register(free_ticket, "annule@example.com")
        assert OutboxTask.objects.filter(task=CONFIRMATION).count() == 1
        raise RuntimeError("the request fails after registering")

    assert not Registration.objects.exists()
    assert not OutboxTask.objects.exists()

    registration = _lost_message_registration(free_ticket, "garde@example.com")
    (owed,) = OutboxTask.objects.all()
    assert owed.kwargs == {"registration_id": registration.pk}
    assert owed.claimed_until is None and owed.attempts == 0


def test_the_ticket_is_marked_sent_only_once_the_mail_server_took_it(
    free_ticket: TicketType, mail_server_down, django_capture_on_commit_callbacks, caplog
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(free_ticket, "camille@example.com").registration

    registration.refresh_from_db()
    assert registration.confirmation_sent_at is None
    (owed,) = OutboxTask.objects.all()
    assert owed.attempts == 1 and owed.claimed_until is None
    assert "ConnectionRefusedError" in owed.last_error
    assert "failed, attempt 1" in caplog.text
    assert outbox.sweep() == 0  # not before its retry delay

    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(owed.due_at + timedelta(seconds=1)):
        assert outbox.sweep() == 1

    assert [m.to for m in mail.outbox] == [["camille@example.com"]]
    registration.refresh_from_db()
    assert registration.confirmation_sent_at is not None
    assert not OutboxTask.objects.exists()


def test_the_sweeper_leaves_a_task_alone_while_its_lease_lasts_then_sends_it_once(
    free_ticket: TicketType,
) -> None:
    registration = _lost_message_registration(free_ticket, "camille@example.com")
    owed = OutboxTask.objects.get()
    # A worker took it and is still sending it.
    lease_end = timezone.now() + outbox.lease()
    OutboxTask.objects.filter(pk=owed.pk).update(
        claimed_until=lease_end, due_at=lease_end, attempts=1
    )

    assert outbox.sweep() == 0
    assert outbox.sweep() == 0
    assert outbox.run(owed.pk) is False  # a second message for it finds it taken
    assert mail.outbox == []

    # The worker died: once the lease is over, the sweeper hands the task on, once.
    with time_machine.travel(lease_end + timedelta(seconds=1)):
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0
    assert [m.to for m in mail.outbox] == [[registration.email]]
    assert not OutboxTask.objects.exists()


def test_sweeping_twice_sends_a_lost_ticket_once(free_ticket: TicketType) -> None:
    registration = _lost_message_registration(free_ticket, "camille@example.com")

    assert outbox.sweep() == 0  # within the grace period its own message may still come
    with time_machine.travel(timezone.now() + outbox.grace() + timedelta(seconds=1)):
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0

    assert [m.to for m in mail.outbox] == [[registration.email]]
    registration.refresh_from_db()
    assert registration.confirmation_sent_at is not None


def test_a_task_that_keeps_failing_is_given_up_and_kept(
    free_ticket: TicketType, mail_server_down, django_capture_on_commit_callbacks, caplog
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        register(free_ticket, "camille@example.com")
    owed = OutboxTask.objects.get()
    attempts = [owed.attempts]
    while owed.due_at is not None:
        with time_machine.travel(owed.due_at + timedelta(seconds=1)):
            outbox.sweep()
        owed.refresh_from_db()
        attempts.append(owed.attempts)

    assert attempts == list(range(1, outbox.MAX_ATTEMPTS + 1))
    assert "ConnectionRefusedError" in owed.last_error
    assert any(
        record.levelno == logging.ERROR and "given up" in record.getMessage()
        for record in caplog.records
    )
    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert outbox.sweep() == 0
    assert mail.outbox == []


def test_a_task_whose_worker_died_on_its_last_attempt_is_given_up(
    free_ticket: TicketType,
) -> None:
    _lost_message_registration(free_ticket, "camille@example.com")
    lease_end = timezone.now() + outbox.lease()
    OutboxTask.objects.update(
        claimed_until=lease_end, due_at=lease_end, attempts=outbox.MAX_ATTEMPTS
    )

    with time_machine.travel(lease_end + timedelta(seconds=1)):
        assert outbox.sweep() == 0

    owed = OutboxTask.objects.get()
    assert owed.due_at is None and owed.claimed_until is None
    assert mail.outbox == []


def test_a_change_notice_is_owed_to_each_attendee_with_the_change(
    free_ticket: TicketType, django_capture_on_commit_callbacks
) -> None:
    _lost_message_registration(free_ticket, "a@example.com")
    _lost_message_registration(free_ticket, "b@example.com")
    OutboxTask.objects.all().delete()
    event = free_ticket.event

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event.starts_at += timedelta(days=1)
        event.save()
        assert services.event_change_notify(event=event, changes=["starts_at"]) == 2
        assert OutboxTask.objects.count() == 2

    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]
    assert not OutboxTask.objects.exists()


def test_reminders_are_owed_before_they_are_sent(free_ticket: TicketType, mail_server_down) -> None:
    registration = _lost_message_registration(free_ticket, "rappel@example.com")
    OutboxTask.objects.all().delete()

    with time_machine.travel(free_ticket.event.starts_at - timedelta(hours=20)):
        assert services.reminders_send() == {"week": 0, "day": 1}
        assert services.reminders_send() == {"week": 0, "day": 0}

    # The mail server refused it: the reminder is still owed, not lost with the claim.
    owed = OutboxTask.objects.get()
    assert owed.task == "events.tasks.registration_reminder_send"
    assert owed.kwargs == {"registration_id": registration.pk, "kind": "day"}
    assert owed.due_at is not None


@pytest.fixture
def broker_down():  # type: ignore[no-untyped-def]
    """Celery publishes to a closed port (nothing listens on 127.0.0.1:1): Redis is down."""
    from config.celery import app
    from tests.real_services import reset_producers

    previous = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    reset_producers(app)
    yield
    app.conf.update(previous)
    reset_producers(app)


def test_with_the_broker_down_the_change_is_saved_and_every_notice_stays_owed(
    free_ticket: TicketType, broker_down, django_capture_on_commit_callbacks, caplog
) -> None:
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        _lost_message_registration(free_ticket, email)
    OutboxTask.objects.all().delete()
    event = free_ticket.event

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event.starts_at += timedelta(days=1)
        event.save()
        services.event_change_notify(event=event, changes=["starts_at"])

    # One failed publish, not one per notice: the request is not held once per attendee.
    warnings = [r.getMessage() for r in caplog.records if "left to the sweeper" in r.getMessage()]
    assert len(warnings) == 1 and "3 owed task(s)" in warnings[0]
    assert OutboxTask.objects.filter(attempts=0, claimed_until__isnull=True).count() == 3
    assert mail.outbox == []
