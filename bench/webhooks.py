"""Signed Stripe webhooks per second through the real view into PostgreSQL under gunicorn.

The offline Stripe runs once, in this process, behind a small HTTP server (one event-loop
thread): every gunicorn worker reaches the same state through it, as they would reach Stripe,
and each event's handler re-reads its object there. N subscriptions are preloaded (checkout
paid with the test card, local rows synced); then customer.subscription.updated and
invoice.paid events for them, with 20 % duplicates mixed in, are sent over several keep-alive
connections by a separate process, so that the sender does not share this process's
interpreter lock.
"""

from __future__ import annotations

import asyncio
import http
import json
import multiprocessing
import os
import random
import selectors
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import ROOT, free_port, gunicorn, report, setup_django
from stripe_simulator.store import MemoryStore

WEBHOOK_SECRET = "whsec_bench_only"  # noqa: S105 - a benchmark's throwaway secret
SUBSCRIPTIONS = 50
DISTINCT_EVENTS = 8000
DUPLICATE_SHARE = 0.2
SENDER_CONNECTIONS = int(os.environ.get("BENCH_WEBHOOK_CONNECTIONS", "12"))
SEND_SECONDS_MAX = 30
WORKERS = int(os.environ.get("BENCH_WEBHOOK_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_WEBHOOK_THREADS", "4"))
SIMULATOR_URL_ENV = "KIOSQUE_BENCH_SIMULATOR_URL"
STATE_FILE = ROOT / "var" / "bench-stripe-simulator.json"


# --- in the gunicorn workers -----------------------------------------------------------------


class RemoteSimulator:
    """Stands in for the simulator inside a worker: forwards the SDK's calls over HTTP/1.1.

    One keep-alive socket per worker thread, and a reader for exactly what the bench's own
    server writes (status line, Content-Length, Request-Id): http.client, which parses headers
    with the email package, cost a worker about 150 µs of CPU per re-read, this about 45.
    """

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._local = threading.local()

    def _socket(self) -> socket.socket:
        sock = getattr(self._local, "socket", None)
        if sock is None:
            sock = socket.create_connection((self.host, self.port), timeout=30)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._local.socket = sock
        return sock

    def _close(self) -> None:
        sock = getattr(self._local, "socket", None)
        if sock is not None:
            sock.close()
        self._local.socket = None

    def handle(
        self, method: str, url: str, post_data: str | bytes | None
    ) -> tuple[str, int, dict[str, str]]:
        """The SDK's request, as is; the answer's status and body are Stripe's own."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = post_data.encode() if isinstance(post_data, str) else post_data or b""
        request = (
            f"{method.upper()} {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        for attempt in (1, 2):
            try:
                sock = self._socket()
                sock.sendall(request)
                return _read_answer(sock)
            except OSError:
                self._close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _read_answer(sock: socket.socket) -> tuple[str, int, dict[str, str]]:
    buffer = b""
    while (head_end := buffer.find(b"\r\n\r\n")) < 0:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("The simulator closed the connection.")
        buffer += chunk
    status_line, *lines = buffer[:head_end].decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    end = head_end + 4 + int(headers.get("content-length", "0"))
    while len(buffer) < end:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("The simulator closed the connection.")
        buffer += chunk
    status = int(status_line.split(" ", 2)[1])
    request_id = headers.get("request-id", "")
    return buffer[head_end + 4 : end].decode(), status, {"Request-Id": request_id}


_application: Any = None
_application_lock = threading.Lock()


def application(environ: dict[str, Any], start_response: Any) -> Any:
    """gunicorn's entry point: the site's WSGI app with Stripe answered by the bench process."""
    global _application
    if _application is None:
        with _application_lock:
            if _application is None:
                from django.conf import settings

                from config.wsgi import application as site
                from subscriptions import stripe_gateway

                # The site's settings refuse the simulator with DEBUG off; the benchmark wants
                # production settings everywhere except where Stripe lives.
                settings.STRIPE_SIMULATOR = True
                stripe_gateway.install_simulator(
                    RemoteSimulator(os.environ[SIMULATOR_URL_ENV])  # type: ignore[arg-type]
                )
                _application = site
    return _application(environ, start_response)


# --- in the benchmark process ------------------------------------------------------------------


class _SetupStore(MemoryStore):
    """The preload's requests never fail: no rollback copy of a state that grows with each."""

    def transaction(self, *, rollback: bool = True) -> Any:
        return super().transaction(rollback=False)


