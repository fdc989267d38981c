"""QR-code tickets: the code holds the registration reference typed at the desk."""

from __future__ import annotations

import io

import segno

from events.models import Registration


def ticket_qr_svg(registration: Registration) -> str:
    qr = segno.make(registration.reference, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=6, border=2, xmldecl=False, svgns=True, title="QR")
    return buffer.getvalue().decode()


def ticket_qr_png(registration: Registration) -> bytes:
    qr = segno.make(registration.reference, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()
