"""Newsletter delivery: the Celery pipeline against a naive Django loop and raw smtplib.

All three send the same campaign to the same local SMTP server: a lean responder in its own
process that counts messages and their Message-IDs without parsing MIME (a parsing server in
Python would take most of the two cores the senders are measured on). The pipeline runs for
real: worker processes, Redis broker, PostgreSQL rows. Worker memory is the peak RSS (VmHWM) of
the worker processes after 10,000 and after 100,000 recipients.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, bench_env, free_port, report, setup_django

SMALL = 10_000
LARGE = 100_000
WARM_UP = 1_000
NAIVE_SAMPLE = int(os.environ.get("NEWSLETTER_BENCH_NAIVE_SAMPLE", "3000"))
# Two cores: the workers wait on SMTP and PostgreSQL round trips, so a few more processes than
# cores keep both busy (the SMTP server and PostgreSQL run on the same cores).
WORKER_CONCURRENCY = int(os.environ.get("NEWSLETTER_BENCH_CONCURRENCY", "4"))


def _serve(port: int, counter: Any, duplicates: Any, ready: Any) -> None:
    """A lean SMTP responder: it answers the commands, counts the messages and notes each
    Message-ID (to count duplicates) without parsing MIME, so the CPU goes to the senders."""
    import asyncio

    seen: set[bytes] = set()

    class Session(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.buffer = b""
            self.in_data = False
            transport.write(b"220 bench-sink ESMTP\r\n")

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while True:
                if self.in_data:
                    end = self.buffer.find(b"\r\n.\r\n")
                    if end < 0:
                        return
                    message, self.buffer = self.buffer[:end], self.buffer[end + 5 :]
                    self.in_data = False
                    start = message.find(b"\nMessage-ID:")
                    if start >= 0:
                        message_id = message[start + 12 : message.find(b"\r\n", start + 1)].strip()
                        if message_id in seen:
                            duplicates.value += 1
                        seen.add(message_id)
                    counter.value += 1
                    self.transport.write(b"250 OK\r\n")
                    continue
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    return
                line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
                verb = line[:4].upper()
                if verb == b"EHLO":
                    # PIPELINING, as every MTA offers (smtplib, the raw baseline, does not use it).
                    self.transport.write(
                        b"250-bench-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
                    )
                elif verb == b"DATA":
                    self.in_data = True
                    self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                elif verb == b"QUIT":
                    self.transport.write(b"221 Bye\r\n")
                    self.transport.close()
                    return
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    self.transport.write(b"250 OK\r\n")

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Session, "127.0.0.1", port, backlog=128)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        ready.set()
        async with server:
            await stop.wait()

    asyncio.run(main())


class SmtpServer:
    """The one SMTP server of the whole run, in its own process; all three senders use it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.port = free_port()
        self.counter = context.RawValue("q", 0)  # written by the server process only
        self.duplicates = context.RawValue("q", 0)
        ready = context.Event()
        self.process = context.Process(
            target=_serve, args=(self.port, self.counter, self.duplicates, ready)
        )
        self.process.start()
        if not ready.wait(10):
            raise RuntimeError("the SMTP sink did not start")

    @property
    def count(self) -> int:
        return int(self.counter.value)

    def stop(self) -> None:
        if self.process.pid:
            os.kill(self.process.pid, signal.SIGTERM)
        self.process.join(10)


