"""Readers' pages: list, event page (programme, seats, structured data), speakers, articles."""

from __future__ import annotations

import json
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils.translation import gettext

from events.models import Session, TicketType
from tests.events.helpers import register
from tests.factories import ArticleFactory, EventFactory, SessionFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


def _json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_event_page_shows_programme_seats_and_structured_data(
    client, masterclass_ticket: TicketType, masterclass: Session, free_ticket: TicketType
) -> None:
    event = masterclass_ticket.event
    SessionFactory(event=event, title="Plénière d'ouverture", kind="plenary", track="")
    register(masterclass_ticket, "a@example.com")

    response = client.get(event.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Plénière d’ouverture" in html or "Plénière d'ouverture" in html
    assert "Amélia Newsom-Davis" in html
    assert reverse("events:speaker", args=["amelia-newsom-davis"]) in html
    assert "openstreetmap.org/?mlat=48.885900" in html
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in html
    assert reverse("events:ics", args=[event.slug]) in html
    assert '<meta property="og:title" content="ECTFF — 13e édition">' in html
    tickets = {t.ticket_type.pk: t for t in response.context["tickets"]}
    assert tickets[masterclass_ticket.pk].seats_left == 29
    data = _json_ld(html)
    assert data["@type"] == "BusinessEvent"
    assert data["location"]["address"]["addressLocality"] == "Paris"
    assert {sub["name"] for sub in data["subEvent"]} == {masterclass.title, "Plénière d'ouverture"}
    assert data["subEvent"][0]["@type"] == "BusinessEvent"


def test_full_ticket_says_so_on_the_event_page(client, free_ticket: TicketType) -> None:
    free_ticket.capacity = 1
    free_ticket.save()
    register(free_ticket, "a@example.com")
    html = client.get(free_ticket.event.get_absolute_url()).content.decode()
    assert gettext("Full — waiting list") in html
    assert gettext("Join the waiting list") in html


def test_unpublished_event_is_hidden_from_readers(client, event) -> None:
    event.is_published = False
    event.save()
    assert client.get(event.get_absolute_url()).status_code == 404


def test_events_list_shows_upcoming_in_few_queries(client, django_assert_max_num_queries) -> None:
    for index in range(5):
        TicketTypeFactory(event=EventFactory(name=f"Forum {index}"), capacity=10)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("events:list"))
    assert response.status_code == 200
    assert len(response.context["cards"]) == 5


def test_speaker_page_lists_their_sessions(client, masterclass: Session) -> None:
    response = client.get(reverse("events:speaker", args=["amelia-newsom-davis"]))
    assert response.status_code == 200
    assert masterclass.title in response.content.decode().replace("\u00a0", " ")


def test_session_links_to_its_write_up_article(client, masterclass: Session) -> None:
    article = ArticleFactory(title="Ce qu'on a appris à la master class d'Orange")
    masterclass.writeup_article = article
    masterclass.save()
    html = client.get(masterclass.event.get_absolute_url()).content.decode()
    assert article.get_absolute_url() in html


def test_article_announcement_shows_live_seats(free_ticket: TicketType) -> None:
    article = ArticleFactory()
    free_ticket.event.announced_in.add(article)
    free_ticket.capacity = 3
    free_ticket.save()
    register(free_ticket, "a@example.com")

    html = Template("{% load events_tags %}{% event_cards_for_article article %}").render(
        Context({"article": article})
    )

    assert free_ticket.event.get_absolute_url() in html
    assert "2" in re.sub(r"<[^>]+>", "", html)
    other = ArticleFactory()
    assert (
        Template("{% load events_tags %}{% event_cards_for_article article %}")
        .render(Context({"article": other}))
        .strip()
        == ""
    )


def test_article_page_shows_the_event_it_announces(client, free_ticket: TicketType) -> None:
    article = ArticleFactory()
    free_ticket.event.announced_in.add(article)

    html = client.get(article.get_absolute_url()).content.decode()

    assert free_ticket.event.get_absolute_url() in html
    assert (
        free_ticket.event.get_absolute_url()
        not in client.get(ArticleFactory().get_absolute_url()).content.decode()
    )
