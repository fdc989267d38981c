"""Events on the site `make run` serves: a visitor registers for the next New Biz Forum, pays
through the Stripe simulator and gets the ticket; at the door, the events staff scan its QR code.

The QR code is read the way a phone reads it: from the image on the attendee's screen (and the
PNG attached to the confirmation email), with a real decoder (zxing-cpp). Headless Chromium has
no BarcodeDetector, so the desk's page gets one that reports what that decoder read, once the
(fake) camera runs: the scan then takes the page's own path, camera loop included.
"""

from __future__ import annotations

import io
import re
from email.message import EmailMessage
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from tests.chromium import SCREENSHOTS
from tests.journeys.embedded import EmbeddedSite, message_text, recipients
from tests.journeys.helpers import admin_login

pytestmark = [pytest.mark.embedded, pytest.mark.browser]

EVENTS_STAFF = "evenements@kiosque.local"
EVENT = "New Biz Forum"
TICKET = "Pass forum (deux jours)"
ATTENDEE = {"first_name": "Léa", "last_name": "Bernard", "company": "Volubile"}
ATTENDEE_EMAIL = "lea.bernard@volubile.example"

# Stands in for the platform's barcode reader: it reports the text the test decoded from the
# ticket, and only from the camera's video once it plays, as a real detector would.
BARCODE_DETECTOR = """
window.BarcodeDetector = class {
  constructor(options) {
    if (!options || !options.formats || !options.formats.includes("qr_code")) {
      throw new TypeError("this reader decodes QR codes only");
    }
  }
  static async getSupportedFormats() { return ["qr_code"]; }
  async detect(source) {
    const playing = source instanceof HTMLVideoElement && source.readyState >= 2;
    const text = window.ticketHeldToTheCamera;
    if (!playing || !text) return [];
    window.ticketHeldToTheCamera = "";  // read once, then the ticket leaves the lens
    return [{ format: "qr_code", rawValue: text }];
  }
};
"""


def decode_qr(png: bytes) -> str:
    """The text of the one QR code in the image; a Micro QR code or anything else fails."""
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, f"{len(results)} codes found in the image"
    (result,) = results
    assert result.format == zxingcpp.BarcodeFormat.QRCode, f"not a QR code: {result.format}"
    return str(result.text)


def attached_png(message: EmailMessage) -> bytes:
    for part in message.iter_attachments():
        if part.get_content_type() == "image/png":
            return bytes(part.get_content())  # type: ignore[attr-defined]
    raise AssertionError(f"no PNG attached to {message['Subject']!r}")


def test_visitor_pays_for_the_forum_and_staff_scan_the_ticket_at_the_door(
    embedded_site: EmbeddedSite, open_page: Any, screenshot: Any
) -> None:
    base = embedded_site.url

    # 1. The visitor, on a phone: the next New Biz Forum, the paid pass.
    phone: Page = open_page(phone=True)
    phone.goto(f"{base}/evenements/")
    upcoming = phone.locator("section:has(#upcoming-title)")
    upcoming.get_by_role("link", name=EVENT).first.click()
    expect(phone.locator("h1")).to_contain_text(EVENT)
    event_path = phone.url.removeprefix(base)
    screenshot(phone, "events-01-event-page")
    pass_ticket = phone.locator(
        "li.ev-ticket", has=phone.locator(".ev-ticket__name", has_text=TICKET)
    )
    price = re.search(r"\d+,\d\d", pass_ticket.locator(".ev-ticket__price").inner_text())
    assert price is not None, "the pass is not a paid ticket"
    pass_ticket.locator("a.button[href*='/inscription/']").click()

    # 2. Registration form, then the simulated Checkout on this very port.
    for field, value in ATTENDEE.items():
        phone.locator(f"#id_{field}").fill(value)
    phone.locator("#id_email").fill(ATTENDEE_EMAIL)
    phone.locator("#id_consent").check()
    screenshot(phone, "events-02-registration")
    phone.locator("form.ev-form button[type=submit]").click()
    phone.wait_for_url(re.compile(rf"^{re.escape(base)}/abonnement/simulateur/cs_"))
    expect(phone.locator(".simulator")).to_contain_text(price.group(0))
    phone.locator("input[name=card][value=visa]").check()
    screenshot(phone, "events-03-simulated-checkout")
    phone.locator(".simulator form button[type=submit]").click()

    # 3. Back on the site: the confirmed ticket, with its code and QR code.
    phone.wait_for_url(re.compile(rf"^{re.escape(base)}/evenements/billet/"), timeout=60_000)
    code = phone.get_by_test_id("ticket-code")
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{6,}$"), timeout=60_000)
    reference = code.inner_text().strip()
    qr = phone.locator(".ev-ticket-card__qr")
    expect(qr).to_be_visible()
    screenshot(phone, "events-04-ticket")

    # 4. The QR code decodes to the ticket's reference: on screen and in the emailed PNG.
    scanned = decode_qr(qr.screenshot(path=SCREENSHOTS / "journeys" / "events-04-ticket-qr.png"))
    assert scanned == reference
    confirmations = [
        m
        for m in embedded_site.emails()
        if recipients(m) == [ATTENDEE_EMAIL] and reference in message_text(m)
    ]
    assert confirmations, "no confirmation email with the ticket on the console"
    assert decode_qr(attached_png(confirmations[-1])) == reference

    # 5. The events staff open the check-in desk and start the camera.
    desk: Page = open_page()
    desk.context.add_init_script(BARCODE_DETECTOR)
    admin_login(desk, base, EVENTS_STAFF)
    desk.goto(f"{base}{event_path}pointage/")
    expect(desk.locator("h1")).to_contain_text(EVENT)
    arrived = int(desk.locator("[data-checked-in]").inner_text())
    expect(desk.locator("[data-scanner]")).to_be_visible()
    expect(desk.locator("[data-camera-stop]")).to_be_hidden()
    desk.locator("[data-camera-start]").click()
    expect(desk.locator("[data-video]")).to_be_visible()
    expect(desk.locator("[data-camera-start]")).to_be_hidden()
    screenshot(desk, "events-05-desk-camera")

    # 6. The ticket held up to the camera: checked in.
    desk.evaluate("text => { window.ticketHeldToTheCamera = text; }", scanned)
    expect(desk.locator("[data-result]")).to_have_class("ev-result ev-result--ok")
    expect(desk.locator("[data-result-who]")).to_contain_text("Léa Bernard")
    expect(desk.locator("[data-checked-in]")).to_have_text(str(arrived + 1))
    screenshot(desk, "events-06-checked-in")
    desk.locator("[data-camera-stop]").click()
    expect(desk.locator("[data-video]")).to_be_hidden()
    expect(desk.locator("[data-camera-start]")).to_be_visible()

    rows = embedded_site.query(
        "SELECT status, checked_in_at FROM events_registration WHERE reference = ?", (reference,)
    )
    assert len(rows) == 1 and rows[0][1] is not None, rows
