"""The signed-in reader's paywall query is a prepared statement on PostgreSQL (core.db).

Planning it cost PostgreSQL ten times what running it did. Prepared once per connection, it must
still answer for whoever asks: a generic plan reused across readers must not mix up their rights.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.db import prepared_cursor
from magazine.models import Article
from paywall.models import PaywallSettings
from tests.factories import ArticleFactory

PAST_THE_CUT = "SUITE-PREPAREE-POUR-LES-ABONNES"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


@pytest.fixture
def premium() -> Article:
    return ArticleFactory(  # type: ignore[return-value]
        access=Article.Access.SUBSCRIBERS,
        body=f"<p>Le début, ouvert à tous.</p><hr><p>{PAST_THE_CUT}</p>",
    )


def _prepared_user_queries() -> list[tuple[str, int, int]]:
    """The prepared statements that read the account (with its session, accounts.sessions)."""
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            [f"%JOIN {table} ON%"],
        )
        return list(cursor.fetchall())


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_readers_take_turns_on_one_prepared_statement_and_keep_their_own_rights(
    subscriber, reader, premium
):
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 0})
    subscriber_client, reader_client = _signed_in(subscriber), _signed_in(reader)

    # Past PostgreSQL's five custom plans, so that the generic plan serves both readers too.
    for _ in range(8):
        subscribed_page = subscriber_client.get(premium.get_absolute_url()).content.decode()
        walled_page = reader_client.get(premium.get_absolute_url()).content.decode()
        assert PAST_THE_CUT in subscribed_page
        assert PAST_THE_CUT not in walled_page
        assert reader_client.session[SESSION_KEY] == str(reader.pk)

    [(statement, generic_plans, custom_plans)] = _prepared_user_queries()
    assert "$1" in statement  # values bound by the server, not quoted into the text
    assert generic_plans + custom_plans == 16


def test_turned_off_nothing_is_prepared(settings, subscriber, premium):
    settings.DATABASE_PREPARED_STATEMENTS = False
    client = _signed_in(subscriber)

    for _ in range(3):
        assert PAST_THE_CUT in client.get(premium.get_absolute_url()).content.decode()

    assert _prepared_user_queries() == []


def test_logged_queries_show_their_values(db):
    with CaptureQueriesContext(connection) as queries, prepared_cursor() as cursor:
        cursor.execute("SELECT %(answer)s::int + 1", {"answer": 41})
        assert cursor.fetchone() == (42,)

    assert queries.captured_queries[-1]["sql"] == "SELECT 41::int + 1"


def test_a_failing_statement_raises_djangos_error_and_the_next_one_works(db):
    from django.db import DataError, transaction

    with pytest.raises(DataError), transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute("SELECT 1 / %(zero)s::int", {"zero": 0})

    with prepared_cursor() as cursor:
        cursor.execute("SELECT %(value)s::int * 2", {"value": 21})
        assert cursor.fetchone() == (42,)


def test_djangos_own_queries_stay_unprepared_and_uncounted(subscriber):
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %(value)s::int", {"value": 1})
    list(User.objects.filter(pk=subscriber.pk))

    # Django's setting (preparing off) is back as soon as our statement has run.
    assert connection.connection.prepare_threshold is None


@pytest.mark.django_db(transaction=True)
def test_a_statement_prepared_before_a_migration_elsewhere_is_prepared_again():
    import psycopg

    probe = "SELECT v FROM kiosque_prepared_probe WHERE v = %(v)s"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE kiosque_prepared_probe (v integer)")
        cursor.execute("INSERT INTO kiosque_prepared_probe VALUES (21)")
    try:
        for _ in range(2):
            with prepared_cursor() as cursor:
                cursor.execute(probe, {"v": 21})
                assert cursor.fetchone() == (21,)
        # Another connection (a deploy's migrate) changes the column's type under the statement:
        # PostgreSQL then refuses it ("cached plan must not change result type").
        params = connection.get_connection_params()
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("ALTER TABLE kiosque_prepared_probe ALTER COLUMN v TYPE bigint")

        with prepared_cursor() as cursor:
            cursor.execute(probe, {"v": 21})
            assert cursor.fetchone() == (21,)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE kiosque_prepared_probe")
