"""The events journey in a real browser: a reader registers for a master class on a phone, gets
the ticket by email, and a member of staff checks them in at the door (manual code entry)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from events.models import Event, Registration, Session, TicketType
from tests.factories import (
    EventFactory,
    SessionFactory,
    SpeakerFactory,
    TicketTypeFactory,
)
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ectff() -> Event:
    start = (timezone.localtime() + timedelta(days=20)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    event = EventFactory(
        name="ECTFF",
        slug="ectff-13e-edition",
        edition="13e édition",
        summary="Le forum de l'expérience client : conférences et master classes en petit comité.",
        description=(
            "Pour sa 13e édition, le forum réunit directions de la relation client, "
            "prestataires et éditeurs."
        ),
        starts_at=start,
        ends_at=start + timedelta(hours=9),
    )
    SessionFactory(
        event=event,
        title="Plénière d'ouverture : l'expérience client après l'euphorie de l'IA",
        kind=Session.Kind.PLENARY,
        track="",
        room="Auditorium",
        starts_at=start + timedelta(minutes=30),
        ends_at=start + timedelta(minutes=90),
    )
    speakers = [
        ("Anne-Fleur Saraux", "anne-fleur-saraux", "Wengo", "Piloter une communauté d'experts"),
        ("Amélia Newsom-Davis", "amelia-newsom-davis", "Orange", "Un parcours, tous les canaux"),
    ]
    for index, (name, slug, company, title) in enumerate(speakers):
        session = SessionFactory(
            event=event,
            title=f"Master class : {title}",
            track=f"Salle {index + 1}",
            room=("Salle Seine", "Salle Loire")[index],
            capacity=40,
            starts_at=start + timedelta(hours=2),
            ends_at=start + timedelta(hours=3),
        )
        session.speakers.add(SpeakerFactory(name=name, slug=slug, company=company, role=""))
        TicketTypeFactory(
            event=event, session=session, capacity=None, name=f"Master class — {name}"
        )
    TicketTypeFactory(event=event, name="Entrée forum", capacity=400)
    return event


def test_reader_registers_for_a_master_class_and_is_checked_in_once(
    live_server, phone_page: Page, new_page, screenshot, ectff: Event, event_staff: User
) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/evenements/")
    page.get_by_role("link", name="ECTFF").first.click()
    expect(page.locator("h1")).to_have_text("ECTFF")
    expect(page.locator("#programme")).to_contain_text("Piloter une communauté")
    screenshot(page, "events-event-page-phone")

    ticket = TicketType.objects.get(name="Master class — Amélia Newsom-Davis")
    page.locator(f"a[href$='/inscription/{ticket.pk}/']").click()
    page.locator("#id_first_name").fill("Léa")
    page.locator("#id_last_name").fill("Bernard")
    page.locator("#id_email").fill("lea.bernard@example.com")
    page.locator("#id_company").fill("Volubile")
    page.locator("#id_consent").check()
    screenshot(page, "events-register-phone")
    page.locator("form.ev-form button[type=submit]").click()

    registration = Registration.objects.get(email="lea.bernard@example.com")
    expect(page.get_by_test_id("ticket-code")).to_have_text(registration.reference)
    expect(page.locator(".ev-ticket-card__qr svg")).to_be_visible()
    screenshot(page, "events-ticket-phone")
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.ticket_type == ticket
    # The live server runs in this process with the locmem backend: its outbox is ours.
    (confirmation,) = [m for m in mail.outbox if m.to == ["lea.bernard@example.com"]]
    assert registration.reference in confirmation.body
    assert any(name.endswith(".ics") for name, _c, _t in confirmation.attachments)

    desk = new_page()
    desk.set_viewport_size({"width": 390, "height": 844})
    desk.goto(f"{live_server.url}/admin/login/?next=/evenements/{ectff.slug}/pointage/")
    desk.locator("#id_login").fill(event_staff.email)
    desk.locator("#id_password").fill(PASSWORD)
    desk.locator("#id_password").press("Enter")
    expect(desk.locator("h1")).to_contain_text("ECTFF")

    desk.locator("#checkin-code").fill(registration.reference.lower())
    desk.locator("[data-code-form] button[type=submit]").click()
    expect(desk.locator("[data-result]")).to_have_class("ev-result ev-result--ok")
    expect(desk.locator("[data-result-who]")).to_contain_text("Léa Bernard")
    expect(desk.locator("[data-checked-in]")).to_have_text("1")
    screenshot(desk, "events-checkin-ok-phone")

    desk.locator("#checkin-code").fill(registration.reference)
    desk.locator("[data-code-form] button[type=submit]").click()
    expect(desk.locator("[data-result]")).to_have_class("ev-result ev-result--already")
    screenshot(desk, "events-checkin-refused-phone")

    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    assert registration.checked_in_by == event_staff


def test_event_page_on_desktop(live_server, page: Page, screenshot, ectff: Event) -> None:
    page.goto(f"{live_server.url}{ectff.get_absolute_url()}")
    expect(page.locator("#billets")).to_contain_text("Entrée forum")
    screenshot(page, "events-event-page-desktop")
    page.goto(f"{live_server.url}/evenements/")
    screenshot(page, "events-list-desktop")
