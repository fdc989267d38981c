"""Cached, database-backed sessions with the account's id in a column (see accounts.sessions)."""

from __future__ import annotations

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from accounts.sessions import AccountColumnMixin


# Named SessionStore as Django's: the name salts the signature of the session's data.
class SessionStore(AccountColumnMixin, CachedDBStore):
    # Not Django's prefix: sessions kept in the cache before the move to accounts_session are
    # not in that table, and must not outlive it in the cache either.
    cache_key_prefix = "kiosque.sessions.cached_db"