def _prepare_campaign(size: int, subject: str) -> Any:
    from django.db import connection
    from django.utils import timezone

    from magazine.models import Article, Author, Rubrique
    from newsletters.models import Campaign, CampaignArticle, Newsletter, Subscriber

    newsletter, _ = Newsletter.objects.get_or_create(
        slug="bench-hebdo", defaults={"name": "La lettre hebdo"}
    )
    existing = Subscriber.objects.filter(newsletter=newsletter).count()
    if existing < size:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO newsletters_subscriber "
                "(newsletter_id, email, status, created_at, confirmed_at) "
                "SELECT %s, 'lecteur' || lpad(g::text, 6, '0') || '@bench.example.com', "
                "'subscribed', now(), now() "
                "FROM generate_series(1, %s) g ON CONFLICT DO NOTHING",
                [newsletter.pk, LARGE],
            )
    rubrique, _ = Rubrique.objects.get_or_create(slug="analyses", defaults={"name": "Analyses"})
    author, _ = Author.objects.get_or_create(slug="la-redaction", defaults={"name": "La rédaction"})
    sentence = "Les centres de contact réinventent la relation client avec l'IA. "
    articles = []
    for n in range(4):
        article, _ = Article.objects.update_or_create(
            slug=f"bench-lettre-{n}",
            defaults={
                "title": f"Relation client : ce qui change cette semaine ({n})",
                "lead": "Dreamforce, l'ECTFF et les mouvements du marché des centres de contact.",
                "body": "".join(f"<p>{sentence * 4}</p>" for _ in range(4)),
                "status": Article.Status.PUBLISHED,
                "published_at": timezone.now(),
                "rubrique": rubrique,
                "access": Article.Access.FREE,
            },
        )
        article.authors.set([author])
        articles.append(article)
    campaign = Campaign.objects.create(
        newsletter=newsletter,
        subject=subject,
        preheader="Dreamforce 2025, l'ECTFF et le New Biz Forum",
        body="<p>Bonjour,</p><p>Voici la sélection de la rédaction pour cette semaine.</p>",
    )
    for position, article in enumerate(articles):
        CampaignArticle.objects.create(campaign=campaign, article=article, position=position)
    # Only the first ``size`` subscribers receive this campaign.
    if size < LARGE:
        from newsletters.models import Segment

        segment, _ = Segment.objects.get_or_create(
            name=f"bench-{size}", defaults={"rule": {"segment": "bench_first", "last": size}}
        )
        campaign.segment = segment
        campaign.save(update_fields=["segment"])
    return campaign


def _register_bench_segment(size: int) -> None:
    from django.db.models import Q

    from newsletters.segments import register_segment

    register_segment(
        "bench_first",
        "bench",
        lambda rule: Q(email__lte=f"lecteur{rule.get('last', size):06d}@bench.example.com"),
    )


def _workers(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "bench.newsletter_celery", "worker",
            "--pool=prefork", f"-c{WORKER_CONCURRENCY}", "-l", "warning", "--without-gossip",
            "--without-mingle", "-n", f"bench-newsletter-{os.getpid()}@%h",
        ],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def _peak_mb(root_pid: int) -> float:
    """Largest VmHWM (peak resident set) among the worker's processes, in MB."""
    pids = [root_pid]
    children = Path(f"/proc/{root_pid}/task/{root_pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    peak = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except FileNotFoundError:
            continue
    return peak / 1024


def _pipeline(campaign: Any, server: SmtpServer, expected: int) -> float:
    from newsletters.models import Delivery
    from newsletters.tasks import campaign_start_task

    before = server.count
    started = time.perf_counter()
    campaign_start_task.delay(campaign.pk)
    deadline = time.monotonic() + 600
    while server.count - before < expected:
        if time.monotonic() > deadline:
            raise RuntimeError("the pipeline did not finish in time")
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    while Delivery.objects.filter(campaign=campaign).pending().exists():
        time.sleep(0.05)
    return expected / elapsed


def _naive(campaign: Any, emails: list[str], port: int) -> float:
    """What a naive implementation of the same product does for every recipient.

    The product's messages have their CSS inlined (css-inline) and a text part, so a naive loop
    renders both templates, inlines the CSS and builds an EmailMultiAlternatives per recipient,
    over one reused connection. It measures its rate on the first ``NAIVE_SAMPLE`` recipients:
    each message costs the same, and the full 10,000 would add minutes to the run.
    """
    import css_inline
    from django.core.mail import EmailMultiAlternatives, get_connection
    from django.template.loader import render_to_string
    from django.utils import translation

    from newsletters import rendering

    prepared = rendering.prepare(campaign)
    digest = [
        {"title": i.article.title, "lead": i.article.lead, "url": i.url, "image_url": i.image_url,
         "image_alt": i.article.hero_alt, "full": True, "gated": False, "body_html": i.full_html,
         "body_text": rendering.html_to_text(i.full_html)}
        for i in prepared.items
    ]  # fmt: skip
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port
    )
    connection.open()
    sample = emails[:NAIVE_SAMPLE]
    started = time.perf_counter()
    for n, email in enumerate(sample):
        url = rendering.unsubscribe_url(campaign.newsletter_id, email)
        context = {
            **prepared.context,
            "digest": digest,
            "recipient_email": email,
            "unsubscribe_url": url,
        }
        with translation.override(prepared.language):
            text = render_to_string(rendering.TEXT_TEMPLATE, context)
            html = css_inline.inline(render_to_string(rendering.HTML_TEMPLATE, context))
        message = EmailMultiAlternatives(
            subject=campaign.subject,
            body=text,
            from_email=prepared.from_email,
            to=[email],
            connection=connection,
            headers={
                "Message-ID": f"<naive.{campaign.pk}.{n}@bench>",
                "List-Id": prepared.list_id,
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Precedence": "bulk",
            },
        )
        message.attach_alternative(html, "text/html")
        connection.send_messages([message])
    elapsed = time.perf_counter() - started
    connection.close()
    return len(sample) / elapsed


