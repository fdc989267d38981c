"""PostgreSQL restarted under traffic: requests fail cleanly meanwhile and succeed after it is
back, without restarting the application.

A private cluster (tests/faults/conftest.py, never the shared server) serves gunicorn running the
production settings (DEBUG off, two workers, persistent connections). A few clients loop over
the home page, an article, the newsletter form and its POST, and /healthz while the cluster is
restarted (`pg_ctl restart -m fast`) or crashed and started again (`stop -m immediate`). Every
request must get an answer: 200, the site's own 500 page, or a 503 from /healthz naming the
database; never a timeout or a dropped connection. Once the server is back the same gunicorn
master and workers serve everything again.

Without DATABASE_CONN_HEALTH_CHECKS (the default) a worker that served nothing during the outage
still holds a connection the restart killed: its first request after the restart fails cleanly
and Django drops the connection (config/settings.py). With them, none fails.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.faults.helpers import PrivatePostgres, free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "kiosque_restart"
WORKERS = 2
CLIENTS = 4
# A request still unanswered after this long counts as a hang.
CLIENT_TIMEOUT_S = 10
# After the server is back, each client must run this many whole loops, every request a 200.
RECOVERY_LOOPS = 3
# Safety nets only, so that a broken build fails instead of hanging: on a healthy one these
# waits end as soon as their condition holds.
STARTUP_LIMIT_S = 120
RECOVERY_LIMIT_S = 120
ERROR_PAGE_MARK = 'class="error-page__code">500<'

SEED = """
import json
from magazine.models import Article
from newsletters.models import Newsletter
from tests.factories import ArticleFactory

article = ArticleFactory(title="Le centre de contacts tient bon", access=Article.Access.FREE)
newsletter = Newsletter.objects.create(name="La lettre hebdo", slug="hebdo", public=True)
print(json.dumps({"article": article.get_absolute_url(), "newsletter": newsletter.pk}))
"""


def _site_env(database_url: str, var: Path, *, health_checks: bool) -> dict[str, str]:
    """Production settings, as bench/common.py's bench_env(), without Redis or outside mail."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name
        not in {
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "SENTRY_DSN",
            "ROOT_URLCONF",
            "SERVE_MEDIA",
            "DATABASE_CONN_MAX_AGE",
            "KIOSQUE_STAFF_MFA_REQUIRED",
        }
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="faults-only-secret-key-not-used-in-production-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        DATABASE_CONN_HEALTH_CHECKS="true" if health_checks else "false",
        SECURE_SSL_REDIRECT="false",
        STATIC_MANIFEST="false",
        STATIC_ROOT=str(var / "static"),
        MEDIA_ROOT=str(var / "media"),
        FAST_PASSWORD_HASHER="true",
        SITE_URL="http://127.0.0.1",
        DJANGO_SETTINGS_MODULE="config.settings",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        # Every client posts from 127.0.0.1: the per-address limit would answer 429.
        RATE_LIMIT_NEWSLETTER="100000/h",
        LOG_LEVEL="WARNING",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}"
    return result.stdout


@dataclasses.dataclass(frozen=True)
class Content:
    article: str
    newsletter: int


