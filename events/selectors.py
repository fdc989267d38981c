"""Reads for the events pages, the admin and the check-in desk."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from events.models import Event, Registration, Session, Speaker, TicketType, WaitlistEntry


@dataclass
class TicketAvailability:
    ticket_type: TicketType
    seats_left: int | None  # None: no limit
    price_cents: int
    subscriber_price_cents: int | None

    @property
    def is_full(self) -> bool:
        return self.seats_left is not None and self.seats_left <= 0


def _taken_counts(ticket_types: list[TicketType], now: datetime) -> tuple[Counter, Counter]:
    """Seats taken per ticket type and per session, in four grouped queries at most."""
    ids = [ticket_type.pk for ticket_type in ticket_types]
    session_ids = {t.session_id for t in ticket_types if t.session_id is not None}
    by_type: Counter = Counter()
    by_session: Counter = Counter()
    holding = Registration.objects.holding_seats(now)
    offers = WaitlistEntry.objects.live_offers(now)
    for queryset in (holding, offers):
        for type_row in (
            queryset.filter(ticket_type_id__in=ids).values("ticket_type_id").annotate(n=Count("pk"))
        ):
            by_type[type_row["ticket_type_id"]] += type_row["n"]
        if session_ids:
            for session_row in (
                queryset.filter(ticket_type__session_id__in=session_ids)
                .values("ticket_type__session_id")
                .annotate(n=Count("pk"))
            ):
                by_session[session_row["ticket_type__session_id"]] += session_row["n"]
    return by_type, by_session


def availability(
    ticket_types: list[TicketType], *, now: datetime | None = None
) -> dict[int, TicketAvailability]:
    """Seats left per ticket type (a display figure: the lock decides at registration)."""
    now = now or timezone.now()
    by_type, by_session = _taken_counts(ticket_types, now)
    result = {}
    for ticket_type in ticket_types:
        limits = []
        if ticket_type.capacity is not None:
            limits.append(ticket_type.capacity - by_type[ticket_type.pk])
        session = ticket_type.session
        if session is not None and session.capacity is not None:
            limits.append(session.capacity - by_session[session.pk])
        result[ticket_type.pk] = TicketAvailability(
            ticket_type=ticket_type,
            seats_left=max(0, min(limits)) if limits else None,
            price_cents=ticket_type.price_cents,
            subscriber_price_cents=ticket_type.subscriber_price_cents,
        )
    return result


def event_seats_left(
    event: Event,
    *,
    now: datetime | None = None,
    figures: dict[int, TicketAvailability] | None = None,
) -> int | None:
    """Seats left across the event's open tickets (None: no limit)."""
    ticket_types = [t for t in event.ticket_types.all() if t.is_active]
    if not ticket_types:
        return 0
    if figures is None:
        figures = availability(ticket_types, now=now)
    lefts = [figures[t.pk].seats_left for t in ticket_types]
    if any(left is None for left in lefts):
        return None
    # Session tickets may share a room: count each session's room once.
    per_session: dict[Any, int] = {}
    for ticket_type in ticket_types:
        key = ("s", ticket_type.session_id) if ticket_type.session_id else ("t", ticket_type.pk)
        per_session[key] = max(per_session.get(key, 0), figures[ticket_type.pk].seats_left or 0)
    return sum(per_session.values())


def event_cards(events: list[Event], *, now: datetime | None = None) -> list[tuple[Event, Any]]:
    """Each event with its seats left, counted for all of them in one batch of queries."""
    ticket_types = [t for event in events for t in event.ticket_types.all()]
    figures = availability(ticket_types, now=now) if ticket_types else {}
    return [(event, event_seats_left(event, now=now, figures=figures)) for event in events]


def events_listing(*, now: datetime | None = None) -> QuerySet[Event]:
    return (
        Event.objects.published()
        .upcoming(now)
        .select_related("venue")
        .prefetch_related(
            Prefetch(
                "ticket_types",
                queryset=TicketType.objects.filter(is_active=True).select_related("session"),
            )
        )
        .order_by("starts_at")
    )


def past_events(*, now: datetime | None = None) -> QuerySet[Event]:
    return Event.objects.published().past(now).select_related("venue").order_by("-starts_at")


def event_for_page(slug: str, *, staff: bool = False) -> Event | None:
    events = Event.objects.all() if staff else Event.objects.published()
    return (
        events.filter(slug=slug)
        .select_related("venue")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=Session.objects.prefetch_related("speakers").select_related(
                    "writeup_article"
                ),
            ),
            Prefetch(
                "ticket_types",
                queryset=TicketType.objects.filter(is_active=True).select_related("session"),
            ),
        )
        .first()
    )


