"""Article page throughput for anonymous, metered and subscribed readers, against a bare view."""

from __future__ import annotations

import os
import statistics
import urllib.request
from datetime import timedelta

from bench.common import LoadResult, gunicorn, report, setup_django, wrk

SLUG = "bench-analyse-premium"
# The floor and the article page are served by the same gunicorn (sync workers).
WORKERS = int(os.environ.get("BENCH_ARTICLE_WORKERS", "2"))


def _prepare() -> dict[str, str]:
    """Create the article, a plan and two readers; return their session cookies."""
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from magazine.models import Article, Author, Rubrique
    from paywall.models import MeterPeriod, PaywallSettings
    from subscriptions.models import Plan, Subscription

    rubrique, _ = Rubrique.objects.get_or_create(slug="analyses", defaults={"name": "Analyses"})
    author, _ = Author.objects.get_or_create(slug="la-redaction", defaults={"name": "La rédaction"})
    sentence = "Les centres de contact réinventent la relation client. "
    paragraphs = "".join(f"<h2>Partie {i}</h2><p>{sentence * 12}</p>" for i in range(12))
    article, _ = Article.objects.update_or_create(
        slug=SLUG,
        defaults={
            "title": "Ce que l'IA change vraiment dans les centres de contact",
            "lead": "Une analyse des usages, des coûts et des attentes des clients.",
            "body": paragraphs,
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(days=1),
            "rubrique": rubrique,
            "access": Article.Access.SUBSCRIBERS,
        },
    )
    article.authors.set([author])
    plan, _ = Plan.objects.update_or_create(
        stripe_price_id="price_bench_weekly",
        defaults={"name": "Hebdo", "amount": 249, "interval": "week", "interval_count": 1},
    )
    metered, _ = User.objects.get_or_create(email="bench-metered@example.com")
    subscriber, _ = User.objects.get_or_create(email="bench-subscriber@example.com")
    # The metered reader starts the month afresh: the first request spends one free read and the
    # others are re-reads of the same article, as a reader coming back to it would make. A meter
    # left full by earlier runs (or a meter turned off) would benchmark the wall instead.
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 3})
    MeterPeriod.objects.filter(user=metered).delete()
    Subscription.objects.update_or_create(
        stripe_subscription_id="sub_bench",
        defaults={
            "user": subscriber,
            "plan": plan,
            "status": "active",
            "current_period_end": timezone.now() + timedelta(days=7),
        },
    )
    cookies = {}
    for name, user in (("metered", metered), ("subscriber", subscriber)):
        client = Client()
        client.force_login(user)
        cookies[name] = f"sessionid={client.cookies['sessionid'].value}"
    return cookies


# Text past the teaser of the benchmarked article: whoever reads in full receives it.
PAST_THE_TEASER = "Partie 11"


def _check_pages(article_url: str, cookies: dict[str, str]) -> None:
    """Each reader gets the page the benchmark means to measure (a wall is cheaper to serve).

    A browser keeps the CSRF cookie of its first signed-in page (the account menu has a form)
    and sends it back: so do the benchmarked readers.
    """
    expected = {"anonymous": False, "metered": True, "subscriber": True}
    for name, full_text in expected.items():
        request = urllib.request.Request(article_url, headers={"Cookie": cookies.get(name, "")})
        with urllib.request.urlopen(request, timeout=10) as response:
            page = response.read().decode()
            set_cookies = response.headers.get_all("Set-Cookie") or []
        if (PAST_THE_TEASER in page) != full_text:
            raise RuntimeError(f"the {name} reader did not get the expected article page")
        for header in set_cookies:
            if header.startswith("csrftoken=") and name in cookies:
                cookies[name] += "; " + header.split(";", 1)[0]


# The machine's speed drifts during a run (other tenants of the host, frequency scaling): the
# floor and the three readers are measured in interleaved rounds, so that each reader's ratio is
# taken against a floor measured seconds apart, and a disturbed round is outvoted by the others.
ROUNDS = int(os.environ.get("BENCH_ARTICLE_ROUNDS", "5"))
ROUND_SECONDS = 2
READERS = ("anonymous", "metered", "subscriber")


def _measure(base: str, article_url: str, cookies: dict[str, str]) -> dict[str, list[LoadResult]]:
    results: dict[str, list[LoadResult]] = {name: [] for name in ("floor", *READERS)}
    for _round in range(ROUNDS):
        results["floor"].append(wrk(f"{base}/bench/floor/", seconds=ROUND_SECONDS))
        for name in READERS:
            results[name].append(
                wrk(article_url, seconds=ROUND_SECONDS, cookie=cookies.get(name, ""))
            )
    return results


def _rate(results: list[LoadResult]) -> float:
    return sum(result.requests_per_s for result in results) / len(results)


def run() -> None:
    setup_django()
    cookies = _prepare()
    with gunicorn(workers=WORKERS) as base:
        article_url = f"{base}/{SLUG}/"
        _check_pages(article_url, cookies)
        wrk(f"{base}/bench/floor/", seconds=2)  # warm-up
        wrk(article_url, seconds=2)
        results = _measure(base, article_url, cookies)
    floors = results["floor"]
    report("floor_requests_per_s", _rate(floors))
    for name in READERS:
        rounds = results[name]
        # Each round's ratio to the floor measured just before it; the median of the rounds.
        ratios = [
            reader.requests_per_s / floor.requests_per_s
            for reader, floor in zip(rounds, floors, strict=True)
        ]
        report(f"article_{name}_requests_per_s", _rate(rounds))
        report(f"article_{name}_ratio", statistics.median(ratios))
        report(f"article_{name}_errors", sum(result.errors for result in rounds))