class _SimulatorProtocol(asyncio.Protocol):
    """One keep-alive connection from a worker thread: requests in, the simulator's answers out."""

    def __init__(self, simulator: Any) -> None:
        self.simulator = simulator
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (head_end := self.buffer.find(b"\r\n\r\n")) >= 0:
            request_line, *lines = self.buffer[:head_end].decode("latin-1").split("\r\n")
            length = 0
            for line in lines:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            body, self.buffer = self.buffer[head_end + 4 : end], self.buffer[end:]
            method, target, _version = request_line.split(" ", 2)
            text, status, headers = self.simulator.handle(
                method, f"https://api.stripe.com{target}", body.decode() if body else None
            )
            answer = text.encode()
            assert self.transport is not None
            self.transport.write(
                f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
                f"Content-Type: application/json\r\nRequest-Id: {headers.get('Request-Id', '')}"
                f"\r\nContent-Length: {len(answer)}\r\n\r\n".encode()
                + answer
            )


def _serve_simulator(simulator: Any) -> tuple[Callable[[], None], str]:
    """The simulator over HTTP on loopback, from one event-loop thread; returns (stop, URL).

    One thread answers every worker, in turn, as the one simulator state requires; an event
    loop answers a re-read for about half the CPU that http.server's thread per connection,
    header parsing and logging took.
    """
    loop = asyncio.new_event_loop()
    port = free_port()
    server = loop.run_until_complete(
        loop.create_server(lambda: _SimulatorProtocol(simulator), "127.0.0.1", port)
    )
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def stop() -> None:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()

    return stop, f"http://127.0.0.1:{port}"


def _preload(simulator: Any) -> list[tuple[str, str]]:
    """N paying weekly subscribers, in Stripe and locally; returns (subscription, invoice) ids."""
    from unittest import mock

    from accounts.models import User
    from subscriptions import stripe_gateway, sync
    from subscriptions.models import Plan, StripeCustomer, StripeEvent, Subscription

    StripeEvent.objects.all().delete()
    Subscription.objects.filter(user__email__startswith="bench-webhook-").delete()
    StripeCustomer.objects.filter(user__email__startswith="bench-webhook-").delete()
    plan, _ = Plan.objects.update_or_create(
        stripe_price_id="price_bench_webhooks",
        defaults={"name": "Hebdo", "amount": 249, "interval": "week", "interval_count": 1},
    )
    pairs = []
    # No welcome email for the preload: nobody consumes the benchmark's Celery queue.
    with mock.patch("subscriptions.emails.queue"):
        for index in range(SUBSCRIPTIONS):
            user, _ = User.objects.get_or_create(email=f"bench-webhook-{index}@example.com")
            customer_id = sync.customer_for_user(user=user)
            session = stripe_gateway.checkout_session_create(
                {
                    "mode": "subscription",
                    "customer": customer_id,
                    "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
                    "metadata": {"user_id": str(user.pk)},
                    "subscription_data": {"metadata": {"user_id": str(user.pk)}},
                    "success_url": "http://127.0.0.1/ok",
                    "cancel_url": "http://127.0.0.1/cancel",
                }
            )
            completed = simulator.complete_checkout(session["id"], card="visa")
            subscription = stripe_gateway.subscription_retrieve(completed["subscription"])
            sync.subscription_sync(stripe_subscription=subscription)
            pairs.append((subscription["id"], str(subscription["latest_invoice"])))
            if index % 50 == 0:
                print(f"preload {index}", file=sys.stderr, flush=True)
    return pairs


