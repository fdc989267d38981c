"""Per-recipient MIME bytes from a skeleton encoded once per campaign version.

The Python email package spends most of a message's cost folding headers and walking parts;
newsletter messages differ per recipient only in a handful of values. The skeleton (8bit UTF-8
parts, headers encoded once) gets them by byte substitution. Backends that do not ask for
``message()`` (anymail ESPs) read the ordinary EmailMultiAlternatives attributes instead, and
anything unusual (a non-ASCII address, a line too long for 8bit) takes Django's own path.
"""

from __future__ import annotations

import re
import time
import uuid
from email.header import Header
from email.utils import formatdate
from typing import Any

from django.core.mail import EmailMultiAlternatives

SMTP_LINE_LIMIT = 998
_DOT_LINE = re.compile(rb"(?m)^\.")


def _header(name: str, value: str) -> bytes:
    if value.isascii() and "\n" not in value:
        return f"{name}: {value}\r\n".encode()
    encoded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}\r\n".encode()


def _part(content_type: str, body: str) -> bytes:
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + body.replace("\r\n", "\n").replace("\n", "\r\n").encode()


class Skeleton:
    """The bytes of one campaign version, with the recipient's values still to substitute."""

    def __init__(
        self, *, subject: str, from_email: str, list_id: str, text: str, html: str
    ) -> None:
        self.usable = all(
            len(line.encode()) <= SMTP_LINE_LIMIT - 100
            for part in (text, html)
            for line in part.splitlines()
        )
        boundary = f"=_kiosque_{uuid.uuid4().hex}"
        self.fixed_headers = (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'.encode()
            + b"MIME-Version: 1.0\r\n"
            + _header("Subject", subject)
            + _header("From", from_email)
            + _header("List-Id", list_id)
            + b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nPrecedence: bulk\r\n"
        )
        marker = f"--{boundary}\r\n".encode()
        self.text = b"\r\n" + marker + _part("text/plain", text) + b"\r\n" + marker
        self.html = _part("text/html", html) + f"\r\n--{boundary}--\r\n".encode()
        # The same parts as SMTP DATA wants them (RFC 5321 4.5.2: a line's leading dot doubled),
        # done once here instead of a regex over every message. Both parts begin at a line start,
        # and no substituted value can begin a line with a dot.
        self.smtp_parts = (_DOT_LINE.sub(b"..", self.text), _DOT_LINE.sub(b"..", self.html))

    def assemble(
        self,
        *,
        to: str,
        message_id: str,
        unsubscribe_url: str,
        substitutions: tuple[tuple[bytes, bytes, bytes], ...],
        for_smtp_data: bool = False,
    ) -> bytes:
        """One recipient's finished message: four headers and byte substitutions.

        ``for_smtp_data``: dot-stuffed, ready to write after an SMTP DATA command.
        """
        headers = (
            self.fixed_headers
            + (
                f"To: {to}\r\nDate: {_date()}\r\nMessage-ID: {message_id}\r\n"
                f"List-Unsubscribe: {unsubscribe_url}\r\n"
            ).encode()
        )
        text, html = self.smtp_parts if for_smtp_data else (self.text, self.html)
        for mark, text_value, html_value in substitutions:
            text = text.replace(mark, text_value)
            html = html.replace(mark, html_value)
        return headers + text + html


_date_cache: tuple[int, str] = (0, "")


def _date() -> str:
    """The Date header, formatted once per second (formatdate is a measurable share per message)."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, localtime=True))
    return _date_cache[1]


class _Prebuilt:
    """Just enough of email.message.Message for Django's SMTP, console and locmem backends."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode()

    def get_charset(self) -> None:
        return None


class NewsletterMessage(EmailMultiAlternatives):
    skeleton: Skeleton | None = None
    # (placeholder, value in the text part, value in the HTML part, escaped)
    substitutions: tuple[tuple[bytes, bytes, bytes], ...] = ()

    def message(self, *args: Any, **kwargs: Any) -> Any:
        skeleton = self.skeleton
        to = self.to[0] if len(self.to) == 1 else ""
        if skeleton is None or not skeleton.usable or not to.isascii() or self.cc or self.bcc:
            return super().message(*args, **kwargs)
        return _Prebuilt(
            skeleton.assemble(
                to=to,
                message_id=self.extra_headers["Message-ID"],
                unsubscribe_url=self.extra_headers["List-Unsubscribe"],
                substitutions=self.substitutions,
            )
        )
