"""Database-backed sessions with the account's id in a column (see accounts.sessions)."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DBStore

from accounts.sessions import AccountColumnMixin


# Named SessionStore as Django's: the name salts the signature of the session's data.
class SessionStore(AccountColumnMixin, DBStore):
    pass
