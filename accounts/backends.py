"""The session's account plus facts about it, in one query; backends that accept it.

A signed-in reader's article page needs three things: its session, the account behind it and the
facts the paywall decides on. Under load each round trip costs more than its work, so all three
are read in one query (``session_user_with``: the session row names its account, see
``accounts.sessions``). What to read along is an ``AccountFacts``: the app that needs the facts
writes their columns over the account id it is given, and turns the row's values into its own
type; this module writes the rest of the query and never looks inside those columns. The account
is then handed to Django's own ``auth.get_user``, which still does every check it always does:
the backend recorded in the session, ``is_active``, the session hash (a changed password ends
other sessions) and the fallback secrets. Only the separate loads of the session and of the user
row are saved.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from functools import cache
from typing import Any, Generic, TypeVar

from allauth.account.auth_backends import AuthenticationBackend as AllauthAuthenticationBackend
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from accounts.sessions import AccountColumnMixin, account_id_of
from core.db import prepared_cursor

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class AccountFacts(abc.ABC, Generic[T_co]):
    """Facts about an account to read in the same query as the account itself.

    ``columns`` are SQL expressions over ``account``, the SQL that names the account's id there
    (a column of the joined user table, or a parameter); ``params`` are the values of the other
    ``%(name)s`` parameters they use, which must not clash with the names used here
    (``user``, ``session_key``, ``session_now``). For the same inputs, ``columns`` must return the
    same text: each distinct text is a statement prepared once per connection (``core.db``).
    """

    @abc.abstractmethod
    def columns(self, account: str) -> tuple[str, ...]: ...

    @abc.abstractmethod
    def params(self) -> Mapping[str, Any]: ...

    @abc.abstractmethod
    def from_row(self, row: Sequence[Any]) -> T_co:
        """The facts, from the values of ``columns`` in their order."""


# The account read by session_user_with, offered to get_user for the duration of one call.
_preloaded_user: ContextVar[Any] = ContextVar("preloaded_user", default=None)


class PreloadedUserMixin:
    """``get_user`` answers from the preloaded row when it is the one asked for."""

    def get_user(self, user_id: Any) -> Any:
        user = _preloaded_user.get()
        if user is not None and user.pk == user_id:
            return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]
        return super().get_user(user_id)  # type: ignore[misc]


class ModelBackend(PreloadedUserMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(PreloadedUserMixin, AllauthAuthenticationBackend):
    pass


@contextlib.contextmanager
def _preloaded(user: Any) -> Iterator[None]:
    token = _preloaded_user.set(user)
    try:
        yield
    finally:
        _preloaded_user.reset(token)


def _user_pending(request: HttpRequest) -> bool:
    """Whether ``request.user`` is still the middleware's lazy object, not yet loaded."""
    lazy = request.__dict__.get("user")
    return isinstance(lazy, SimpleLazyObject) and lazy._wrapped is empty  # type: ignore[attr-defined]


