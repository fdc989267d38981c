"""Ticket QR codes are regular QR codes that a real decoder reads back (never Micro QR).

zxing-cpp decodes them as a phone camera or the check-in desk's scanner would; it is asked for
regular (model 2) QR codes only, which Micro QR codes (what segno.make() picked for an
8-character reference) are not.
"""

from __future__ import annotations

import io

import pytest
import zxingcpp
from django.core import mail
from PIL import Image

from events.models import Registration, TicketType
from events.qr import ticket_qr, ticket_qr_png, ticket_qr_svg
from tests.events.helpers import register

pytestmark = pytest.mark.django_db


def _decoded(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png))
    return [
        barcode.text
        for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCodeModel2)
    ]


def _registration(ticket_type: TicketType) -> Registration:
    registration = register(ticket_type, "lea@example.com").registration
    assert registration.status == Registration.Status.CONFIRMED
    return registration


def test_the_ticket_email_carries_a_qr_code_a_decoder_reads(
    free_ticket: TicketType, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        registration = _registration(free_ticket)

    (message,) = mail.outbox
    attachments = {name: content for name, content, _type in message.attachments}
    png = attachments[f"billet-{registration.reference}.png"]
    assert _decoded(png) == [registration.reference]


def test_the_ticket_page_shows_the_same_regular_qr_code(client, free_ticket: TicketType) -> None:  # type: ignore[no-untyped-def]
    registration = _registration(free_ticket)

    page = client.get(registration.get_absolute_url()).content.decode()

    assert ticket_qr_svg(registration) in page
    code = ticket_qr(registration)
    assert not code.is_micro
    assert _decoded(ticket_qr_png(registration)) == [registration.reference]
