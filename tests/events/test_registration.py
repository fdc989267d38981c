"""Registering: free tickets confirm at once with the ticket by email; refusals are clear."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar

from events import services
from events.models import DiscountCode, Question, Registration, TicketType
from tests.events.helpers import register

pytestmark = pytest.mark.django_db


def test_free_ticket_is_confirmed_with_ics_and_qr_ticket_by_email(
    masterclass_ticket: TicketType, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = register(masterclass_ticket, "Lea.Bernard@Example.com", first_name="Léa")

    registration = result.registration
    assert result.outcome == services.Outcome.CONFIRMED
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.email == "lea.bernard@example.com"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lea.bernard@example.com"]
    assert "ECTFF" in message.subject
    assert registration.reference in message.body
    html = message.alternatives[0]
    assert html[1] == "text/html" and registration.reference in html[0]
    names = {name: (content, mimetype) for name, content, mimetype in message.attachments}
    ics_content, ics_type = names["ectff-13.ics"]
    assert ics_type == "text/calendar"
    assert Calendar.from_ical(ics_content).walk("VEVENT")[0]["SUMMARY"] == "ECTFF — 13e édition"
    qr_content, qr_type = names[f"billet-{registration.reference}.png"]
    assert qr_type == "image/png" and qr_content.startswith(b"\x89PNG")
    assert registration.log_entries.get().action == "created"


def test_confirmation_is_sent_once_even_if_the_task_runs_twice(
    free_ticket: TicketType, django_capture_on_commit_callbacks
) -> None:
    from events import tasks

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(free_ticket, "camille@example.com").registration
    tasks.registration_confirmation_send(registration.pk)

    assert len(mail.outbox) == 1


def test_registration_without_consent_is_refused(free_ticket: TicketType) -> None:
    with pytest.raises(services.RegistrationRefused) as refusal:
        services.registration_create(
            event=free_ticket.event,
            ticket_type=free_ticket,
            first_name="Léa",
            last_name="Bernard",
            email="lea@example.com",
            consent=False,
        )
    assert refusal.value.code == "consent"
    assert not Registration.objects.exists()


def test_same_email_cannot_take_two_seats_of_one_ticket(free_ticket: TicketType) -> None:
    register(free_ticket, "lea@example.com")
    with pytest.raises(services.RegistrationRefused) as refusal:
        register(free_ticket, "LEA@example.com")
    assert refusal.value.code == "duplicate"
    assert Registration.objects.count() == 1


def test_full_ticket_answers_sold_out(free_ticket: TicketType) -> None:
    free_ticket.capacity = 1
    free_ticket.save()
    register(free_ticket, "first@example.com")
    with pytest.raises(services.RegistrationRefused) as refusal:
        register(free_ticket, "second@example.com")
    assert refusal.value.code == "full"


def test_registration_before_opening_is_refused_but_subscribers_book_early(
    paid_ticket: TicketType, subscriber, reader, stripe_sim
) -> None:
    event = paid_ticket.event
    event.registration_opens_at = timezone.now() + timedelta(days=3)
    event.save()
    paid_ticket.subscriber_opens_at = timezone.now() - timedelta(days=1)
    paid_ticket.save()

    with pytest.raises(services.RegistrationRefused) as refusal:
        register(paid_ticket, reader.email, user=reader)
    assert refusal.value.code == "subscribers_only"

    result = register(paid_ticket, subscriber.email, user=subscriber)
    assert result.registration.is_subscriber
    assert result.registration.price_cents == 29000  # the subscriber price


def test_invitation_ticket_needs_its_code(event, stripe_sim) -> None:
    ticket = TicketType.objects.create(
        event=event, name="Invité", capacity=10, access=TicketType.Access.INVITATION
    )
    DiscountCode.objects.create(event=event, code="partenaire26", unlocks_invitation=True)

    with pytest.raises(services.RegistrationRefused) as refusal:
        register(ticket, "guest@example.com")
    assert refusal.value.code == "invitation"
    with pytest.raises(services.RegistrationRefused):
        register(ticket, "guest@example.com", discount_code="WRONG")

    result = register(ticket, "guest@example.com", discount_code=" Partenaire26 ")
    assert result.registration.status == Registration.Status.CONFIRMED


def test_discount_code_lowers_the_price_and_runs_out(paid_ticket: TicketType, stripe_sim) -> None:
    code = DiscountCode.objects.create(
        event=paid_ticket.event, code="ECTFF50", percent_off=50, max_uses=1
    )
    first = register(paid_ticket, "a@example.com", discount_code="ectff50")
    assert first.registration.price_cents == 19500
    assert first.registration.discount_code == code
    with pytest.raises(services.RegistrationRefused) as refusal:
        register(paid_ticket, "b@example.com", discount_code="ECTFF50")
    assert refusal.value.code == "bad_code"


def test_approval_ticket_waits_for_the_organisers(
    event, editor, django_capture_on_commit_callbacks
) -> None:
    ticket = TicketType.objects.create(
        event=event, name="Donneur d'ordre", capacity=1, access=TicketType.Access.APPROVAL
    )
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(ticket, "acheteur@example.com").registration
    assert registration.status == Registration.Status.PENDING_APPROVAL
    assert mail.outbox[0].subject.endswith(
        gettext("Your request for %(event)s has been received") % {"event": event}
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, actor=editor)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert [entry.action for entry in registration.log_entries.all()] == ["created", "approved"]
    assert mail.outbox[1].subject.endswith(
        gettext("Your registration for %(event)s is confirmed") % {"event": event}
    )


def test_registration_form_records_custom_answers(client, masterclass_ticket: TicketType) -> None:
    event = masterclass_ticket.event
    channel = Question.objects.create(
        event=event,
        label="Votre principal canal",
        kind=Question.Kind.CHOICE,
        choices="Téléphone\nChat",
        required=True,
    )
    photo = Question.objects.create(
        event=event, label="Photos acceptées", kind=Question.Kind.CHECKBOX
    )
    url = reverse("events:register", args=[event.slug, masterclass_ticket.pk])
    data = {
        "first_name": "Léa",
        "last_name": "Bernard",
        "email": "lea@example.com",
        "company": "Acme",
        "job_title": "",
        f"question_{photo.pk}": "on",
        "consent": "on",
    }

    missing = client.post(url, data)
    assert missing.status_code == 200
    assert not Registration.objects.exists()

    response = client.post(url, {**data, f"question_{channel.pk}": "Chat"})
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == registration.get_absolute_url()
    assert registration.answers[str(channel.pk)] == {
        "label": "Votre principal canal",
        "value": "Chat",
    }
    assert registration.answers[str(photo.pk)]["value"] is True


def test_full_ticket_page_offers_the_waiting_list(client, free_ticket: TicketType) -> None:
    free_ticket.capacity = 0
    free_ticket.save()
    url = reverse("events:register", args=[free_ticket.event.slug, free_ticket.pk])
    response = client.post(
        url, {"first_name": "A", "last_name": "B", "email": "a@example.com", "consent": "on"}
    )
    assert response.status_code == 409
    assert gettext("Full — waiting list") in response.content.decode()
    assert (
        reverse("events:waitlist_join", args=[free_ticket.event.slug, free_ticket.pk])
        in response.content.decode()
    )


@pytest.mark.parametrize("name", ["ticket_cancel", "ticket_pay"])
def test_state_changing_ticket_views_refuse_get(client, free_ticket: TicketType, name: str) -> None:
    registration = register(free_ticket, "lea@example.com").registration
    response = client.get(reverse(f"events:{name}", args=[registration.token]))
    assert response.status_code == 405
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_reader_cancels_and_the_seat_is_freed(client, free_ticket: TicketType) -> None:
    free_ticket.capacity = 1
    free_ticket.save()
    registration = register(free_ticket, "lea@example.com").registration

    response = client.post(reverse("events:ticket_cancel", args=[registration.token]))

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert register(free_ticket, "next@example.com").outcome == services.Outcome.CONFIRMED