@pytest.fixture(scope="module")
def site_database(private_postgres: PrivatePostgres) -> Iterator[Content]:
    """The private cluster's database, migrated, with an article and a newsletter in it."""
    with psycopg.connect(private_postgres.url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    with tempfile.TemporaryDirectory(prefix="kiosque-restart-var-") as var:
        env = _site_env(private_postgres.url(DATABASE), Path(var), health_checks=False)
        _manage(env, "migrate", "--noinput", "--verbosity", "0")
        seeded = json.loads(_manage(env, "shell", "--command", SEED).strip().splitlines()[-1])
    yield Content(article=seeded["article"], newsletter=seeded["newsletter"])


@dataclasses.dataclass
class Site:
    base: str
    process: subprocess.Popen[bytes]
    log: Path
    cluster: PrivatePostgres
    content: Content
    health_checks: bool

    def workers(self) -> set[int]:
        """The pids of the gunicorn master's children."""
        children = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name, in parentheses, may hold spaces: fields start after it.
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                children.add(int(entry.name))
        return children

    def diagnostics(self) -> str:
        gunicorn_log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        return f"\n--- gunicorn ---\n{gunicorn_log}\n--- postgres ---\n{self.cluster.log_tail()}"


@pytest.fixture(
    scope="module",
    params=[False, True],
    ids=["default-settings", "conn-health-checks"],
)
def site(
    request: pytest.FixtureRequest, private_postgres: PrivatePostgres, site_database: Content
) -> Iterator[Site]:
    """gunicorn with the production settings and two workers, on the private cluster."""
    health_checks: bool = request.param
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="kiosque-restart-site-") as var:
        env = _site_env(private_postgres.url(DATABASE), Path(var), health_checks=health_checks)
        log = Path(var) / "gunicorn.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(WORKERS),
                    "--timeout",
                    "30",
                    "--graceful-timeout",
                    "5",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        site = Site(
            base=f"http://127.0.0.1:{port}",
            process=process,
            log=log,
            cluster=private_postgres,
            content=site_database,
            health_checks=health_checks,
        )
        try:
            deadline = time.monotonic() + STARTUP_LIMIT_S
            while fetch(f"{site.base}/healthz").status != 200:
                assert process.poll() is None, f"gunicorn exited{site.diagnostics()}"
                assert time.monotonic() < deadline, f"gunicorn never got ready{site.diagnostics()}"
                time.sleep(0.2)
            yield site
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclasses.dataclass(frozen=True)
class Answer:
    """One request as a client saw it."""

    client: int
    loop: int
    what: str
    started: float
    ended: float
    status: int  # 0: no HTTP answer at all (timeout, refused, reset)
    body: str
    cookies: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def clean(self) -> bool:
        """An answer the site may give while its database is away."""
        if self.status == 200:
            return True
        if self.what == "healthz":
            try:
                return self.status == 503 and json.loads(self.body)["failed"] == ["database"]
            except (ValueError, KeyError):
                return False
        return self.status == 500 and ERROR_PAGE_MARK in self.body


