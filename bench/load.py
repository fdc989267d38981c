"""Load test of `make serve` on loopback: a mix of readers browsing for a minute.

Half the requests come from anonymous visitors, a quarter from registered readers on the monthly
meter and a quarter from subscribers, each reader with a session of their own; they open the home
page, articles of every access level, searches, the events list and event pages (bench/load.lua
draws each request). The stack is the real one: scripts/serve.sh (gunicorn, Celery worker and
beat) on a database of its own filled with the demo magazine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from bench.common import (
    BENCH_DATABASE_URL,
    BENCH_REDIS_URL,
    ROOT,
    bench_env,
    create_database,
    free_port,
    report,
    wrk,
)

SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("BENCH_LOAD_CONNECTIONS", "8"))
READERS_PER_PERSONA = 20
# Its own database and Redis database: the stack's Celery worker must not meet another
# benchmark's queue, and the article benchmark's database has no demo content.
DATABASE_URL = f"{BENCH_DATABASE_URL}_load"
REDIS_URL = BENCH_REDIS_URL.rsplit("/", 1)[0] + "/9"
PERSONA_WEIGHTS = {"anonymous": 50, "metered": 25, "subscriber": 25}
PAGE_WEIGHTS = {"home": 20, "article": 45, "search": 15, "event_list": 10, "event": 10}
SEARCHES = ("relation client", "intelligence artificielle", "omnicanal", "centres de contact")
SEED = 7


@dataclass(frozen=True)
class Plan:
    """What the readers do: each persona's session cookies and each kind of page's paths."""

    cookies: Mapping[str, Sequence[str]]
    pages: Mapping[str, Sequence[str]]
    subscriber_only: Sequence[str]


def lua_literal(value: object) -> str:
    """``value`` (str, int, float, list, tuple or dict with str keys) as a Lua expression."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = "".join(
            f"\\{char}" if char in '"\\' else f"\\{ord(char):03d}" if ord(char) < 32 else char
            for char in value
        )
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "{" + ", ".join(lua_literal(item) for item in value) + "}"
    if isinstance(value, dict):
        fields = (f"[{lua_literal(key)}] = {lua_literal(item)}" for key, item in value.items())
        return "{" + ", ".join(fields) + "}"
    raise TypeError(f"no Lua literal for {type(value).__name__}")


def lua_plan(plan: Plan) -> str:
    """The Lua file bench/load.lua reads: weighted personas and pages."""
    personas = [
        {"name": name, "weight": weight, "cookies": list(plan.cookies.get(name, ()))}
        for name, weight in PERSONA_WEIGHTS.items()
    ]
    pages = [
        {"name": name, "weight": weight, "paths": list(plan.pages[name])}
        for name, weight in PAGE_WEIGHTS.items()
    ]
    return f"return {lua_literal({'seed': SEED, 'personas': personas, 'pages': pages})}\n"


def run() -> None:
    # Django is configured once per process and the other benchmarks of `make bench` have set it
    # up on their own database already: this one runs in a process of its own.
    subprocess.run([sys.executable, "-m", "bench.load"], cwd=ROOT, check=True)


def _stack_env(var_dir: Path) -> dict[str, str]:
    """The environment of `make serve` for the benchmark, shared by this process."""
    env = bench_env()
    # The real site (not the benchmarks' URLconf) with production static files, as served.
    del env["ROOT_URLCONF"], env["STATIC_MANIFEST"]
    env.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "VAR_DIR": str(var_dir),
            "STATIC_ROOT": str(var_dir / "static"),
            "MEDIA_ROOT": str(ROOT / "var" / "bench-load-media"),
            "VENV": sys.prefix,
            "HOST": "127.0.0.1",
        }
    )
    return env


