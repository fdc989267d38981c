"""PostgreSQL drops the app's connections (as in a restart): requests fail cleanly, then recover.

Only this test's own backend is terminated (pg_terminate_backend on its pid), never the shared
server. Requests go through Django's WSGIHandler as in production: the test client disconnects
close_old_connections, which is precisely the recovery under test.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from config.wsgi import application
from newsletters.models import Newsletter

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's"
)


def _serve(path: str) -> tuple[int, bytes]:
    """One request through the production handler, request_finished included."""
    status: list[str] = []

    def start_response(code: str, headers: Any, *exc_info: Any) -> Any:
        status.append(code)

    response = application(RequestFactory().get(path).environ, start_response)
    try:
        body = b"".join(response)
    finally:
        response.close()  # fires request_finished, where Django drops a broken connection
    return int(status[0].split()[0]), body


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _terminate(pid: int) -> None:
    params: dict[str, Any] = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("health_checks", "during"),
    [
        # Without health checks the request that meets the dead connection gets the error page.
        (False, 500),
        # With DATABASE_CONN_HEALTH_CHECKS the connection is tested first and replaced.
        (True, 200),
    ],
)
def test_requests_recover_after_the_database_drops_the_connection(
    settings, monkeypatch, health_checks, during
):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", health_checks)
    # The subscription form lists the newsletters from the database on every request (article
    # pages may come from the page cache without a query, and would prove nothing here).
    Newsletter.objects.create(name="Le retour du téléconseiller", slug="retour")
    url = reverse("newsletters:subscribe")
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert _serve(url)[0] == 200
    pid = _backend_pid()  # the persistent connection the next request would reuse

    _terminate(pid)
    first, _ = _serve(url)
    second, body = _serve(url)

    assert first == during
    assert second == 200
    assert "Le retour du téléconseiller" in body.decode()
    assert _backend_pid() != pid