def _raw(campaign: Any, emails: list[str], port: int) -> float:
    """The ceiling: the pipeline's own bytes, built beforehand, written with smtplib over one
    connection (their own Message-IDs, so the server's duplicate count stays the pipeline's)."""
    from django.conf import settings
    from django.core.mail.message import sanitize_address

    from newsletters import delivery, rendering

    prepared = rendering.prepare(campaign)
    skeleton = prepared.variant(frozenset()).skeleton
    payloads = []
    for n, email in enumerate(emails):
        url = prepared.unsubscribe_url(email)
        payloads.append(
            skeleton.assemble(
                to=email,
                message_id=f"<raw.{campaign.pk}.{n}@bench>",
                unsubscribe_url=f"<{url}>",
                substitutions=delivery._substitutions(url, email),
            )
        )
    sender = sanitize_address(prepared.from_email, settings.DEFAULT_CHARSET)
    client = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for email, payload in zip(emails, payloads, strict=True):
        client.sendmail(sender, [email], payload)
    elapsed = time.perf_counter() - started
    client.quit()
    return len(emails) / elapsed


def run() -> None:
    setup_django()
    from config.celery import app

    server = SmtpServer()
    env = bench_env()
    env.update(
        {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(server.port),
            "NEWSLETTER_RATE_LIMIT_PER_S": "0",
            "NEWSLETTER_BENCH_SMALL": str(SMALL),
        }
    )
    (ROOT / "var").mkdir(exist_ok=True)
    app.control.purge()
    workers = _workers(env, ROOT / "var" / "bench-newsletter-worker.log")
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or workers.poll() is not None:
                raise RuntimeError("the Celery worker did not start")
        _register_bench_segment(SMALL)
        # Workers are long-running processes: a short campaign first, so that the measurement
        # does not include each fresh process's imports, URLconf and database connection.
        _pipeline(_prepare_campaign(WARM_UP, "La lettre hebdo — échauffement"), server, WARM_UP)
        small = _prepare_campaign(SMALL, "La lettre hebdo — bench 10k")
        emails = [f"lecteur{n:06d}@bench.example.com" for n in range(1, SMALL + 1)]

        raw = _raw(small, emails, server.port)
        naive = _naive(small, emails, server.port)
        pipeline = _pipeline(small, server, SMALL)
        peak_small = _peak_mb(workers.pid)

        large = _prepare_campaign(LARGE, "La lettre hebdo — bench 100k")
        pipeline_large = _pipeline(large, server, LARGE)
        peak_large = _peak_mb(workers.pid)
    finally:
        os.killpg(workers.pid, signal.SIGTERM)
        workers.wait(60)
        server.stop()

    report("newsletter_msgs_per_s", pipeline)
    report("newsletter_naive_msgs_per_s", naive)
    report("newsletter_raw_smtp_msgs_per_s", raw)
    report("newsletter_vs_naive_ratio", pipeline / naive)
    report("newsletter_vs_raw_smtp_ratio", pipeline / raw)
    report("newsletter_100k_msgs_per_s", pipeline_large)
    report("newsletter_worker_peak_mb_10k", peak_small)
    report("newsletter_worker_peak_mb_100k", peak_large)
    report("newsletter_worker_memory_growth_mb", peak_large - peak_small)
    report("newsletter_duplicate_messages", server.duplicates.value)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    run()
