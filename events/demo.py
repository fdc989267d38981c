"""Demo events (MAGAZINE.md facts, fresh French text); safe to run any number of times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from events.models import Event, Question, Session, Speaker, TicketType, Venue

PARIS = ZoneInfo("Europe/Paris")


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@dataclass
class EventsDemoResult:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1


SPEAKERS = [
    ("anne-fleur-saraux", "Anne-Fleur Saraux", "Direction de l'expérience client", "Wengo",
     "Elle a bâti chez Wengo une relation client qui mêle experts indépendants et conseillers "
     "salariés, et mesure tout ce qui peut l'être."),
    ("amelia-newsom-davis", "Amélia Newsom-Davis", "Expérience client", "Orange",
     "Chez Orange, elle travaille sur la cohérence des parcours entre boutiques, centres "
     "d'appels et canaux numériques."),
    ("gary-anssens", "Gary Anssens", "Service client", "Alltricks / Decathlon",
     "Passé par le e-commerce du vélo, il raconte comment un service client passionné tient "
     "le choc d'une intégration dans un grand groupe."),
    ("kamel-saci", "Kamel Saci", "Dirigeant", "Léonie Bakery",
     "Il défend une relation client de proximité, où la boutique et le numérique se parlent."),
    ("paul-roll", "Paul Roll", "Ancien dirigeant", "ex-Club Med, Accor",
     "Des villages du Club Med aux hôtels d'Accor, il a vu l'omnicanal naître côté voyageur."),
]  # fmt: skip


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, bool]:
    return model.objects.update_or_create(**lookup, defaults=values)


def events_demo_load() -> EventsDemoResult:
    """Create or refresh the demo venues, speakers, events, sessions and tickets."""
    result = EventsDemoResult()
    with transaction.atomic():
        speakers = {}
        for slug, name, role, company, bio in SPEAKERS:
            speaker, created = _upsert(
                Speaker,
                {"slug": slug},
                {"name": name, "role": role, "company": company, "bio": bio},
            )
            speakers[slug] = speaker
            result.count("speakers", created)

        feclaz, created = _upsert(
            Venue,
            {"name": "Chalet de l'Aurore"},
            {
                "address": "Station de La Féclaz",
                "postal_code": "73230",
                "city": "Les Déserts (La Féclaz)",
                "access_notes": (
                    "À 30 minutes de Chambéry par la D912. Navette depuis la gare de Chambéry "
                    "le matin du forum. Parking gratuit au pied des pistes."
                ),
                "latitude": Decimal("45.645300"),
                "longitude": Decimal("5.986100"),
            },
        )
        result.count("venues", created)
        paris, created = _upsert(
            Venue,
            {"name": "Espace Grande Arche"},
            {
                "address": "1 parvis de la Défense",
                "postal_code": "92044",
                "city": "Paris La Défense",
                "access_notes": "RER A, métro 1 et tram T2 : station La Défense.",
                "latitude": Decimal("48.892600"),
                "longitude": Decimal("2.236000"),
            },
        )
        result.count("venues", created)
        terrass, created = _upsert(
            Venue,
            {"name": "Terrass'Hôtel"},
            {
                "address": "12-14 rue Joseph de Maistre",
                "postal_code": "75018",
                "city": "Paris",
                "access_notes": "Métro Blanche ou Place de Clichy. Le débat a lieu au 7e étage.",
                "latitude": Decimal("48.885900"),
                "longitude": Decimal("2.331800"),
            },
        )
        result.count("venues", created)

        # New Biz Forum, June 2026, La Féclaz.
        forum, created = _upsert(
            Event,
            {"slug": "new-biz-forum-2026"},
            {
                "name": "New Biz Forum",
                "edition": "2026",
                "summary": (
                    "Deux jours en montagne pour les dirigeants de centres de contact, de BPO et "
                    "d'éditeurs : rendez-vous d'affaires, tables rondes et soirée au chalet."
                ),
                "description": (
                    "Le forum d'affaires organisé par le magazine s'installe à La Féclaz, la "
                    "station savoyarde où le Chalet de l'Aurore accueillit les premières colonies "
                    "de vacances dans les années 1950.\n\nAu programme : des rendez-vous "
                    "qualifiés entre donneurs d'ordre et prestataires, deux tables rondes sur "
                    "l'externalisation à l'heure de l'IA, et une soirée au coin du feu."
                ),
                "starts_at": _at(2026, 6, 11, 9),
                "ends_at": _at(2026, 6, 12, 17),
                "venue": feclaz,
                "status": Event.Status.SCHEDULED,
                "is_published": True,
                "registration_opens_at": _at(2026, 2, 1, 9),
                "registration_closes_at": _at(2026, 6, 5, 18),
                "refund_days_before": 14,
                "organiser_email": "evenements@example.com",
            },
        )
        result.count("events", created)
        _sessions(
            forum,
            [
                (
                    "Ouverture : l'externalisation face aux agents IA",
                    Session.Kind.PLENARY,
                    (2026, 6, 11, 9, 30),
                    (2026, 6, 11, 10, 30),
                    "Grande salle",
                    "",
                    None,
                    [],
                ),
                (
                    "Rendez-vous d'affaires (session 1)",
                    Session.Kind.WORKSHOP,
                    (2026, 6, 11, 11, 0),
                    (2026, 6, 11, 12, 30),
                    "Salons",
                    "Affaires",
                    None,
                    [],
                ),
                (
                    "Table ronde : acheter de la relation client en 2026",
                    Session.Kind.PLENARY,
                    (2026, 6, 11, 11, 0),
                    (2026, 6, 11, 12, 30),
                    "Grande salle",
                    "Contenus",
                    None,
                    [],
                ),
                (
                    "Soirée au chalet",
                    Session.Kind.EVENING,
                    (2026, 6, 11, 19, 30),
                    (2026, 6, 11, 23, 0),
                    "Chalet de l'Aurore",
                    "",
                    None,
                    [],
                ),
            ],
            speakers,
        )
        _tickets(
            forum,
            [
                ("Pass forum (deux jours)", None, 120, 39000, 29000, TicketType.Access.OPEN),
                ("Invité donneur d'ordre", None, 30, 0, None, TicketType.Access.APPROVAL),
            ],
        )

        # ECTFF, 13th edition, Paris, the week of 23 October 2025.
        ectff, created = _upsert(
            Event,
            {"slug": "ectff-13e-edition"},
            {
                "name": "ECTFF",
                "edition": "13e édition",
                "summary": (
                    "Le forum de l'expérience client : conférences, retours d'expérience et "
                    "master classes animées par des responsables de la relation client."
                ),
                "description": (
                    "Pour sa 13e édition, le forum réunit à Paris directions de la relation "
                    "client, prestataires et éditeurs. Les master classes se tiennent en petit "
                    "comité : places limitées, inscription obligatoire."
                ),
                "starts_at": _at(2025, 10, 21, 9),
                "ends_at": _at(2025, 10, 21, 18),
                "venue": paris,
                "status": Event.Status.SCHEDULED,
                "is_published": True,
                "registration_opens_at": _at(2025, 9, 1, 9),
                "registration_closes_at": _at(2025, 10, 20, 18),
                "refund_days_before": 7,
                "organiser_email": "evenements@example.com",
            },
        )
        result.count("events", created)
        masterclasses = _sessions(
            ectff,
            [
                (
                    "Plénière d'ouverture : l'expérience client après l'euphorie de l'IA",
                    Session.Kind.PLENARY,
                    (2025, 10, 21, 9, 30),
                    (2025, 10, 21, 10, 30),
                    "Auditorium",
                    "",
                    None,
                    [],
                ),
                (
                    "Master class : piloter une communauté d'experts",
                    Session.Kind.MASTERCLASS,
                    (2025, 10, 21, 11, 0),
                    (2025, 10, 21, 12, 0),
                    "Salle Seine",
                    "Master classes",
                    40,
                    ["anne-fleur-saraux"],
                ),
                (
                    "Master class : un parcours, tous les canaux",
                    Session.Kind.MASTERCLASS,
                    (2025, 10, 21, 11, 0),
                    (2025, 10, 21, 12, 0),
                    "Salle Loire",
                    "Parcours",
                    40,
                    ["amelia-newsom-davis"],
                ),
                (
                    "Master class : garder l'âme d'un service client de passionnés",
                    Session.Kind.MASTERCLASS,
                    (2025, 10, 21, 14, 0),
                    (2025, 10, 21, 15, 0),
                    "Salle Seine",
                    "Master classes",
                    40,
                    ["gary-anssens"],
                ),
            ],
            speakers,
        )
        _tickets(
            ectff,
            [("Entrée forum", None, 400, 0, None, TicketType.Access.OPEN)]
            + [
                (f"Master class — {session.speakers.first()}", session, None, 0, None,
                 TicketType.Access.OPEN)
                for session in masterclasses
                if session.kind == Session.Kind.MASTERCLASS
            ],
        )  # fmt: skip

        # The evening debate: about sixty guests on a rooftop; dated when first loaded.
        first_load_date = (timezone.localtime() + timedelta(days=45)).date()
        debate = Event.objects.filter(slug="debat-omnicanal-terrass-hotel").first()
        start = (
            debate.starts_at
            if debate is not None
            else datetime.combine(first_load_date, time(18, 30), tzinfo=PARIS)
        )
        debate, created = _upsert(
            Event,
            {"slug": "debat-omnicanal-terrass-hotel"},
            {
                "name": "Soirée débat : l'omnicanal, promesse tenue ?",
                "edition": "",
                "summary": (
                    "Une soixantaine de professionnels sur le toit du Terrass'Hôtel pour débattre "
                    "de stratégie omnicanale avec Kamel Saci et Paul Roll."
                ),
                "description": (
                    "Boutique, téléphone, messageries, application : les clients passent d'un "
                    "canal à l'autre, et les entreprises peinent à suivre. Deux dirigeants "
                    "confrontent leurs expériences, du commerce de quartier à l'hôtellerie "
                    "internationale, avant un cocktail."
                ),
                "starts_at": start,
                "ends_at": start + timedelta(hours=3),
                "venue": terrass,
                "status": Event.Status.SCHEDULED,
                "is_published": True,
                "registration_opens_at": start - timedelta(days=60),
                "registration_closes_at": start - timedelta(hours=4),
                "refund_days_before": 2,
                "organiser_email": "evenements@example.com",
            },
        )
        result.count("events", created)
        _sessions(
            debate,
            [
                ("Accueil", Session.Kind.BREAK, start.timetuple()[:5],
                 (start + timedelta(minutes=30)).timetuple()[:5], "Rooftop", "", None, []),
                ("Débat : l'omnicanal, promesse tenue ?", Session.Kind.EVENING,
                 (start + timedelta(minutes=30)).timetuple()[:5],
                 (start + timedelta(minutes=110)).timetuple()[:5], "Rooftop", "", None,
                 ["kamel-saci", "paul-roll"]),
            ],
            speakers,
        )  # fmt: skip
        _tickets(
            debate,
            [("Invitation soirée", None, 60, 4500, 0, TicketType.Access.OPEN)],
        )
        _question(debate, "Votre fonction", Question.Kind.TEXT, "", required=False, position=1)
        _question(
            debate,
            "Votre principal canal de contact client",
            Question.Kind.CHOICE,
            "Téléphone\nE-mail\nMessageries et chat\nBoutique",
            required=True,
            position=2,
        )
        _question(
            debate,
            "J'accepte d'être pris en photo pendant la soirée",
            Question.Kind.CHECKBOX,
            "",
            required=False,
            position=3,
        )
    return result


def _sessions(
    event: Event, rows: list[tuple[Any, ...]], speakers: dict[str, Speaker]
) -> list[Session]:
    sessions = []
    for title, kind, start, end, room, track, capacity, speaker_slugs in rows:
        session, _created = Session.objects.update_or_create(
            event=event,
            title=title,
            defaults={
                "kind": kind,
                "starts_at": _at(*start),
                "ends_at": _at(*end),
                "room": room,
                "track": track,
                "capacity": capacity,
            },
        )
        session.speakers.set([speakers[slug] for slug in speaker_slugs])
        sessions.append(session)
    return sessions


def _tickets(event: Event, rows: list[tuple[Any, ...]]) -> None:
    for position, (name, session, capacity, price, subscriber_price, access) in enumerate(rows):
        TicketType.objects.update_or_create(
            event=event,
            name=name,
            defaults={
                "session": session,
                "capacity": capacity,
                "price_cents": price,
                "subscriber_price_cents": subscriber_price,
                "access": access,
                "position": position,
                "subscriber_opens_at": event.registration_opens_at - timedelta(days=7)
                if subscriber_price is not None
                else None,
            },
        )


def _question(
    event: Event, label: str, kind: str, choices: str, *, required: bool, position: int
) -> None:
    Question.objects.update_or_create(
        event=event,
        label=label,
        defaults={"kind": kind, "choices": choices, "required": required, "position": position},
    )
