"""Prepared statements for the few hot queries that PostgreSQL would otherwise plan every time.

The paywall's query for a signed-in reader (one row: the account and every fact the paywall
decides on) takes PostgreSQL about 0.05 ms to run and 0.5 ms to plan. Django turns psycopg's
prepared statements off on its connections, for the sake of connection poolers in transaction
mode, and binds parameters on the client, so every execution is new SQL text to parse and plan.

``prepared_cursor()`` gives a cursor that binds parameters on the server and prepares each
statement on first use, so PostgreSQL plans it once per connection and, after a few executions,
keeps a generic plan. It is Django's own cursor wrapper around it, so errors are Django's. While
queries are logged (DEBUG, ``CaptureQueriesContext``) it is the ordinary cursor, whose log shows
each statement with its values.

Only for statements whose text is fixed and whose parameters are values (``%(name)s``): the
server binds them, so they cannot be identifiers or lists. On SQLite, or with
``DATABASE_PREPARED_STATEMENTS=false`` (behind a PgBouncer in transaction mode older than 1.22,
which can neither keep prepared statements nor forget them with DEALLOCATE ALL), it is the
ordinary cursor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

# Django opens its connections with prepare_threshold=None, which turns preparing off altogether.
# Our cursor lifts it only while it executes (a threshold no statement reaches: only its explicit
# prepare=True prepares), so psycopg keeps no account of the queries of Django's own cursors.
_EXPLICIT_ONLY = 2**31 - 1


def _prepared_cursor_class() -> type:
    import psycopg
    from psycopg.pq import TransactionStatus

    class PreparedCursor(psycopg.Cursor):  # type: ignore[type-arg]
        """psycopg's server-binding cursor that prepares every statement it executes."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs.setdefault("prepare", True)
            conn = self.connection
            threshold = conn.prepare_threshold
            if threshold is None:
                conn.prepare_threshold = _EXPLICIT_ONLY
            try:
                try:
                    return super().execute(query, params, **kwargs)
                except psycopg.errors.FeatureNotSupported:
                    # "cached plan must not change result type": a migration run from another
                    # connection changed a column under a statement prepared before it. Outside
                    # a transaction, forget this connection's statements (psycopg deallocates
                    # them before the next one) and prepare it again; inside one, the rollback
                    # that follows the error makes psycopg forget them anyway.
                    if conn.info.transaction_status != TransactionStatus.IDLE:
                        raise
                    conn._prepared.clear()
                    return super().execute(query, params, **kwargs)
            finally:
                conn.prepare_threshold = threshold

    return PreparedCursor


_cursor_class: type | None = None


def prepared_cursor() -> Any:
    """A cursor (use it in ``with``) whose statements PostgreSQL plans once per connection."""
    global _cursor_class
    if (
        connection.vendor != "postgresql"
        or not settings.DATABASE_PREPARED_STATEMENTS
        # Logged queries (DEBUG, CaptureQueriesContext) show their SQL with its values, which
        # Django can only tell for statements bound on the client.
        or connection.queries_logged
    ):
        return connection.cursor()
    if _cursor_class is None:
        _cursor_class = _prepared_cursor_class()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        connection.validate_thread_sharing()
        return connection.make_cursor(_cursor_class(connection.connection))
