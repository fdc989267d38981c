"""Billing emails are owed with the change that calls for them (core.outbox), sent once per key.

Tasks run in-process here; tests/faults/test_worker_killed.py has the broker down for real.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from core import outbox
from core.models import OutboxTask
from subscriptions import emails
from subscriptions.models import BillingEmail
from tests.subscriptions.stripe_fixtures import subscribe

pytestmark = pytest.mark.django_db

SEND = "subscriptions.tasks.send_billing_email"


def test_a_billing_email_is_owed_in_the_transaction_and_rolled_back_with_it(reader) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        emails.queue(kind="payment_failed", user=reader, key="payment_failed:in_1")
        assert OutboxTask.objects.filter(task=SEND).count() == 1
        raise RuntimeError("the webhook handler fails after queueing")

    assert not OutboxTask.objects.exists()


def test_a_key_already_sent_is_not_owed_again(
    reader, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        emails.queue(kind="payment_failed", user=reader, key="payment_failed:in_1")
    assert len(mailoutbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        emails.queue(kind="payment_failed", user=reader, key="payment_failed:in_1")

    assert len(mailoutbox) == 1
    assert not OutboxTask.objects.exists()
    assert BillingEmail.objects.get().key == "payment_failed:in_1"


def test_with_the_mail_server_down_the_welcome_waits_for_the_sweeper_and_goes_once(
    stripe_sim,
    reader_client,
    reader,
    weekly_plan,
    settings,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there

    with django_capture_on_commit_callbacks(execute=True):
        subscribe(reader_client, stripe_sim, weekly_plan)

    assert not BillingEmail.objects.exists()  # recorded only with a successful send
    (owed,) = OutboxTask.objects.filter(task=SEND)
    assert owed.attempts == 1 and owed.due_at is not None
    assert owed.kwargs["kind"] == "welcome" and owed.kwargs["user_id"] == reader.pk

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(owed.due_at + timedelta(seconds=1)):
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0

    (welcome,) = mailoutbox
    assert welcome.to == [reader.email]
    assert BillingEmail.objects.get(user=reader).kind == "welcome"
    assert not OutboxTask.objects.exists()