@dataclass
class ProgrammeDay:
    day: date
    tracks: list[str]
    slots: list[tuple[datetime, list[Session]]] = field(default_factory=list)


def programme(event: Event) -> list[ProgrammeDay]:
    """Sessions by day, then by start time; sessions at the same time sit side by side by track."""
    days: dict[date, dict[datetime, list[Session]]] = defaultdict(lambda: defaultdict(list))
    tracks: dict[date, list[str]] = defaultdict(list)
    for session in event.sessions.all():
        local = timezone.localtime(session.starts_at)
        days[local.date()][session.starts_at].append(session)
        if session.track and session.track not in tracks[local.date()]:
            tracks[local.date()].append(session.track)
    result = []
    for day in sorted(days):
        slots = [
            (start, sorted(sessions, key=lambda s: (s.track, s.title)))
            for start, sessions in sorted(days[day].items())
        ]
        result.append(ProgrammeDay(day=day, tracks=tracks[day], slots=slots))
    return result


def speakers_of(event: Event) -> list[Speaker]:
    seen: dict[int, Speaker] = {}
    for session in event.sessions.all():
        for speaker in session.speakers.all():
            seen.setdefault(speaker.pk, speaker)
    return sorted(seen.values(), key=lambda speaker: speaker.name)


def speaker_sessions(speaker: Speaker) -> QuerySet[Session]:
    return (
        speaker.sessions.filter(event__is_published=True)
        .select_related("event", "event__venue", "writeup_article")
        .order_by("-starts_at")
    )


def events_for_article(
    article: Any, *, now: datetime | None = None
) -> list[tuple[Event, int | None]]:
    """Upcoming published events the article announces, with their seats left."""
    events = list(
        Event.objects.published()
        .upcoming(now)
        .filter(announced_in=article)
        .select_related("venue")
        .prefetch_related(
            Prefetch(
                "ticket_types",
                queryset=TicketType.objects.filter(is_active=True).select_related("session"),
            )
        )
    )
    return event_cards(events, now=now)


def fill_rates(event: Event, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per ticket type: capacity, confirmed, held, waiting, checked in."""
    now = now or timezone.now()
    ticket_types = list(event.ticket_types.select_related("session"))
    stats = {
        row["ticket_type_id"]: row
        for row in Registration.objects.filter(event=event)
        .values("ticket_type_id")
        .annotate(
            confirmed=Count("pk", filter=Q(status="confirmed")),
            held=Count("pk", filter=Q(status="pending_payment", hold_expires_at__gt=now)),
            pending=Count("pk", filter=Q(status="pending_approval")),
            checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        )
    }
    waiting = Counter(
        dict(
            WaitlistEntry.objects.filter(ticket_type__event=event, status="waiting")
            .values_list("ticket_type_id")
            .annotate(n=Count("pk"))
        )
    )
    figures = availability(ticket_types, now=now)
    rows = []
    for ticket_type in ticket_types:
        row: Mapping[str, Any] = stats.get(ticket_type.pk, {})
        capacity = ticket_type.capacity
        if ticket_type.session and ticket_type.session.capacity is not None:
            capacity = min(c for c in (capacity, ticket_type.session.capacity) if c is not None)
        confirmed = row.get("confirmed", 0)
        rows.append(
            {
                "ticket_type": ticket_type,
                "capacity": capacity,
                "confirmed": confirmed,
                "held": row.get("held", 0),
                "pending": row.get("pending", 0),
                "checked_in": row.get("checked_in", 0),
                "waiting": waiting[ticket_type.pk],
                "seats_left": figures[ticket_type.pk].seats_left,
                "fill_rate": round(100 * confirmed / capacity) if capacity else None,
            }
        )
    return rows


def checkin_search(event: Event, query: str, *, limit: int = 20) -> list[Registration]:
    """Attendees matching a name, email, company or reference, for the desk."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    terms = Q()
    for word in query.split():
        terms &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(company__icontains=word)
            | Q(reference__iexact=word.replace("-", ""))
        )
    return list(
        Registration.objects.filter(event=event, status__in=["confirmed", "pending_payment"])
        .filter(terms)
        .select_related("ticket_type")
        .order_by("last_name", "first_name")[:limit]
    )


def registrations_of(user: Any) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .select_related("event", "event__venue", "ticket_type")
        .order_by("-event__starts_at")
    )
