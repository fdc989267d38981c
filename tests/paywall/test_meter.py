"""The monthly meter: counted per account on the server, right under concurrency."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils.translation import gettext, ngettext

from accounts.models import User
from magazine.models import Article
from paywall.access import AccessDecision, Ground, Wall
from paywall.models import MeterPeriod, MeterRead, PaywallSettings
from paywall.services import meter_reads_this_month
from tests.factories import ArticleFactory, UserFactory
from tests.paywall.page import page_access

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def read(article: Article, user: User, **kwargs: object) -> AccessDecision:
    return page_access(article=article, user=user, **kwargs)  # type: ignore[arg-type]


def paywalled_articles(count: int) -> list[Article]:
    return [ArticleFactory(access=Article.Access.SUBSCRIBERS) for _ in range(count)]


def test_registered_reader_reads_a_subscriber_article_on_the_meter(reader: User) -> None:
    (article,) = paywalled_articles(1)
    decision = read(article, reader)
    assert decision.allowed
    assert decision.ground is Ground.METER
    assert decision.meter_remaining == 2
    assert decision.message == ngettext(
        "You have %(count)d free article left this month.",
        "You have %(count)d free articles left this month.",
        2,
    ) % {"count": 2}
    assert meter_reads_this_month(user=reader) == 1


def test_the_last_free_article_says_so(reader: User) -> None:
    articles = paywalled_articles(3)
    decisions = [read(article, reader) for article in articles]
    assert [d.meter_remaining for d in decisions] == [2, 1, 0]
    assert decisions[1].message == ngettext(
        "You have %(count)d free article left this month.",
        "You have %(count)d free articles left this month.",
        1,
    ) % {"count": 1}
    assert decisions[2].message == gettext("This is your last free article this month.")


def test_reader_past_the_limit_meets_the_subscription_wall(reader: User) -> None:
    articles = paywalled_articles(4)
    for article in articles[:3]:
        assert read(article, reader).allowed
    decision = read(articles[3], reader)
    assert not decision.allowed
    assert decision.wall is Wall.SUBSCRIPTION
    assert decision.reason_code == "meter_exhausted"
    assert decision.meter_remaining == 0
    assert decision.message == ngettext(
        "You have read your %(count)d free article this month.",
        "You have read your %(count)d free articles this month.",
        3,
    ) % {"count": 3}
    assert meter_reads_this_month(user=reader) == 3


def test_rereading_a_counted_article_does_not_count_again(reader: User) -> None:
    articles = paywalled_articles(3)
    for article in articles:
        read(article, reader)
    again = read(articles[0], reader)
    assert again.allowed
    assert again.ground is Ground.METER
    assert again.meter_remaining == 0
    assert MeterRead.objects.filter(period__user=reader).count() == 3


def test_meters_are_per_account(reader: User) -> None:
    other = UserFactory()
    articles = paywalled_articles(3)
    for article in articles:
        read(article, reader)
    assert read(articles[0], other).meter_remaining == 2


def test_limit_comes_from_the_paywall_settings(reader: User) -> None:
    settings_row = PaywallSettings.load()
    settings_row.meter_limit = 1
    settings_row.save()
    first, second = paywalled_articles(2)
    assert read(first, reader).meter_remaining == 0
    assert read(second, reader).reason_code == "meter_exhausted"


def test_meter_set_to_zero_grants_nothing(reader: User) -> None:
    settings_row = PaywallSettings.load()
    settings_row.meter_limit = 0
    settings_row.save()
    (article,) = paywalled_articles(1)
    decision = read(article, reader)
    assert not decision.allowed
    assert decision.reason_code == "subscription_required"
    assert not MeterPeriod.objects.exists()


def test_a_new_month_gives_new_free_articles(reader: User) -> None:
    articles = paywalled_articles(4)
    with time_machine.travel(datetime(2025, 10, 31, 23, 30, tzinfo=PARIS), tick=False):
        for article in articles[:3]:
            read(article, reader)
        assert not read(articles[3], reader).allowed
    with time_machine.travel(datetime(2025, 11, 1, 0, 5, tzinfo=PARIS), tick=False):
        decision = read(articles[3], reader)
        assert decision.allowed
        assert decision.meter_remaining == 2
        # Last month's article counts again: the month is new.
        assert read(articles[0], reader).meter_remaining == 1


def test_months_follow_paris_time_not_utc(reader: User) -> None:
    (article,) = paywalled_articles(1)
    # 23:30 UTC on 31 October is already 1 November in Paris.
    with time_machine.travel(datetime(2025, 10, 31, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        read(article, reader)
    assert MeterPeriod.objects.get(user=reader).month.isoformat() == "2025-11-01"


def test_registered_only_articles_do_not_spend_the_meter(
    reader: User, registered_article: Article
) -> None:
    decision = read(registered_article, reader)
    assert decision.ground is Ground.REGISTERED
    assert meter_reads_this_month(user=reader) == 0


def test_free_articles_do_not_spend_the_meter(reader: User, free_article: Article) -> None:
    assert read(free_article, reader).ground is Ground.FREE
    assert meter_reads_this_month(user=reader) == 0


def test_metered_decision_costs_a_fixed_number_of_queries(
    reader: User, django_assert_max_num_queries
) -> None:
    PaywallSettings.load()
    first, second = paywalled_articles(2)
    read(first, reader)
    # subscription, complimentary, verified emails, settings, lock/create period, read check,
    # insert read, update count (savepoints aside) — never proportional to past reads.
    with django_assert_max_num_queries(12):
        assert read(second, reader).allowed


def _race(user: User, articles: list[Article], barrier: threading.Barrier) -> list[bool]:
    results: list[bool] = [False] * len(articles)

    def open_tab(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = read(articles[index], user).allowed
        finally:
            connection.close()  # each thread has its own connection; free it for teardown

    threads = [threading.Thread(target=open_tab, args=(i,)) for i in range(len(articles))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_opening_the_last_free_articles_at_once_get_one_read() -> None:
    PaywallSettings.load()
    for attempt in range(8):
        user = UserFactory(email=f"onglets{attempt}@example.com")
        articles = paywalled_articles(4)
        for article in articles[:2]:
            assert read(article, user).allowed
        results = _race(user, articles[2:], threading.Barrier(2))
        assert sorted(results) == [False, True], f"attempt {attempt}: {results}"
        assert meter_reads_this_month(user=user) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_first_reads_of_a_month_racing_still_count_each_once() -> None:
    """No period row yet: both tabs create it at once; one insert waits for the other."""
    PaywallSettings.load()
    for attempt in range(8):
        user = UserFactory(email=f"premier{attempt}@example.com")
        articles = paywalled_articles(3)
        results = _race(user, articles, threading.Barrier(3))
        assert results == [True, True, True], f"attempt {attempt}: {results}"
        assert meter_reads_this_month(user=user) == 3
        assert MeterPeriod.objects.filter(user=user).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_last_article_in_two_tabs_counts_once() -> None:
    PaywallSettings.load()
    for attempt in range(8):
        user = UserFactory(email=f"double{attempt}@example.com")
        articles = paywalled_articles(3)
        for article in articles[:2]:
            read(article, user)
        results = _race(user, [articles[2], articles[2]], threading.Barrier(2))
        assert results == [True, True], f"attempt {attempt}: {results}"
        assert meter_reads_this_month(user=user) == 3
