"""Article page throughput for anonymous, metered and subscribed readers, against a bare view."""

from __future__ import annotations

from datetime import timedelta

from bench.common import gunicorn, report, setup_django, wrk

SLUG = "bench-analyse-premium"


def _prepare() -> dict[str, str]:
    """Create the article, a plan and two readers; return their session cookies."""
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from magazine.models import Article, Author, Rubrique
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


def run() -> None:
    setup_django()
    cookies = _prepare()
    with gunicorn(workers=2) as base:
        article_url = f"{base}/{SLUG}/"
        wrk(f"{base}/bench/floor/", seconds=2)  # warm-up
        wrk(article_url, seconds=2)
        floor = wrk(f"{base}/bench/floor/")
        anonymous = wrk(article_url)
        metered = wrk(article_url, cookie=cookies["metered"])
        subscriber = wrk(article_url, cookie=cookies["subscriber"])
    report("floor_requests_per_s", floor.requests_per_s)
    for name, result in (
        ("anonymous", anonymous),
        ("metered", metered),
        ("subscriber", subscriber),
    ):
        report(f"article_{name}_requests_per_s", result.requests_per_s)
        report(f"article_{name}_ratio", result.requests_per_s / floor.requests_per_s)
        report(f"article_{name}_errors", result.errors)
