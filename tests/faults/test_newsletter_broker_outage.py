"""Redis, the Celery broker, dies in mid-campaign: sending waits, then resumes by itself.

Real parts: a private redis-server (broker, cache and worker heartbeats, on a free port: the
shared Redis is never touched), a Celery worker and Celery beat on it, PostgreSQL, an aiosmtpd
server counting what arrives per recipient. Redis is killed with SIGKILL once part of the
campaign went out, and restarted on the same port with nothing in it (no persistence): every
queued chunk task is gone. Only the database knows what is left; the sweeper, which beat runs
every NEWSLETTER_SWEEP_INTERVAL_S, must find the stalled campaign and enqueue it again. The test
never calls the sweeper itself.
"""

from __future__ import annotations

import asyncio
import random
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction

from newsletters import delivery, ratelimit, services
from newsletters.models import Campaign, Delivery, Newsletter, Subscriber
from newsletters.selectors import campaign_progress
from tests.real_services import (
    ROOT,
    RecordingHandler,
    Workers,
    reset_producers,
    wait_for,
    worker_env,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

SUBSCRIBERS = 500
CHUNK_SIZE = 10
SWEEP_INTERVAL_S = 2
# Longer than a worker needs for one chunk of CHUNK_SIZE messages, with a wide margin: a lease
# that expires under a live worker would hand its rows to a second one (a duplicate).
LEASE_SECONDS = 30
RECOVERY_DEADLINE_S = 90


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_for_restarts() -> int:
    """A free port below the kernel's ephemeral range, for a server that stops and starts again.

    While Redis is down, clients keep connecting to its port; an ephemeral port could meanwhile
    become the local end of some connection (even a TCP self-connect of those very retries),
    and the restarted redis-server could not bind it.
    """
    ranges = Path("/proc/sys/net/ipv4/ip_local_port_range")
    first_ephemeral = int(ranges.read_text().split()[0]) if ranges.exists() else 32768
    for port in random.sample(range(10000, first_ephemeral), 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


@dataclass
class PrivateRedis:
    """A throwaway redis-server on its own port, keeping nothing on disk."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None
    logs: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = open(self.workdir / f"redis-{len(self.logs)}.log", "wb")  # noqa: SIM115
        self.logs.append(log)
        self.process = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", str(self.workdir),
            ],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_for(self._answers, timeout=20, interval=0.05)

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            log = self.workdir / f"redis-{len(self.logs) - 1}.log"
            raise AssertionError(f"redis-server exited: {log.read_text(errors='replace')[-1000:]}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown, no save; whatever was queued in it is lost."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for log in self.logs:
            log.close()


class SlowRecordingHandler(RecordingHandler):
    """A provider that takes a few milliseconds per message, so the kill lands mid-campaign."""

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.005)
        return await super().handle_DATA(server, session, envelope)

    def recipients(self) -> Counter[str]:
        with self.lock:
            return Counter(str(message["To"]) for message in self.messages)


@dataclass
class Stack:
    redis: PrivateRedis
    workers: Workers
    smtp: SlowRecordingHandler


@pytest.fixture
def broker_stack(settings, tmp_path) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """A private Redis as broker, an SMTP server, and the environment of worker and beat."""
    from config.celery import app

    redis = PrivateRedis(port=_port_for_restarts(), workdir=tmp_path)
    handler = SlowRecordingHandler()
    smtp_port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    env = worker_env(
        redis_url=redis.url,
        smtp_port=smtp_port,
        NEWSLETTER_CHUNK_SIZE=str(CHUNK_SIZE),
        NEWSLETTER_LEASE_SECONDS=str(LEASE_SECONDS),
        NEWSLETTER_SWEEP_INTERVAL_S=str(SWEEP_INTERVAL_S),
        NEWSLETTER_RETRY_BACKOFF_S="1",
        NEWSLETTER_RATE_LIMIT_PER_S="0",  # the default: no shared limiter
    )
    settings.SITE_URL = "https://testserver"
    previous = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    app.conf.task_always_eager = False
    app.conf.broker_url = redis.url
    reset_producers(app)
    workers = Workers(env)
    try:
        redis.start()
        yield Stack(redis=redis, workers=workers, smtp=handler)
    finally:
        try:
            workers.stop_all()
        finally:
            app.conf.update(previous)
            reset_producers(app)
            controller.stop()
            redis.stop()


def _newsletter_with(count: int) -> Newsletter:
    newsletter = Newsletter.objects.create(name="La lettre hebdo", slug="hebdo")
    Subscriber.objects.bulk_create(
        Subscriber(newsletter=newsletter, email=f"lecteur{n:05d}@example.com", status="subscribed")
        for n in range(count)
    )
    return newsletter


def _report(campaign: Campaign, workers: Workers) -> str:
    """The campaign's counts and the end of the worker's and beat's logs, for a failure."""
    progress = campaign_progress(Campaign.objects.get(pk=campaign.pk))
    tails = [
        f"--- {log.name}\n{Path(log.name).read_text(errors='replace')[-2000:]}"
        for log in workers.logs
    ]
    return "\n".join([str(progress), *tails])


def test_campaign_resumes_by_itself_after_redis_dies_with_nobody_lost_or_sent_twice(
    broker_stack: Stack, tmp_path: Path
) -> None:
    redis, workers, smtp = broker_stack.redis, broker_stack.workers, broker_stack.smtp
    newsletter = _newsletter_with(SUBSCRIBERS)
    worker = workers.start(concurrency=2)
    beat = workers.start_beat(tmp_path / "beat-schedule")
    campaign = Campaign.objects.create(
        newsletter=newsletter, subject="La semaine de la relation client", body="<p>Bonjour.</p>"
    )
    with transaction.atomic():
        services.campaign_send_now(campaign=campaign)

    wait_for(lambda: smtp.count() >= 3 * CHUNK_SIZE, interval=0.01)
    redis.kill()
    assert smtp.count() < SUBSCRIBERS

    # Chunks already running finish (they need only PostgreSQL and SMTP); then nothing moves.
    wait_for(lambda: not Delivery.objects.filter(campaign=campaign, status="sending").exists())
    time.sleep(2 * SWEEP_INTERVAL_S)  # beat's sweeps fall due while Redis is away
    stalled = campaign_progress(Campaign.objects.get(pk=campaign.pk))
    assert stalled["status"] == "sending", _report(campaign, workers)
    # The outage really stranded part of the campaign.
    assert stalled["queued"] > 0, _report(campaign, workers)
    # Both wait for Redis; neither exits.
    assert worker.poll() is None and beat.poll() is None, _report(campaign, workers)

    redis.start()  # same port, empty: the queued chunk tasks are gone for good
    try:
        wait_for(
            lambda: Campaign.objects.get(pk=campaign.pk).status == "sent",
            timeout=RECOVERY_DEADLINE_S,
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{_report(campaign, workers)}") from None
    workers.terminate(worker)  # warm shutdown: anything still in flight arrives before we count

    recipients = smtp.recipients()
    expected = {f"lecteur{n:05d}@example.com" for n in range(SUBSCRIBERS)}
    report = _report(campaign, workers)
    assert set(recipients) == expected, report  # nobody lost
    assert [address for address, n in recipients.items() if n > 1] == [], report  # nobody twice
    progress = campaign_progress(Campaign.objects.get(pk=campaign.pk))
    assert progress["status"] == "sent"
    assert progress["sent"] == progress["total"] == SUBSCRIBERS
    assert progress["queued"] == progress["sending"] == 0
    assert not Delivery.objects.filter(campaign=campaign).exclude(claimed_by="").exists()


def test_chunk_gives_its_rows_back_unsent_while_the_rate_limiter_redis_is_down(
    settings, monkeypatch, tmp_path, mailoutbox
):  # type: ignore[no-untyped-def]
    redis = PrivateRedis(port=_port_for_restarts(), workdir=tmp_path)  # not started: Redis is down
    monkeypatch.setattr(ratelimit, "_clients", {})
    settings.NEWSLETTER_RATE_LIMIT_PER_S = 1000
    settings.NEWSLETTER_RATE_LIMIT_REDIS_URL = redis.url
    campaign = Campaign.objects.create(
        newsletter=_newsletter_with(30), subject="La semaine", status=Campaign.Status.SENDING
    )
    delivery.deliveries_create(campaign)

    down = delivery.chunk_send(campaign.pk, chunk_size=30)

    # Neither sent without the shared limit nor held until a lease expires: back in the queue,
    # with no attempt used up (three lost attempts would quarantine the row).
    assert (down.sent, down.released, down.stopped) == (0, 30, "rate limiter unavailable")
    assert mailoutbox == []
    assert set(
        Delivery.objects.filter(campaign=campaign).values_list("status", "attempts", "claimed_by")
    ) == {("queued", 0, "")}

    try:
        redis.start()
        up = delivery.chunk_send(campaign.pk, chunk_size=30)
    finally:
        redis.stop()
    assert up.sent == 30
    assert len({message.to[0] for message in mailoutbox}) == len(mailoutbox) == 30
