"""A Celery worker dies mid-email, or the broker is down at enqueue: no email is lost or doubled.

Real parts: Celery worker and beat processes on Redis (database 10 of the shared Redis unless
KIOSQUE_OUTBOX_REDIS_URL says otherwise), PostgreSQL shared with the workers (committed rows:
transaction=True), and an aiosmtpd server that records what it accepted and can stall on a
message, holding the sending worker mid-DATA until it is killed. The owed emails live in
core.outbox; the sweeper that hands them on is run by beat every OUTBOX_SWEEP_INTERVAL_S, never
by the test (except to show it has nothing left to do).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.urls import reverse

from core import outbox
from core.models import OutboxTask
from events.models import Registration
from subscriptions.models import BillingEmail, Subscription
from tests.events.helpers import register
from tests.factories import EventFactory, TicketTypeFactory
from tests.real_services import (
    ROOT,
    RecordingHandler,
    Workers,
    reset_producers,
    wait_for,
    worker_env,
)
from tests.subscriptions.stripe_fixtures import signed_post, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

REDIS_URL = os.environ.get("KIOSQUE_OUTBOX_REDIS_URL", "redis://127.0.0.1:6379/10")
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens there: Redis is "down"
SWEEP_INTERVAL_S = 1
# Short, so the test waits little for a dead worker's lease to end; tests where the worker is
# alive set a long one, so that no lease can run out under it.
LEASE_SECONDS = 2
LONG_LEASE_SECONDS = 600


class StallingHandler(RecordingHandler):
    """Records what it accepts; ``stall_next`` makes it hold the next message without answering."""

    def __init__(self) -> None:
        super().__init__()
        self.stall_next = False
        self.stalled = threading.Event()  # a sender is waiting for our answer to its DATA
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.stall_next:
            self.stall_next = False
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)

    def recipients(self) -> list[str]:
        with self.lock:
            return [str(message["To"]) for message in self.messages]


class OutboxWorkers(Workers):
    """Worker and beat processes, logging to test-artifacts/outbox-<test>-<n>-<kind>.log."""

    def __init__(self, env: dict[str, str], tag: str) -> None:
        super().__init__(env)
        self.tag = tag

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        path = ROOT / "test-artifacts" / f"outbox-{self.tag}-{len(self.processes)}-{name}.log"
        log = open(path, "wb")  # noqa: SIM115
        self.logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def start(self, concurrency: int = 1) -> subprocess.Popen[bytes]:
        return self._spawn(
            "worker",
            [
                "worker", "--pool=prefork", f"-c{concurrency}", "-l", "info", "--without-gossip",
                "--without-mingle", "--without-heartbeat",
                "-n", f"outbox{len(self.processes)}-{os.getpid()}@%h",
            ],
        )  # fmt: skip

    def start_beat(self, schedule: Path) -> subprocess.Popen[bytes]:
        return self._spawn("beat", ["beat", "-l", "info", "--schedule", str(schedule)])

    def sweeps_run(self) -> int:
        """Sweeps the workers finished having published nothing (from their JSON log lines)."""
        count = 0
        for log in self.logs:
            log.flush()
            for line in Path(log.name).read_text(errors="replace").splitlines():
                try:
                    data = json.loads(line).get("data") or {}
                except ValueError:
                    continue  # the worker's banner
                if data.get("name") == "core.tasks.outbox_sweep" and "return_value" in data:
                    assert data.get("return_value") == "0", line
                    count += 1
        return count


@dataclass
class Stack:
    workers: OutboxWorkers
    smtp: StallingHandler
    app: Any
    beat_schedule: Path

    def broker_down(self) -> None:
        self.app.conf.broker_url = CLOSED_PORT_BROKER
        reset_producers(self.app)

    def broker_back(self) -> None:
        self.app.conf.broker_url = REDIS_URL
        reset_producers(self.app)

    def start_sweeping(self) -> subprocess.Popen[bytes]:
        return self.workers.start_beat(self.beat_schedule)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def stack(transactional_db, settings, tmp_path, request) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    import redis

    from config.celery import app

    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    handler = StallingHandler()
    smtp_port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    env = worker_env(
        redis_url=REDIS_URL,
        smtp_port=smtp_port,
        OUTBOX_SWEEP_INTERVAL_S=str(SWEEP_INTERVAL_S),
        OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
        LOG_FORMAT="json",
    )
    # This process owes the tasks: the grace before the sweeper takes them is its setting.
    settings.OUTBOX_SWEEP_INTERVAL_S = SWEEP_INTERVAL_S
    settings.OUTBOX_LEASE_SECONDS = LEASE_SECONDS
    settings.SITE_URL = "https://testserver"
    previous = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    app.conf.task_always_eager = False
    app.conf.broker_url = REDIS_URL
    reset_producers(app)
    workers = OutboxWorkers(env, tag=request.node.name.removeprefix("test_")[:40])
    try:
        yield Stack(workers, handler, app, tmp_path / "beat-schedule")
    finally:
        handler.release.set()  # a held send ends, so the workers' warm shutdown can finish
        try:
            workers.stop_all()
        finally:
            app.conf.update(previous)
            reset_producers(app)
            controller.stop()
            broker.flushdb()


@pytest.fixture
def ticket(transactional_db):  # type: ignore[no-untyped-def]
    event = EventFactory(name="ECTFF", slug="ectff-13", edition="13e édition")
    return TicketTypeFactory(event=event, name="Entrée forum", capacity=100)


def _nothing_owed() -> bool:
    return not OutboxTask.objects.exists()


def test_worker_killed_mid_ticket_leaves_it_to_the_next_worker_which_sends_it_once(
    stack: Stack, ticket
) -> None:
    workers, smtp = stack.workers, stack.smtp
    smtp.stall_next = True
    first = workers.start()

    registration = register(ticket, "camille@example.com").registration
    wait_for(smtp.stalled.is_set)  # the worker is in the middle of sending the ticket
    owed = OutboxTask.objects.get()
    assert owed.task == "events.tasks.registration_confirmation_send"
    assert owed.claimed_until is not None and owed.attempts == 1
    workers.kill(first)  # SIGKILL to the whole process group, mid-DATA

    assert smtp.count() == 0
    registration.refresh_from_db()
    assert registration.confirmation_sent_at is None  # claimed, never marked sent
    assert OutboxTask.objects.get().claimed_until is not None  # still held by the dead worker

    second = workers.start()
    stack.start_sweeping()
    wait_for(lambda: smtp.count() >= 1 and _nothing_owed())
    workers.terminate(second)  # warm shutdown: anything in flight arrives before we count

    assert smtp.recipients() == ["camille@example.com"]
    (message,) = smtp.messages
    assert registration.reference in message.get_body(preferencelist=("plain",)).get_content()
    registration.refresh_from_db()
    assert registration.confirmation_sent_at is not None
    assert outbox.sweep() == 0  # nothing claimed, nothing left over


def test_sweeping_during_a_live_lease_sends_nothing_twice(stack: Stack, ticket) -> None:
    workers, smtp = stack.workers, stack.smtp
    workers.env["OUTBOX_LEASE_SECONDS"] = str(LONG_LEASE_SECONDS)
    smtp.stall_next = True
    workers.start(concurrency=2)  # an idle process is there to take anything published again

    register(ticket, "camille@example.com")
    wait_for(smtp.stalled.is_set)
    assert outbox.sweep() == 0
    assert outbox.sweep() == 0
    stack.start_sweeping()  # beat's sweeps too, every second, while the send is held
    wait_for(lambda: workers.sweeps_run() >= 2)
    smtp.release.set()

    wait_for(_nothing_owed)
    assert smtp.recipients() == ["camille@example.com"]
    assert outbox.sweep() == 0


def test_registration_with_the_broker_down_succeeds_and_the_ticket_follows_it(
    stack: Stack, ticket, caplog
) -> None:
    workers, smtp = stack.workers, stack.smtp
    stack.broker_down()
    url = reverse("events:register", args=[ticket.event.slug, ticket.pk])

    with caplog.at_level(logging.WARNING, logger="core.outbox"):
        response = Client().post(
            url,
            {"first_name": "Léa", "last_name": "Bernard", "email": "lea@example.com",
             "consent": "on"},
        )  # fmt: skip

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == registration.get_absolute_url()
    assert registration.status == Registration.Status.CONFIRMED
    assert "owed task(s) left to the sweeper" in caplog.text
    assert OutboxTask.objects.get().task == "events.tasks.registration_confirmation_send"

    stack.broker_back()  # Redis is back; the worker and beat come up with it
    workers.start()
    stack.start_sweeping()
    wait_for(lambda: smtp.count() >= 1 and _nothing_owed())

    assert smtp.recipients() == ["lea@example.com"]
    registration.refresh_from_db()
    assert registration.confirmation_sent_at is not None


def test_billing_webhook_with_the_broker_down_succeeds_and_the_email_follows_it(
    stack: Stack, stripe_sim, reader, weekly_plan, caplog
) -> None:
    workers, smtp = stack.workers, stack.smtp
    stripe_sim.auto_deliver = False
    reader_client = Client()
    reader_client.force_login(reader)
    subscribe(reader_client, stripe_sim, weekly_plan)
    created = next(
        event
        for event in stripe_sim.pending_events()
        if event["type"] == "customer.subscription.created"
    )
    stack.broker_down()

    with caplog.at_level(logging.WARNING, logger="core.outbox"):
        response = signed_post(Client(), created)

    assert response.status_code == 200
    assert Subscription.objects.get(user=reader).status == "active"
    assert "owed task(s) left to the sweeper" in caplog.text
    owed = OutboxTask.objects.get()
    assert owed.task == "subscriptions.tasks.send_billing_email"
    assert not BillingEmail.objects.exists()

    stack.broker_back()
    workers.start()
    stack.start_sweeping()
    wait_for(lambda: smtp.count() >= 1 and _nothing_owed())

    assert smtp.recipients() == [reader.email]
    assert BillingEmail.objects.get(user=reader).kind == "welcome"