def _events(pairs: list[tuple[str, str]], simulator: Any) -> list[list[bytes]]:
    """Signed bodies for each sender connection: distinct events, with duplicates mixed in."""
    rng = random.Random(2026)
    now = int(time.time())
    distinct = []
    for number in range(DISTINCT_EVENTS):
        subscription_id, invoice_id = pairs[number % len(pairs)]
        if number % 2:
            obj = {"id": invoice_id, "object": "invoice"}
            type_ = "invoice.paid"
        else:
            obj = {"id": subscription_id, "object": "subscription"}
            type_ = "customer.subscription.updated"
        distinct.append(
            {
                "id": f"evt_bench_{number:06d}",
                "object": "event",
                "type": type_,
                "created": now,
                "api_version": "2025-09-30.clover",
                "livemode": False,
                "pending_webhooks": 1,
                "data": {"object": obj},
            }
        )
    per_thread: list[list[bytes]] = [[] for _ in range(SENDER_CONNECTIONS)]
    duplicates_per_distinct = DUPLICATE_SHARE / (1 - DUPLICATE_SHARE)
    for number, event in enumerate(distinct):
        lane = per_thread[number % SENDER_CONNECTIONS]
        body, header = simulator.signed(event, now)
        lane.append(header.encode() + b"\n" + body)
        if rng.random() < duplicates_per_distinct:
            # Stripe redelivers: the same event, sooner (another connection) or later (this one).
            later = per_thread[rng.randrange(SENDER_CONNECTIONS)]
            later.insert(rng.randrange(len(later) // 2, len(later) + 1), lane[-1])
    return per_thread


class _Lane:
    """One connection replaying one lane: a request in flight at a time.

    The connection is kept alive while the server allows it; an answer with "Connection:
    close" (a worker that keeps no more idle connections, or one that never does) is followed
    by a new connection for the next request, as any HTTP client would.
    """

    def __init__(self, host: str, port: int, requests: list[bytes]) -> None:
        self.address = (host, port)
        self.requests = requests
        self.position = 0
        self.buffer = b""
        self.socket = self._connect()

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(self.address, timeout=60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def reconnect(self) -> None:
        self.socket.close()
        self.buffer = b""
        self.socket = self._connect()

    def send_next(self) -> bool:
        if self.position >= len(self.requests):
            return False
        self.socket.sendall(self.requests[self.position])
        self.position += 1
        return True

    def response(self) -> tuple[int, bytes, bool] | None:
        """The complete answer read so far, if any: (status, body, server closes)."""
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return None
        head = self.buffer[:head_end].decode("latin-1")
        length, closes = 0, False
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                closes = value.strip().lower() == "close"
        end = head_end + 4 + length
        if len(self.buffer) < end:
            return None
        body, self.buffer = self.buffer[head_end + 4 : end], self.buffer[end:]
        return int(head.split(" ", 2)[1]), body, closes


def _request_bytes(host: str, item: bytes) -> bytes:
    header, body = item.split(b"\n", 1)
    return (
        b"POST /stripe/webhook/ HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
        b"Content-Type: application/json\r\nStripe-Signature: " + header + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


def _sender(base_url: str, lanes_path: str, queue: Any) -> None:
    """In a child process: one keep-alive connection per lane, all driven by one event loop.

    Requests are built before the clock starts and answers parsed just enough to count
    them: threads and http.client made the sender, not the site, the busiest process.
    """
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    lanes = json.loads(Path(lanes_path).read_text())
    requests = [
        [_request_bytes(f"{host}:{port}", item.encode("latin-1")) for item in lane]
        for lane in lanes
    ]
    counts = {"processed": 0, "duplicates": 0, "errors": 0, "sent": 0, "reconnects": 0}
    selector = selectors.DefaultSelector()
    started = time.monotonic()
    deadline = started + SEND_SECONDS_MAX
    for lane_requests in requests:
        lane = _Lane(host, port, lane_requests)
        if lane.send_next():
            counts["sent"] += 1
            selector.register(lane.socket, selectors.EVENT_READ, lane)
    while selector.get_map():
        for key, _mask in selector.select(timeout=60):
            lane = key.data
            try:
                chunk = lane.socket.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                # The server hung up mid-answer: that request failed, the lane stops.
                counts["errors"] += 1
                selector.unregister(lane.socket)
                lane.socket.close()
                continue
            lane.buffer += chunk
            answer = lane.response()
            if answer is None:
                continue
            status, body, closes = answer
            if status != 200:
                counts["errors"] += 1
            elif body.startswith(b"Already"):
                counts["duplicates"] += 1
            else:
                counts["processed"] += 1
            more = time.monotonic() <= deadline and lane.position < len(lane.requests)
            if closes or not more:
                selector.unregister(lane.socket)
                if not more:
                    lane.socket.close()
                    continue
                lane.reconnect()
                selector.register(lane.socket, selectors.EVENT_READ, lane)
                counts["reconnects"] += 1
            lane.send_next()
            counts["sent"] += 1
    results = dict(counts)
    results["elapsed_ms"] = int((time.monotonic() - started) * 1000)
    queue.put(results)


def _gunicorn(simulator_url: str) -> Any:
    return gunicorn(
        WORKERS,
        THREADS,
        app="bench.webhooks:application",
        extra_args=[
            # Threads, and the senders' keep-alive connections kept open between events.
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            # A worker keeps each connection it accepted: uncapped, one of them took most of
            # the sender's connections in some runs (up to 95 % of the events, GIL-bound on
            # one core) while the other idled. Capped, they share them as a balancer would;
            # a worker then closes some idle ones, which the sender reopens.
            "--worker-connections",
            str(-(-SENDER_CONNECTIONS // WORKERS)),
        ],
        extra_env={"STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, SIMULATOR_URL_ENV: simulator_url},
        start_seconds=60,
    )


def _warm_up(base_url: str, simulator: Any, pairs: list[tuple[str, str]]) -> None:
    """One event per worker thread first: imports, connections and the SDK are ready."""
    now = int(time.time())
    for number in range(WORKERS * THREADS * 2):
        event = {
            "id": f"evt_bench_warmup_{number}",
            "object": "event",
            "type": "customer.subscription.updated",
            "created": now,
            "data": {"object": {"id": pairs[number % len(pairs)][0], "object": "subscription"}},
        }
        body, header = simulator.signed(event, now)
        request = urllib.request.Request(
            f"{base_url}/stripe/webhook/",
            data=body,
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
        )
        urllib.request.urlopen(request, timeout=30).read()


def run() -> None:
    os.environ["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    setup_django()
    from django.conf import settings

    from stripe_simulator.site import build_simulator
    from subscriptions import stripe_gateway
    from subscriptions.models import StripeEvent

    settings.STRIPE_SIMULATOR = True
    settings.STRIPE_SIMULATOR_STATE_FILE = None
    simulator = build_simulator(
        store=_SetupStore(), deliverer=None, auto_deliver=False, webhook_secret=WEBHOOK_SECRET
    )
    stripe_gateway.install_simulator(simulator)
    pairs = _preload(simulator)
    stop_simulator, simulator_url = _serve_simulator(simulator)
    lanes = _events(pairs, simulator)
    STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    lanes_path = STATE_FILE.with_name("bench-webhook-events.json")
    lanes_path.write_text(json.dumps([[item.decode("latin-1") for item in lane] for lane in lanes]))
    try:
        with _gunicorn(simulator_url) as base:
            _warm_up(base, simulator, pairs)
            context = multiprocessing.get_context("spawn")
            queue = context.Queue()
            sender = context.Process(target=_sender, args=(base, str(lanes_path), queue))
            sender.start()
            results = queue.get(timeout=SEND_SECONDS_MAX + 60)
            sender.join(timeout=30)
    finally:
        stop_simulator()
        lanes_path.unlink(missing_ok=True)
    sent_ids = set()
    for lane in lanes:
        for item in lane:
            sent_ids.add(json.loads(item.split(b"\n", 1)[1])["id"])
    recorded = StripeEvent.objects.filter(event_id__startswith="evt_bench_").exclude(
        event_id__startswith="evt_bench_warmup_"
    )
    seconds = results["elapsed_ms"] / 1000
    complete = results["sent"] == sum(len(lane) for lane in lanes)
    report("webhook_events_per_s", results["sent"] / seconds)
    report("webhook_events_sent", results["sent"])
    report("webhook_duplicates_ignored", results["duplicates"])
    report("webhook_errors", results["errors"])
    report("webhook_connections_reopened", results["reconnects"])
    # Every distinct event that was sent is recorded exactly once, duplicates or not.
    expected = len(sent_ids) if complete else results["processed"]
    report("webhook_events_recorded_match", "yes" if recorded.count() == expected else "NO")