def fetch(
    url: str, *, data: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Answer:
    request = urllib.request.Request(  # noqa: S310 - local http only
        url,
        data=urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None,
        headers=headers or {},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=CLIENT_TIMEOUT_S) as response:  # noqa: S310
            status, body, received = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, body, received = error.code, error.read(), error.headers
    except (OSError, http.client.HTTPException) as error:
        # URLError, timeouts and resets are OSErrors; a cut response is an HTTPException.
        return Answer(0, 0, "", started, time.monotonic(), 0, f"{type(error).__name__}: {error}")
    cookies = dict(
        cookie.split(";", 1)[0].split("=", 1) for cookie in received.get_all("Set-Cookie") or []
    )
    ended = time.monotonic()
    return Answer(0, 0, "", started, ended, status, body.decode(errors="replace"), cookies)


class Client:
    """A visitor looping over a reading page, a writing page and the health probe."""

    def __init__(self, number: int, site: Site) -> None:
        self.number = number
        self.site = site
        self.answers: list[Answer] = []
        self.loops_done = 0
        self.csrf_cookie = ""
        self.csrf_token = ""

    def _record(self, loop: int, what: str, answer: Answer) -> Answer:
        answer = dataclasses.replace(answer, client=self.number, loop=loop, what=what)
        self.answers.append(answer)
        return answer

    def fetch_form(self, loop: int) -> None:
        answer = self._record(loop, "form", fetch(f"{self.site.base}/lettres/"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.body)
        # A failed page keeps the token already held: it stays valid with the same cookie.
        if answer.status == 200 and token:
            self.csrf_token = token.group(1)
            self.csrf_cookie = answer.cookies.get("csrftoken", self.csrf_cookie)

    def run(self, stop: threading.Event) -> list[Answer]:
        base = self.site.base
        loop = 0
        while not stop.is_set():
            self._record(loop, "home", fetch(f"{base}/"))
            self._record(loop, "article", fetch(f"{base}{self.site.content.article}"))
            self.fetch_form(loop)
            self._record(
                loop,
                "subscribe",
                fetch(
                    f"{base}/lettres/",
                    data={
                        "email": f"lecteur-{self.number}-{loop}@example.com",
                        "newsletters": [self.site.content.newsletter],
                        "consent": "on",
                        "csrfmiddlewaretoken": self.csrf_token,
                    },
                    headers={"Cookie": f"csrftoken={self.csrf_cookie}"},
                ),
            )
            self._record(loop, "healthz", fetch(f"{base}/healthz"))
            loop += 1
            self.loops_done = loop
        return self.answers

    def loops_started_after(self, moment: float) -> int:
        return len({a.loop for a in self.answers if a.started >= moment and a.what == "home"})


def _wait_until(condition: Callable[[], bool], limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def _restart_fast(site: Site) -> list[Answer]:
    site.cluster.restart("fast")
    return []


def _crash_and_start(site: Site) -> list[Answer]:
    """Stop without a shutdown checkpoint (as a crash), probe /healthz while it is down, start."""
    site.cluster.stop("immediate")
    probes = []
    for _ in range(2 * WORKERS):
        probes.append(dataclasses.replace(fetch(f"{site.base}/healthz"), what="healthz"))
        time.sleep(0.5)
    site.cluster.start()  # replays the WAL first
    return probes


@pytest.mark.parametrize("outage", [_restart_fast, _crash_and_start], ids=["restart", "crash"])
def test_requests_fail_cleanly_while_postgres_restarts_and_succeed_after(
    site: Site, outage: Callable[[Site], list[Answer]]
) -> None:
    assert site.process.poll() is None, site.diagnostics()
    workers = site.workers()
    assert len(workers) == WORKERS
    clients = [Client(number, site) for number in range(CLIENTS)]
    for client in clients:
        client.fetch_form(-1)
        assert client.csrf_token, site.diagnostics()
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        running = [pool.submit(client.run, stop) for client in clients]
        try:
            _wait_until(lambda: all(c.loops_done >= 1 for c in clients), RECOVERY_LIMIT_S)
            outage_started = time.monotonic()
            probes = outage(site)
            back = time.monotonic()
            _wait_until(
                lambda: all(c.loops_started_after(back) > RECOVERY_LOOPS for c in clients),
                RECOVERY_LIMIT_S,
            )
        finally:
            stop.set()
        answers = [answer for future in running for answer in future.result()]

    diagnostics = site.diagnostics()
    no_answer = [a for a in answers if a.status == 0]
    assert not no_answer, f"requests without an HTTP answer: {no_answer[:5]}{diagnostics}"
    unclean = [(a.what, a.status, a.body[:300]) for a in answers if not a.clean]
    assert not unclean, f"answers other than 200 or the error pages: {unclean[:5]}{diagnostics}"
    # Requests still in flight when the outage began may fail; those answered before may not.
    before = [(a.what, a.status) for a in answers if a.ended < outage_started]
    assert before and all(status == 200 for _, status in before), (before, diagnostics)
    failed = [a for a in answers if a.status != 200]
    assert failed, f"no request noticed the database going away{diagnostics}"
    # While the server is down (pg_ctl stop has returned), /healthz names the database.
    assert all(p.status == 503 and p.clean for p in probes), (probes, diagnostics)

    failed_after = [(a.what, a.status) for a in failed if a.started >= back]
    if site.health_checks:
        assert failed_after == [], diagnostics
    else:
        # At most one request per worker meets a connection the restart killed.
        assert len(failed_after) <= WORKERS, (failed_after, diagnostics)
    for client in clients:
        last = [a for a in client.answers if a.loop >= client.loops_done - RECOVERY_LOOPS]
        assert {a.loop for a in last} == set(
            range(client.loops_done - RECOVERY_LOOPS, client.loops_done)
        )
        assert all(a.started >= back for a in last), (
            f"client {client.number} did not run {RECOVERY_LOOPS} loops after the restart"
        )
        assert [a.status for a in last] == [200] * len(last), (
            [(a.what, a.status) for a in last],
            diagnostics,
        )
    assert {a.what for a in answers if a.started >= back and a.status == 200} == {
        "home",
        "article",
        "form",
        "subscribe",
        "healthz",
    }

    # Recovered without restarting anything: the master never exited and no worker died or was
    # replaced.
    assert site.process.poll() is None, diagnostics
    assert site.workers() == workers, diagnostics
