"""The meter under concurrency, with the interleaving forced rather than hoped for.

tests/subscriptions/test_meter.py races threads at a barrier and repeats: whether the two reads
ever overlap is up to the scheduler. Here the first tab to get past the meter's lock waits,
inside its transaction, until the other tab has either come in too (the lock is broken) or is
seen by PostgreSQL waiting on it (``pg_blocking_pids``). The outcome no longer depends on luck,
and a last test shows the harness does catch a meter without its row lock.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from accounts.models import User
from magazine.models import Article
from paywall import services
from paywall.models import MeterPeriod, MeterRead, PaywallSettings
from tests.factories import ArticleFactory, UserFactory
from tests.paywall.page import page_access

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SAFETY_NET_SECONDS = 30  # only to end a hung run with a message, never part of the verdict


class _Race:
    """Holds the first tab inside the meter's critical section until the other one shows up."""

    def __init__(self, tabs: int) -> None:
        self.tabs = tabs
        self.pids: dict[int, int] = {}
        self.entered: list[int] = []
        self.state = threading.Lock()
        self.barrier = threading.Barrier(tabs)

    def hook(self) -> None:
        me = threading.get_ident()
        with self.state:
            self.entered.append(me)
            leader = len(self.entered) == 1
        if not leader:
            return
        others = [pid for ident, pid in self.pids.items() if ident != me]
        deadline = time.monotonic() + SAFETY_NET_SECONDS
        with connection.cursor() as cursor:
            while True:
                with self.state:
                    if len(self.entered) >= self.tabs:
                        return  # everyone is inside at once: the lock did not hold them
                cursor.execute(
                    "SELECT bool_and(pg_backend_pid() = ANY(pg_blocking_pids(pid))) "
                    "FROM unnest(%s::int[]) AS pid",
                    [others],
                )
                if cursor.fetchone()[0]:
                    return  # every other tab waits on this one's lock
                if time.monotonic() > deadline:
                    raise AssertionError("the other tabs neither waited nor came in")
                time.sleep(0.005)


def _hooked_meter_period(race: _Race, *, locked: bool = True) -> Any:
    """Stands in for MeterPeriod in subscriptions.services: the hook runs once the row is held.

    ``locked=False`` is the broken meter the last test needs: the same code without the lock.
    """

    class Rows:
        def get_or_create(self, **kwargs: Any) -> tuple[MeterPeriod, bool]:
            rows = MeterPeriod.objects.select_for_update() if locked else MeterPeriod.objects.all()
            result = rows.get_or_create(**kwargs)
            race.hook()
            return result

    class Manager:
        def select_for_update(self) -> Rows:
            return Rows()

        def __getattr__(self, name: str) -> Any:
            return getattr(MeterPeriod.objects, name)

    class Model:
        objects = Manager()

    return Model


def _read_in_tabs(
    user: User, articles: list[Article], monkeypatch: pytest.MonkeyPatch, *, locked: bool = True
) -> tuple[list[bool], _Race]:
    race = _Race(len(articles))
    monkeypatch.setattr(services, "MeterPeriod", _hooked_meter_period(race, locked=locked))
    results: list[bool | None] = [None] * len(articles)
    errors: list[BaseException] = []

    def tab(index: int) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                race.pids[threading.get_ident()] = cursor.fetchone()[0]
            race.barrier.wait(timeout=SAFETY_NET_SECONDS)
            decision = page_access(article=articles[index], user=user)
            results[index] = decision.allowed
        except BaseException as exc:  # reported below: a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(i,)) for i in range(len(articles))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SAFETY_NET_SECONDS * 2)
    assert not errors, errors
    assert len(race.entered) == len(articles), "the meter no longer runs through the hook"
    return [bool(result) for result in results], race


def _paywalled(count: int) -> list[Article]:
    return [ArticleFactory(access=Article.Access.SUBSCRIBERS) for _ in range(count)]


def _spend(user: User, articles: list[Article]) -> None:
    for article in articles:
        assert page_access(article=article, user=user).allowed


@pytest.fixture
def limit_of_three() -> None:
    assert connection.vendor == "postgresql", "this proof needs PostgreSQL's row locks"
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 3})


@pytest.mark.usefixtures("limit_of_three")
def test_two_tabs_opening_different_last_articles_at_once_get_one_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = UserFactory(email="deux-onglets@example.com")
    articles = _paywalled(4)
    _spend(user, articles[:2])

    results, _race = _read_in_tabs(user, articles[2:], monkeypatch)

    assert sorted(results) == [False, True]
    assert services.meter_reads_this_month(user=user) == 3
    assert MeterRead.objects.filter(period__user=user).count() == 3


@pytest.mark.usefixtures("limit_of_three")
def test_first_reads_of_the_month_in_two_tabs_make_one_period_and_two_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = UserFactory(email="premier-du-mois@example.com")

    results, _race = _read_in_tabs(user, _paywalled(2), monkeypatch)

    assert results == [True, True]
    assert MeterPeriod.objects.filter(user=user).count() == 1
    assert services.meter_reads_this_month(user=user) == 2


@pytest.mark.usefixtures("limit_of_three")
def test_the_harness_catches_a_meter_without_its_row_lock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The proof can fail: drop select_for_update and both last reads get through."""
    user = UserFactory(email="sans-verrou@example.com")
    articles = _paywalled(4)
    _spend(user, articles[:2])

    results, _race = _read_in_tabs(user, articles[2:], monkeypatch, locked=False)

    assert results == [True, True]
    assert MeterRead.objects.filter(period__user=user).count() == 4
