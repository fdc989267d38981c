"""Organisers' admin: attendee export, fill rates, messages, audit trail; and the demo loader."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from events.demo import events_demo_load
from events.models import Event, EventMessage, Question, Registration, Session, TicketType
from magazine.demo.calendar import demo_calendar
from tests.events.helpers import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):  # type: ignore[no-untyped-def]
    client.force_login(superuser)
    return client


def test_attendee_csv_export_includes_answers(admin_client, free_ticket: TicketType) -> None:
    question = Question.objects.create(event=free_ticket.event, label="Votre canal")
    registration = register(
        free_ticket,
        "lea@example.com",
        first_name="Léa",
        answers={str(question.pk): {"label": "Votre canal", "value": "Chat"}},
    ).registration

    response = admin_client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "export_csv", "_selected_action": [registration.pk]},
    )

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Votre canal"
    assert rows[1][0] == registration.reference
    assert "Léa" in rows[1] and rows[1][-1] == "Chat"


def test_event_admin_page_shows_fill_rates(admin_client, free_ticket: TicketType) -> None:
    register(free_ticket, "a@example.com")
    response = admin_client.get(reverse("admin:events_event_change", args=[free_ticket.event.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<td>Entrée forum</td><td>100</td><td>1</td>" in html
    assert "<td>1 %</td>" in html


def test_editing_a_registration_in_the_admin_is_logged(
    admin_client, free_ticket: TicketType
) -> None:
    registration = register(free_ticket, "a@example.com").registration
    url = reverse("admin:events_registration_change", args=[registration.pk])
    response = admin_client.post(
        url,
        {
            "first_name": "Camille",
            "last_name": "Durand-Lefort",
            "email": "a@example.com",
            "company": "",
            "job_title": "",
            "answers": "{}",
            "log_entries-TOTAL_FORMS": "0",
            "log_entries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    entry = registration.log_entries.last()
    assert entry.action == "edited" and "last_name" in entry.detail


def test_message_to_attendees_is_sent_once(
    admin_client, free_ticket: TicketType, django_capture_on_commit_callbacks
) -> None:
    register(free_ticket, "a@example.com")
    register(free_ticket, "b@example.com")
    message = EventMessage.objects.create(
        event=free_ticket.event, subject="Plan d'accès", body="Entrée par le hall B."
    )
    mail.outbox.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(
                reverse("admin:events_eventmessage_changelist"),
                {"action": "send_now", "_selected_action": [message.pk]},
            )
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]
    message.refresh_from_db()
    assert message.recipients_count == 2


def test_cancelling_the_event_cancels_and_tells_everyone(
    free_ticket: TicketType, django_capture_on_commit_callbacks
) -> None:
    from events import services

    register(free_ticket, "a@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=free_ticket.event)
    assert Registration.objects.get().status == Registration.Status.CANCELLED
    assert len(mail.outbox) == 1


def test_demo_loader_is_idempotent() -> None:
    events_demo_load()
    counts = (Event.objects.count(), TicketType.objects.count(), Session.objects.count())
    events_demo_load()
    assert (Event.objects.count(), TicketType.objects.count(), Session.objects.count()) == counts
    ectff = Event.objects.get(slug="ectff-13e-edition")
    speakers = {s.name for session in ectff.sessions.all() for s in session.speakers.all()}
    assert speakers == {"Anne-Fleur Saraux", "Amélia Newsom-Davis", "Gary Anssens"}
    assert Event.objects.get(slug=demo_calendar().nbf_slug).venue.name == "Chalet de l'Aurore"
