"""Session stores that keep the signed-in account's id in a column of the session row.

``SESSION_ENGINE`` is ``accounts.sessions.cached_db`` with Redis (reads from the shared cache,
writes to both) and ``accounts.sessions.db`` without it. Both are Django's own stores with one
change: the row (``accounts.models.Session``) carries ``account_id``, taken from the session's
data whenever it is saved, so that one query can read a session together with its account.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY


def account_id_of(data: dict[str, Any]) -> int | None:
    """The account id a session's data names, or None (anonymous, or not an id)."""
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class AccountColumnMixin:
    """Saves the account's id beside the session's data."""

    @classmethod
    def get_model_class(cls) -> type[Any]:
        from accounts.models import Session

        return Session

    def is_loaded(self) -> bool:
        """Whether the session's data has been read already (from its row or the cache)."""
        return hasattr(self, "_session_cache")

    def loaded_from_row(self, data: dict[str, Any]) -> None:
        """Take ``data``, decoded from this session's row read along with its account.

        As the store's own ``load()`` would have done: the session is now loaded.
        """
        self._session_cache = data

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance = super().create_model_instance(data)  # type: ignore[misc]
        instance.account_id = account_id_of(data)
        return instance
