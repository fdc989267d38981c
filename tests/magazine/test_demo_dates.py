"""The demo is never stale: its dates follow the day `load_demo` runs, and its text agrees."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Session
from magazine.demo.calendar import MONTHS, demo_calendar
from magazine.models import Article
from newsletters.models import Campaign

PARIS = ZoneInfo("Europe/Paris")


def _on(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("today", "nbf_days", "ectff_day"),
    [
        # Before June: this year's forum; October's ECTFF.
        (date(2027, 3, 1), (date(2027, 6, 10), date(2027, 6, 11)), date(2027, 10, 19)),
        # Registration closes six days before the forum: from then on, next year's.
        (date(2027, 6, 3), (date(2027, 6, 10), date(2027, 6, 11)), date(2027, 10, 19)),
        (date(2027, 6, 4), (date(2028, 6, 8), date(2028, 6, 9)), date(2027, 10, 19)),
        # After October: both next year.
        (date(2027, 11, 5), (date(2028, 6, 8), date(2028, 6, 9)), date(2028, 10, 17)),
        # The seeds' own year: 11-12 June 2026, and the 14th ECTFF after the 13th of 2025.
        (date(2026, 1, 15), (date(2026, 6, 11), date(2026, 6, 12)), date(2026, 10, 20)),
    ],
)
def test_next_forums_are_ahead_with_registration_open(
    today: date, nbf_days: tuple[date, date], ectff_day: date
) -> None:
    calendar = demo_calendar(_on(today))

    assert calendar.nbf_days == nbf_days
    assert nbf_days[0].weekday() == 3 and nbf_days[0].month == 6  # a Thursday of June
    assert calendar.ectff_day == ectff_day and ectff_day.weekday() == 1  # a Tuesday
    assert calendar.ectff_edition == 13 + ectff_day.year - 2025
    assert calendar.debate_day < today < calendar.next_debate_day
    words = calendar.words()
    assert words["nbf_days"] == (
        f"les {nbf_days[0].day} et {nbf_days[1].day} juin {nbf_days[0].year}"
    )
    assert words["ectff_edition"] == f"{calendar.ectff_edition}e"


@pytest.mark.django_db
def test_loaded_demo_is_current_and_its_text_agrees_with_its_dates() -> None:
    call_command("load_demo", "--allow-production", stdout=io.StringIO())
    now = timezone.now()
    calendar = demo_calendar(now)

    published = Article.objects.published().order_by("-published_at")
    newest, oldest = published.first(), published.last()
    assert newest is not None and oldest is not None
    assert now - newest.published_at < timedelta(days=3)
    assert now - oldest.published_at > timedelta(days=365 * 3)
    dates = [article.published_at for article in published]
    assert sum(now - when < timedelta(days=31) for when in dates) >= 8  # weeks …
    assert sum(now - when > timedelta(days=300) for when in dates) >= 4  # … to years

    # The next New Biz Forum (La Féclaz, June) and the next ECTFF: ahead, open, programmed.
    forum = Event.objects.get(slug=calendar.nbf_slug)
    ectff = Event.objects.get(slug=calendar.ectff_slug)
    assert forum.venue.name == "Chalet de l'Aurore"
    assert timezone.localtime(forum.starts_at).month == 6
    for event in (forum, ectff):
        assert event.is_published and event.starts_at > now
        assert event.registration_is_open(now), event.slug
        days = {timezone.localtime(s.starts_at).date() for s in event.sessions.all()}
        first = timezone.localtime(event.starts_at).date()
        last = timezone.localtime(event.ends_at).date()
        assert days == {first + timedelta(days=n) for n in range((last - first).days + 1)}
        for day in days:
            sessions = [
                s for s in event.sessions.all() if timezone.localtime(s.starts_at).date() == day
            ]
            assert len(sessions) >= 4, (event.slug, day)
            assert any(session.speakers.exists() for session in sessions), (event.slug, day)
        assert event.ticket_types.filter(is_active=True).exists()
        assert event.announced_in.filter(status="published").exists()

    # A past event with the magazine's write-ups linked to its sessions.
    past = Event.objects.filter(ends_at__lt=now, sessions__writeup_article__isnull=False)
    assert past.exists()
    for session in Session.objects.filter(event__in=past, writeup_article__isnull=False):
        assert session.writeup_article.is_live
        assert session.writeup_article.published_at > session.ends_at

    # What the magazine says about the forum is what the event says.
    announcement = Article.objects.get(slug="new-biz-forum-la-feclaz")
    first, last = (timezone.localtime(forum.starts_at), timezone.localtime(forum.ends_at))
    days = f"les {first.day} et {last.day} {MONTHS[first.month - 1]} {first.year}"
    assert announcement.title == f"New Biz Forum {first.year} : rendez-vous {days} à La Féclaz"
    assert forum.get_absolute_url() in announcement.body
    assert "[[" not in announcement.body + announcement.title + announcement.lead
    home = Client().get(reverse("magazine:home")).content.decode()
    assert "rendez-vous en juin" not in home
    assert days in home or str(ectff.edition) in home

    # Last week's issue went out after the articles it carried.
    sent = Campaign.objects.get(status=Campaign.Status.SENT)
    assert all(article.published_at < sent.started_at for article in sent.articles.all())


@pytest.mark.django_db
def test_loading_again_later_refreshes_the_dates_without_duplicates() -> None:
    call_command("load_demo", "--allow-production", stdout=io.StringIO())
    articles = Article.objects.count()
    sessions = {event.slug: event.sessions.count() for event in Event.objects.all()}
    newest_before = Article.objects.published().order_by("-published_at").first()
    assert newest_before is not None
    later = timezone.now() + timedelta(days=10)
    # A forum whose registration closed in between gives way to its next edition.
    editions = {demo_calendar().nbf_slug, demo_calendar().ectff_slug}
    new_editions = {demo_calendar(later).nbf_slug, demo_calendar(later).ectff_slug} - editions

    with time_machine.travel(later, tick=False):
        call_command("load_demo", "--allow-production", stdout=io.StringIO())
        newest = Article.objects.published().order_by("-published_at").first()
        assert newest is not None and newest.pk == newest_before.pk
        before, after = (timezone.localtime(a.published_at) for a in (newest_before, newest))
        assert (after.date() - before.date(), after.time()) == (timedelta(days=10), before.time())
        debate = Event.objects.get(slug="debat-omnicanal-terrass-hotel")
        assert debate.ends_at < timezone.now()

    assert Article.objects.count() == articles
    assert Event.objects.count() == len(sessions) + len(new_editions)
    for slug, count in sessions.items():
        assert Event.objects.get(slug=slug).sessions.count() == count, slug
