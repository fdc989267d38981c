"""Signed tokens in newsletter links: unsubscribe (never expires) and double opt-in (expires)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

UNSUBSCRIBE_SALT = "newsletters.unsubscribe"
CONFIRM_SALT = "newsletters.confirm"


class InvalidToken(Exception):
    pass


class ExpiredToken(InvalidToken):
    pass


@dataclass(frozen=True)
class UnsubscribeTarget:
    newsletter_id: int
    email: str


def unsubscribe_token(newsletter_id: int, email: str) -> str:
    # RFC 8058 links must keep working for as long as the message sits in a mailbox: no expiry.
    return signing.dumps([newsletter_id, email], salt=UNSUBSCRIBE_SALT, compress=False)


def read_unsubscribe_token(token: str) -> UnsubscribeTarget:
    try:
        newsletter_id, email = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return UnsubscribeTarget(int(newsletter_id), str(email))
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc


def confirmation_token(email: str, newsletter_ids: list[int]) -> str:
    return signing.dumps({"e": email, "n": sorted(newsletter_ids)}, salt=CONFIRM_SALT)


def read_confirmation_token(token: str) -> tuple[str, list[int]]:
    max_age = settings.NEWSLETTER_CONFIRMATION_MAX_AGE_DAYS * 24 * 3600
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
        return str(payload["e"]), [int(pk) for pk in payload["n"]]
    except signing.SignatureExpired as exc:
        raise ExpiredToken(str(exc)) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc
