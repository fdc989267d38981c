"""The delivery engine's SMTP transaction against a real server (aiosmtpd), with and without
PIPELINING: the same message arrives, refusals raise smtplib's own exceptions and leave the
connection ready for the next recipient."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from typing import Any

import pytest

from newsletters import delivery

SENDER = "lettre@kiosque.example"
MESSAGE = (
    b"From: La lettre <lettre@kiosque.example>\r\n"
    b"To: lecteur@example.com\r\n"
    b"Subject: La semaine de la relation client\r\n"
    b"Message-ID: <pipelining.1@kiosque.example>\r\n"
    b"\r\n"
    b"Bonjour,\r\n"
    b"..une ligne qui commence par un point (deja doublee)\r\n"
)


@pytest.fixture(params=[True, False], ids=["pipelining", "one-command-at-a-time"])
def client(request, smtp_server) -> Iterator[tuple[smtplib.SMTP, Any, list[bytes]]]:  # type: ignore[no-untyped-def]
    handler, port = smtp_server
    handler.pipelining = request.param
    connection = smtplib.SMTP("127.0.0.1", port, timeout=10)
    writes: list[bytes] = []
    send = connection.send

    def recording_send(data: Any) -> None:
        writes.append(data if isinstance(data, bytes) else data.encode())
        send(data)

    connection.send = recording_send  # type: ignore[method-assign]
    try:
        yield connection, handler, writes
    finally:
        connection.close()


def test_the_message_arrives_as_written(client):  # type: ignore[no-untyped-def]
    connection, handler, writes = client

    delivery._smtp_transaction(connection, SENDER, "lecteur@example.com", MESSAGE)

    assert handler.count() == 1
    received = handler.messages[0]
    assert received["Message-ID"] == "<pipelining.1@kiosque.example>"
    assert ".une ligne qui commence par un point" in received.get_content()
    envelope_writes = [w for w in writes if w.startswith(b"MAIL") or b"\r\nRCPT" in w]
    if handler.pipelining:
        # MAIL, RCPT and DATA left in one write.
        assert any(b"MAIL FROM:" in w and b"RCPT TO:" in w and b"DATA\r\n" in w for w in writes)
    else:
        assert not any(b"RCPT TO:" in w for w in envelope_writes if w.startswith(b"MAIL"))


def test_a_refused_recipient_raises_and_the_next_one_is_delivered(client):  # type: ignore[no-untyped-def]
    connection, handler, _writes = client
    handler.refuse["inconnu@example.com"] = "550 5.1.1 No such user"

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        delivery._smtp_transaction(connection, SENDER, "inconnu@example.com", MESSAGE)
    delivery._smtp_transaction(connection, SENDER, "lecteur@example.com", MESSAGE)

    assert refused.value.recipients == {"inconnu@example.com": (550, b"5.1.1 No such user")}
    assert handler.count() == 1
    assert handler.messages[0]["To"] == "lecteur@example.com"
    assert delivery.classify(refused.value) is delivery.PermanentFailure
