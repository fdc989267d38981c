"""The demo marketer on the site `make run` serves: writes a campaign for the demo newsletter and
sends it; every confirmed subscriber gets exactly one message, on the console."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.journeys.embedded import EmbeddedSite, message_text, recipients
from tests.journeys.helpers import admin_login

pytestmark = [pytest.mark.embedded, pytest.mark.browser]

MARKETER = "marketing@kiosque.local"
SUBJECT = "La semaine de la relation client : agents IA, BPO et New Biz Forum"
PREHEADER = "Trois lectures pour la semaine, et les inscriptions au forum."
EDITORIAL = "Cette semaine, nos journalistes ont suivi trois plateaux qui testent les agents IA."


def _demo_newsletter(site: EmbeddedSite) -> tuple[int, str]:
    """The demo's newsletter with the most confirmed subscribers."""
    rows = site.query(
        "SELECT n.id, n.name, COUNT(s.id) AS confirmed FROM newsletters_newsletter n "
        "LEFT JOIN newsletters_subscriber s ON s.newsletter_id = n.id AND s.status = 'subscribed' "
        "GROUP BY n.id, n.name ORDER BY confirmed DESC, n.id"
    )
    assert rows, "load_demo created no newsletter"
    newsletter_id, name, confirmed = rows[0]
    assert confirmed >= 2, f"the demo newsletter {name!r} has {confirmed} confirmed subscriber(s)"
    return int(newsletter_id), str(name)


def _audience(site: EmbeddedSite, newsletter_id: int) -> set[str]:
    """Who must receive it: the confirmed subscribers, less the suppressed addresses."""
    rows = site.query(
        "SELECT s.email FROM newsletters_subscriber s WHERE s.newsletter_id = ? "
        "AND s.status = 'subscribed' AND NOT EXISTS (SELECT 1 FROM newsletters_suppression x "
        "WHERE x.email = s.email AND (x.newsletter_id IS NULL OR x.newsletter_id = ?))",
        (newsletter_id, newsletter_id),
    )
    return {email for (email,) in rows}


def test_marketer_writes_a_campaign_and_every_confirmed_subscriber_gets_it_once(
    embedded_site: EmbeddedSite, open_page: Any, screenshot: Any
) -> None:
    base = embedded_site.url
    newsletter_id, newsletter_name = _demo_newsletter(embedded_site)
    audience = _audience(embedded_site, newsletter_id)
    assert audience
    admin = open_page()
    admin_login(admin, base, MARKETER)
    screenshot(admin, "marketer-01-admin-home")

    # 1. A new campaign for the demo newsletter: subject, preheader, an editorial.
    admin.locator("#content-main tr.model-campaign a.addlink").click()
    admin.wait_for_url(re.compile(r"/admin/newsletters/campaign/add/$"))
    admin.locator("#id_newsletter").select_option(label=newsletter_name)
    admin.locator("#id_subject").fill(SUBJECT)
    admin.locator("#id_preheader").fill(PREHEADER)
    admin.locator(".field-body .ProseMirror[contenteditable=true]").click()
    admin.keyboard.type(EDITORIAL)
    screenshot(admin, "marketer-02-campaign-form")
    admin.locator("#campaign_form [name=_continue]").last.click()
    expect(admin.locator(".messagelist .success")).to_contain_text(SUBJECT)
    progress = admin.locator("table.newsletter-progress")
    expect(progress.locator("[data-field=status_display]")).to_have_text("brouillon")

    # 2. The subscriber version, as the recipients will see it.
    with admin.expect_popup() as popup:
        admin.locator(".newsletter-campaign-tools a.button").first.click()
    preview = popup.value
    expect(preview.locator("body")).to_contain_text(EDITORIAL)
    screenshot(preview, "marketer-03-preview")
    preview.close()

    # 3. Send now: tasks run in-process, so the whole campaign goes out in this request.
    before = len(embedded_site.emails())
    admin.locator(".newsletter-campaign-tools form[action$='/send_now/'] button").click()
    expect(admin.locator(".messagelist .success")).to_contain_text("L’envoi a commencé")
    expect(admin.locator(".messagelist .error")).to_have_count(0)
    expect(progress.locator("[data-field=status_display]")).to_have_text("envoyé")
    expect(progress.locator("[data-field=total]")).to_have_text(str(len(audience)))
    expect(progress.locator("[data-field=sent]")).to_have_text(str(len(audience)))
    screenshot(admin, "marketer-04-campaign-sent")

    # 4. The console: exactly one message per confirmed subscriber, nobody else.
    sent = [m for m in embedded_site.emails()[before:] if str(m["Subject"]).strip() == SUBJECT]
    received = Counter(address for message in sent for address in recipients(message))
    assert received == Counter(audience), (received, audience)
    assert all(EDITORIAL in message_text(message) for message in sent)
    assert all(message["List-Unsubscribe"] for message in sent)

    # 5. The list of campaigns says it was sent, to that many readers.
    admin.goto(f"{base}/admin/newsletters/campaign/")
    row = admin.locator("#result_list tbody tr", has_text=SUBJECT)
    expect(row).to_contain_text("envoyé")
    expect(row.locator("td.field-total_recipients")).to_have_text(str(len(audience)))
    screenshot(admin, "marketer-05-campaigns")