def _setup(env: Mapping[str, str]) -> None:
    """Configure Django here like the served stack; empty the stack's Redis database; migrate."""
    import redis

    os.environ.clear()
    os.environ.update(env)
    create_database(DATABASE_URL)
    # Cached pages, sessions and queued tasks of an earlier run would not match this database.
    redis.Redis.from_url(REDIS_URL).flushdb()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _prepare() -> Plan:
    """Load the demo magazine, create the readers and return the plan of the load."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from events.models import Event
    from magazine.models import Article
    from paywall.models import PaywallSettings
    from subscriptions.models import Plan as SubscriptionPlan
    from subscriptions.models import Subscription

    call_command("load_demo", allow_production=True, stdout=StringIO())
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 3})
    plan, _ = SubscriptionPlan.objects.update_or_create(
        stripe_price_id="price_bench_load_weekly",
        defaults={"name": "Hebdo", "amount": 249, "interval": "week", "interval_count": 1},
    )
    cookies: dict[str, list[str]] = {"anonymous": []}
    for persona in ("metered", "subscriber"):
        cookies[persona] = []
        for number in range(READERS_PER_PERSONA):
            reader, _ = User.objects.get_or_create(email=f"load-{persona}-{number}@example.com")
            if persona == "subscriber":
                Subscription.objects.update_or_create(
                    stripe_subscription_id=f"sub_bench_load_{number}",
                    defaults={
                        "user": reader,
                        "plan": plan,
                        "status": "active",
                        "current_period_end": timezone.now() + timedelta(days=7),
                    },
                )
            client = Client()
            client.force_login(reader)
            cookies[persona].append(f"sessionid={client.cookies['sessionid'].value}")

    articles = list(Article.objects.published().order_by("slug"))
    accesses = {article.access for article in articles}
    if accesses != set(Article.Access):
        raise RuntimeError(f"the demo magazine lacks articles of some access level: {accesses}")
    events = list(Event.objects.published().order_by("slug"))
    if not events:
        raise RuntimeError("the demo magazine has no published event")
    pages = {
        "home": ["/"],
        "article": [article.get_absolute_url() for article in articles],
        "search": [f"/recherche/?{urllib.parse.urlencode({'q': query})}" for query in SEARCHES],
        "event_list": ["/evenements/"],
        "event": [event.get_absolute_url() for event in events],
    }
    subscriber_only = [
        article.get_absolute_url()
        for article in articles
        if article.access == Article.Access.SUBSCRIBERS
    ]
    return Plan(cookies=cookies, pages=pages, subscriber_only=subscriber_only)


def _meters_reset() -> None:
    """Every metered reader starts the month afresh, whatever the checks and warm-up spent."""
    from paywall.models import MeterPeriod

    MeterPeriod.objects.filter(user__email__startswith="load-metered-").delete()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _get(url: str, cookie: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def _check(base: str, plan: Plan) -> None:
    """Every page answers 200 to every persona, sessions are recognised, the paywall holds."""
    from django.urls import reverse

    # The metered reader's first reads of the month get through, the others meet the wall.
    walled_for = {"anonymous": True, "subscriber": False}
    signed_in = f'action="{reverse("account_logout")}"'
    for persona, cookies in plan.cookies.items():
        for cookie in cookies or [""]:
            status, page = _get(f"{base}/", cookie)
            if status != 200 or (signed_in in page) != bool(cookie):
                raise RuntimeError(f"home page for a {persona} reader: {status}, session not seen")
        for paths in plan.pages.values():
            for path in paths:
                status, page = _get(f"{base}{path}", cookies[0] if cookies else "")
                if status != 200:
                    raise RuntimeError(f"{path} answered {status} to a {persona} reader")
                walled = "paywall-title" in page
                if path in plan.subscriber_only and walled != walled_for.get(persona, walled):
                    raise RuntimeError(f"{path}: the paywall misjudged a {persona} reader")


@contextlib.contextmanager
def _stack(env: Mapping[str, str], log: Path) -> Iterator[str]:
    """`make serve` (scripts/serve.sh) on a free loopback port; yield its base URL once healthy."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "serve.sh")],
            cwd=ROOT,
            env={**env, "PORT": str(port), "SITE_URL": base},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(base, process, log)
        yield base
    finally:
        _stop(process)


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    # collectstatic compresses every file before gunicorn starts; the first Celery heartbeat
    # follows the worker's start.
    deadline = time.monotonic() + 180
    status = 0
    while status != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            sys.stderr.write(log.read_text(errors="replace")[-4000:])
            raise RuntimeError(f"make serve did not become healthy (last /healthz: {status})")
        try:
            status, _ = _get(f"{base}/healthz", "")
        except OSError:
            status = 0
        if status != 200:
            time.sleep(0.5)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole stack (its own process group) and wait; SIGKILL what outlives that."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=60)
    # serve.sh waits for its children, but one that ignored the signal must not outlive us.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kiosque-load-") as tmp:
        var_dir = Path(tmp)
        env = _stack_env(var_dir)
        _setup(env)
        plan = _prepare()
        plan_file = var_dir / "plan.lua"
        plan_file.write_text(lua_plan(plan))
        script = Path(__file__).with_name("load.lua")
        with _stack(env, var_dir / "serve.log") as base:
            _check(base, plan)
            wrk(f"{base}/", seconds=min(5, SECONDS), script=script, script_args=[str(plan_file)])
            _meters_reset()
            result = wrk(
                f"{base}/",
                seconds=SECONDS,
                connections=CONNECTIONS,
                script=script,
                script_args=[str(plan_file)],
            )
        if result.errors:
            # The stack's log (its tracebacks) goes with the temporary directory: show its end.
            log = (var_dir / "serve.log").read_text(errors="replace")
            sys.stderr.write(log[-4000:])
    report("load_seconds", SECONDS)
    report("load_connections", CONNECTIONS)
    report("load_requests", result.requests)
    report("load_requests_per_s", result.requests_per_s)
    report("load_p50_ms", result.p50_ms)
    report("load_p99_ms", result.p99_ms)
    report("load_errors", result.errors)


if __name__ == "__main__":
    main()
