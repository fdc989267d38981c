"""The article page reads the session's account together with the paywall's facts, in one query.

Saving that query must not weaken authentication: Django's checks (backend, is_active, session
hash, fallback secrets) still decide whether the session is signed in.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Session, User
from magazine.models import Article
from tests.factories import ArticleFactory

PAST_THE_CUT = "SUITE-RESERVEE-AUX-ABONNES"


@pytest.fixture
def premium() -> Article:
    return ArticleFactory(  # type: ignore[return-value]
        access=Article.Access.SUBSCRIBERS,
        body=f"<p>Le début, ouvert à tous.</p><hr><p>{PAST_THE_CUT}</p>",
    )


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _user_selects(queries: list[dict[str, Any]]) -> list[str]:
    table = connection.ops.quote_name(User._meta.db_table)
    return [
        query["sql"]
        for query in queries
        if f"FROM {table}" in query["sql"] or f"JOIN {table}" in query["sql"]
    ]


def _session_reads(queries: list[dict[str, Any]]) -> list[str]:
    table = connection.ops.quote_name(Session._meta.db_table)
    return [query["sql"] for query in queries if table in query["sql"]]


def test_a_subscriber_reads_in_full_with_the_account_read_once(subscriber, premium):
    client = _signed_in(subscriber)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(premium.get_absolute_url())

    assert response.status_code == 200
    assert PAST_THE_CUT in response.content.decode()
    assert response.wsgi_request.user == subscriber
    selects = _user_selects(queries.captured_queries)
    assert len(selects) == 1
    assert "subscriptions_subscription" in selects[0]  # the paywall's facts rode along
    # ... and so did the session: no other query reads it.
    assert _session_reads(queries.captured_queries) == selects


def test_a_reader_without_subscription_meets_the_wall_and_stays_signed_in(reader, premium):
    from paywall.models import PaywallSettings

    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 0})
    client = _signed_in(reader)

    response = client.get(premium.get_absolute_url())

    assert PAST_THE_CUT not in response.content.decode()
    assert response.wsgi_request.user == reader
    assert client.session[SESSION_KEY] == str(reader.pk)


def test_a_password_changed_elsewhere_ends_the_session(subscriber, premium):
    client = _signed_in(subscriber)
    subscriber.set_password("un-tout-autre-mot-de-passe")
    subscriber.save()

    response = client.get(premium.get_absolute_url())

    assert PAST_THE_CUT not in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert SESSION_KEY not in client.session  # flushed, as django.contrib.auth does


def test_a_deactivated_account_is_not_signed_in(subscriber, premium):
    client = _signed_in(subscriber)
    User.objects.filter(pk=subscriber.pk).update(is_active=False)

    response = client.get(premium.get_absolute_url())

    assert PAST_THE_CUT not in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_deleted_account_is_not_signed_in(subscriber, premium):
    client = _signed_in(subscriber)
    subscriber.subscriptions.all().delete()
    User.objects.filter(pk=subscriber.pk).delete()

    response = client.get(premium.get_absolute_url())

    assert PAST_THE_CUT not in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_session_signed_with_a_retired_secret_is_kept_and_re_signed(
    subscriber, premium, settings
):
    client = _signed_in(subscriber)
    old_hash = client.session[HASH_SESSION_KEY]
    old_key = client.session.session_key
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-0123456789-abcdefghijklmnop"

    response = client.get(premium.get_absolute_url())

    assert PAST_THE_CUT in response.content.decode()
    assert response.wsgi_request.user == subscriber
    assert client.session[HASH_SESSION_KEY] != old_hash
    assert client.session.session_key != old_key  # cycled, as django.contrib.auth does


def test_a_session_from_a_backend_no_longer_configured_is_not_signed_in(subscriber, premium):
    client = _signed_in(subscriber)
    session = client.session
    session["_auth_user_backend"] = "django.contrib.auth.backends.RemoteUserBackend"
    session.save()

    response = client.get(premium.get_absolute_url())

    assert PAST_THE_CUT not in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


# The session row names its account (accounts.sessions): session, account and paywall facts come
# in one query. The session's own data stays the authority.


def _session_row(client: Client) -> Any:
    return Session.objects.filter(session_key=client.cookies["sessionid"].value)


def test_signing_in_and_out_keeps_the_account_beside_the_session(client, reader):
    client.force_login(reader)
    assert _session_row(client).get().account_id == reader.pk

    client.post(reverse("account_logout"))

    assert not Session.objects.filter(account_id=reader.pk).exists()


def test_the_session_is_not_loaded_apart_from_the_account(subscriber, premium, settings):
    store = import_module(settings.SESSION_ENGINE).SessionStore
    client = _signed_in(subscriber)

    with mock.patch.object(store, "load", side_effect=AssertionError("loaded on its own")):
        response = client.get(premium.get_absolute_url())

    assert PAST_THE_CUT in response.content.decode()
    assert response.wsgi_request.user == subscriber


def test_a_row_naming_another_account_is_not_believed(subscriber, reader, premium):
    from paywall.models import PaywallSettings

    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 0})
    client = _signed_in(reader)
    _session_row(client).update(account_id=subscriber.pk)  # forged, or left by a bug

    response = client.get(premium.get_absolute_url())

    assert response.wsgi_request.user == reader  # whom the session's data names
    assert PAST_THE_CUT not in response.content.decode()


def test_a_session_from_before_the_column_still_signs_in(subscriber, premium):
    client = _signed_in(subscriber)
    _session_row(client).update(account_id=None)

    response = client.get(premium.get_absolute_url())

    assert response.wsgi_request.user == subscriber
    assert PAST_THE_CUT in response.content.decode()


def test_an_expired_session_is_not_signed_in(subscriber, premium):
    from django.core.cache import cache

    client = _signed_in(subscriber)
    _session_row(client).update(expire_date=timezone.now() - timedelta(minutes=1))
    cache.clear()  # the shared cache would have let the entry expire at the same time

    response = client.get(premium.get_absolute_url())

    assert not response.wsgi_request.user.is_authenticated
    assert PAST_THE_CUT not in response.content.decode()


def test_expired_sessions_are_cleared_by_the_daily_task(client, reader, settings):
    from accounts.tasks import sessions_clear_expired

    client.force_login(reader)
    live = _session_row(client).get()
    expired = Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1)
    )

    sessions_clear_expired()

    assert Session.objects.filter(pk=live.pk).exists()
    assert not Session.objects.filter(pk=expired.pk).exists()
    assert "accounts-sessions-clear-expired" in settings.CELERY_BEAT_SCHEDULE