def _session_user_id(request: HttpRequest) -> Any:
    """The account id the session claims (not yet verified), or None."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    try:
        return get_user_model()._meta.pk.to_python(session[SESSION_KEY])  # type: ignore[union-attr]
    except (KeyError, ValidationError):
        return None  # anonymous, or an id Django will reject its usual way


def session_user_with(request: HttpRequest, facts: AccountFacts[T]) -> tuple[Any, T | None]:
    """``request.user`` and ``facts`` about that account, in one query.

    The session itself rides along when its row names its account (accounts.sessions): one query
    then reads session, account and facts. Otherwise the session is loaded as usual first.

    Returns (the user, the facts), or (the user, None) when the user was already loaded, is
    anonymous, or did not pass Django's checks: the caller then asks on its own.
    """
    if not _user_pending(request):
        return getattr(request, "user", None), None
    params = dict(facts.params())
    found = _read_with_session(request, facts, params)
    if found is None:
        user_id = _session_user_id(request)
        if user_id is None:
            return getattr(request, "user", None), None
        # Always the same text for the same columns: PostgreSQL plans it once per connection.
        columns = facts.columns("%(user)s")
        with prepared_cursor() as cursor:
            cursor.execute(_user_sql(connection.vendor, columns), {**params, "user": user_id})
            found = cursor.fetchone()
        if found is None:
            return request.user, None  # the account is gone: Django logs the session out as usual
    user, extras = _checked_user(request, found)
    return user, (facts.from_row(extras) if extras is not None else None)


def _read_with_session(
    request: HttpRequest, facts: AccountFacts[Any], params: dict[str, Any]
) -> tuple[Any, ...] | None:
    """The account's row and the facts' columns, read with the session (then loaded), or None."""
    session = getattr(request, "session", None)
    if not isinstance(session, AccountColumnMixin) or session.is_loaded():
        return None
    session_key = session.session_key  # type: ignore[attr-defined]
    if not session_key:
        return None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    _table, account, _selected = _user_select(connection.vendor)
    with prepared_cursor() as cursor:
        cursor.execute(
            _session_user_sql(connection.vendor, facts.columns(account)),
            {**params, "session_key": session_key, "session_now": now},
        )
        found = cursor.fetchone()
    if found is None:
        return None  # no such session, expired, or nobody signed in to it
    data = session.decode(found[0])  # type: ignore[attr-defined]
    row = tuple(found[1:])
    if account_id_of(data) != row[_user_pk_index(connection.vendor)]:
        return None  # the column disagrees with the session's data: load it the usual way
    session.loaded_from_row(data)
    return row


def _checked_user(
    request: HttpRequest, found: tuple[Any, ...]
) -> tuple[Any, tuple[Any, ...] | None]:
    """The account in ``found`` handed to Django's get_user; (user, extras) if it is the one."""
    model = get_user_model()
    fields, converters = _user_columns(connection.vendor)
    values = list(found[: len(fields)])
    for index, column, field_converters in converters:
        for converter in field_converters:
            values[index] = converter(values[index], column, connection)
    row = model.from_db(connection.alias, [field.attname for field in fields], values)
    extras = tuple(found[len(fields) :])
    with _preloaded(row):
        user = request.user
        authenticated = user.is_authenticated  # loads it, through Django's checks
    if not authenticated or user.pk != row.pk:
        return user, None
    return user, extras


@cache
def _user_select(vendor: str) -> tuple[str, str, str]:
    """(the user table, its primary key column, the selected list of its columns), quoted."""
    model = get_user_model()
    fields, _converters = _user_columns(vendor)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = f"{table}.{quote(str(model._meta.pk.column))}"  # type: ignore[union-attr]
    selected = ", ".join(f"{table}.{quote(str(field.column))}" for field in fields)
    return table, pk, selected


@cache
def _user_sql(vendor: str, columns: tuple[str, ...]) -> str:
    table, pk, selected = _user_select(vendor)
    # Identifiers come from our models and the columns from our code; values are parameters.
    return f"SELECT {selected}, {', '.join(columns)} FROM {table} WHERE {pk} = %(user)s"  # noqa: S608


@cache
def _session_user_sql(vendor: str, columns: tuple[str, ...]) -> str:
    from accounts.models import Session

    table, pk, selected = _user_select(vendor)
    sessions = connection.ops.quote_name(Session._meta.db_table)
    # The columns ask about the account as ``pk``: here the session's, joined in.
    joined_columns = ", ".join(columns)
    # Identifiers come from our models and the columns from our code; values are parameters.
    return (
        f"SELECT {sessions}.session_data, {selected}, {joined_columns}"  # noqa: S608
        f" FROM {sessions} JOIN {table} ON {pk} = {sessions}.account_id"
        f" WHERE {sessions}.session_key = %(session_key)s"
        f" AND {sessions}.expire_date > %(session_now)s"
    )


@cache
def _user_pk_index(vendor: str) -> int:
    fields, _converters = _user_columns(vendor)
    return next(index for index, field in enumerate(fields) if field.primary_key)


@cache
def _user_columns(vendor: str) -> tuple[list[Any], list[tuple[int, Any, list[Any]]]]:
    """The user's concrete fields, and the database converters of those that have some.

    The same conversions the ORM applies to its rows (SQLite's dates and booleans, for one);
    on PostgreSQL the driver's values are already Python's.
    """
    fields = list(get_user_model()._meta.concrete_fields)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((index, column, found))
    return fields, converters
