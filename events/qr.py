"""QR-code tickets: the code holds the registration reference typed at the desk."""

from __future__ import annotations

import io

import segno

from events.models import Registration


def ticket_qr(registration: Registration) -> segno.QRCode:
    """A regular QR code, never a Micro QR.

    segno.make() picks a Micro QR for a reference this short, and phone cameras, the browsers'
    BarcodeDetector and jsQR do not read those. The quiet zone is the four modules the
    standard asks for.
    """
    return segno.make_qr(registration.reference, error="m")


def ticket_qr_svg(registration: Registration) -> str:
    buffer = io.BytesIO()
    ticket_qr(registration).save(
        buffer, kind="svg", scale=6, border=4, xmldecl=False, svgns=True, title="QR"
    )
    return buffer.getvalue().decode()


def ticket_qr_png(registration: Registration) -> bytes:
    buffer = io.BytesIO()
    ticket_qr(registration).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
