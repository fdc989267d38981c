"""Demo events (MAGAZINE.md facts, fresh French text); safe to run any number of times.

Dates follow the demo calendar (magazine.demo.calendar): the next New Biz Forum and the next
ECTFF are ahead and open for registration, with their speakers and the programme of each day;
the 13th ECTFF (October 2025) and the omnichannel evening debate (three weeks before the load)
are past, with the magazine's write-ups linked to their sessions; the next evening debate is a
few weeks ahead. Speakers other than those of MAGAZINE.md, and their companies, are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from events.models import Event, Question, Session, Speaker, TicketType, Venue
from magazine.demo.calendar import DemoCalendar, at, demo_calendar, french_days
from magazine.models import Article


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
    # The magazine's own journalists host and moderate.
    ("helene-carpentier", "Hélène Carpentier", "Rédactrice en chef",
     "Relation Client Magazine",
     "Elle suit depuis quinze ans les centres de contact et anime les débats du magazine."),
    ("marc-dufresne", "Marc Dufresne", "Journaliste, marché & deals", "Relation Client Magazine",
     "Il couvre les rachats, les levées de fonds et les nominations du secteur."),
    ("ines-benali", "Inès Benali", "Journaliste, expérience client et IA",
     "Relation Client Magazine",
     "Elle enquête sur l'automatisation du service client et la mesure de la satisfaction."),
    # Fictional people and companies, for the editions ahead.
    ("claire-vasseur", "Claire Vasseur", "Directrice de la relation client",
     "Mutuelle des Cimes",
     "Elle a réorganisé le service aux adhérents autour d'un conseiller référent par dossier."),
    ("yann-le-goff", "Yann Le Goff", "Directeur des opérations", "Armor Contact",
     "Il dirige six plateaux en Bretagne et au Portugal et forme ses conseillers à superviser "
     "des agents d'IA."),
    ("sofia-marques", "Sofia Marques", "Cofondatrice", "Parloir",
     "Sa jeune pousse conçoit des agents vocaux qui savent reconnaître quand passer la main."),
    ("bertrand-okafor", "Bertrand Okafor", "Responsable des achats de services",
     "Groupe Hexaly",
     "Il achète la relation client au résultat, et plus à la minute de conversation."),
    ("lea-fontaine", "Léa Fontaine", "Gérante", "Les Fromageries du Revard",
     "Ses trois boutiques savoyardes vendent aussi en ligne, sans perdre le conseil du "
     "comptoir."),
]  # fmt: skip

# title, kind, (day, hour, minute) start, (day, hour, minute) end, room, track, capacity,
# speakers; day 0 is the first day of the event.
Row = tuple[str, str, tuple[int, int, int], tuple[int, int, int], str, str, int | None, list[str]]

NBF_PROGRAMME: list[Row] = [
    ("Accueil et café", Session.Kind.BREAK, (0, 8, 30), (0, 9, 15), "Chalet de l'Aurore", "",
     None, []),
    ("Ouverture : l'externalisation face aux agents IA", Session.Kind.PLENARY, (0, 9, 30),
     (0, 10, 30), "Grande salle", "", None, ["helene-carpentier", "yann-le-goff"]),
    ("Rendez-vous d'affaires (session 1)", Session.Kind.WORKSHOP, (0, 11, 0), (0, 12, 30),
     "Salons", "Affaires", None, []),
    ("Table ronde : acheter de la relation client au résultat", Session.Kind.PLENARY,
     (0, 11, 0), (0, 12, 30), "Grande salle", "Contenus", None,
     ["bertrand-okafor", "claire-vasseur", "marc-dufresne"]),
    ("Déjeuner savoyard", Session.Kind.BREAK, (0, 12, 30), (0, 14, 0), "Chalet de l'Aurore", "",
     None, []),
    ("Atelier : des agents vocaux en production", Session.Kind.WORKSHOP, (0, 14, 0),
     (0, 15, 30), "Salle du Revard", "Contenus", 40, ["sofia-marques"]),
    ("Rendez-vous d'affaires (session 2)", Session.Kind.WORKSHOP, (0, 14, 0), (0, 15, 30),
     "Salons", "Affaires", None, []),
    ("Balade sur le plateau", Session.Kind.BREAK, (0, 16, 0), (0, 18, 0), "Départ du chalet", "",
     None, []),
    ("Soirée au chalet", Session.Kind.EVENING, (0, 19, 30), (0, 23, 0), "Chalet de l'Aurore", "",
     None, []),
    ("Plénière : la consolidation du BPO, et après ?", Session.Kind.PLENARY, (1, 9, 0),
     (1, 10, 0), "Grande salle", "", None, ["marc-dufresne", "yann-le-goff"]),
    ("Rendez-vous d'affaires (session 3)", Session.Kind.WORKSHOP, (1, 10, 30), (1, 12, 0),
     "Salons", "Affaires", None, []),
    ("Atelier : mesurer la satisfaction canal par canal", Session.Kind.WORKSHOP, (1, 10, 30),
     (1, 12, 0), "Salle du Revard", "Contenus", 40, ["claire-vasseur", "ines-benali"]),
    ("Déjeuner", Session.Kind.BREAK, (1, 12, 0), (1, 13, 30), "Chalet de l'Aurore", "", None,
     []),
    ("Témoignages : l'omnicanal du comptoir au téléphone", Session.Kind.PLENARY, (1, 13, 30),
     (1, 14, 30), "Grande salle", "", None, ["lea-fontaine", "ines-benali"]),
    ("Clôture : ce que nous retenons", Session.Kind.PLENARY, (1, 14, 45), (1, 15, 30),
     "Grande salle", "", None, ["helene-carpentier"]),
]  # fmt: skip

ECTFF_PROGRAMME: list[Row] = [
    ("Accueil", Session.Kind.BREAK, (0, 8, 30), (0, 9, 15), "Hall", "", None, []),
    ("Plénière d'ouverture : l'expérience client mesurée par les clients",
     Session.Kind.PLENARY, (0, 9, 30), (0, 10, 30), "Auditorium", "", None,
     ["claire-vasseur", "ines-benali"]),
    ("Master class : escalader sans faire répéter le client", Session.Kind.MASTERCLASS,
     (0, 11, 0), (0, 12, 0), "Salle Seine", "Master classes", 40, ["yann-le-goff"]),
    ("Master class : un agent vocal qui sait passer la main", Session.Kind.MASTERCLASS,
     (0, 11, 0), (0, 12, 0), "Salle Loire", "Master classes", 40, ["sofia-marques"]),
    ("Déjeuner et rencontres", Session.Kind.BREAK, (0, 12, 0), (0, 14, 0), "Hall", "", None, []),
    ("Master class : acheter un centre de contact au résultat", Session.Kind.MASTERCLASS,
     (0, 14, 0), (0, 15, 0), "Salle Seine", "Master classes", 40, ["bertrand-okafor"]),
    ("Table ronde : le commerce de proximité face aux géants", Session.Kind.PLENARY,
     (0, 15, 30), (0, 16, 30), "Auditorium", "", None, ["lea-fontaine", "helene-carpentier"]),
    ("Cocktail de clôture", Session.Kind.EVENING, (0, 16, 30), (0, 18, 0), "Hall", "", None, []),
]  # fmt: skip

ECTFF_13TH_DAY = date(2025, 10, 21)
ECTFF_13TH_PROGRAMME: list[Row] = [
    ("Plénière d'ouverture : l'expérience client après l'euphorie de l'IA",
     Session.Kind.PLENARY, (0, 9, 30), (0, 10, 30), "Auditorium", "", None, []),
    ("Master class : piloter une communauté d'experts", Session.Kind.MASTERCLASS, (0, 11, 0),
     (0, 12, 0), "Salle Seine", "Master classes", 40, ["anne-fleur-saraux"]),
    ("Master class : un parcours, tous les canaux", Session.Kind.MASTERCLASS, (0, 11, 0),
     (0, 12, 0), "Salle Loire", "Parcours", 40, ["amelia-newsom-davis"]),
    ("Master class : garder l'âme d'un service client de passionnés", Session.Kind.MASTERCLASS,
     (0, 14, 0), (0, 15, 0), "Salle Seine", "Master classes", 40, ["gary-anssens"]),
]  # fmt: skip

QUESTIONS = [
    ("Votre fonction", Question.Kind.TEXT, "", False),
    ("Votre principal canal de contact client", Question.Kind.CHOICE,
     "Téléphone\nE-mail\nMessageries et chat\nBoutique", True),
    ("J'accepte d'être pris en photo pendant la soirée", Question.Kind.CHECKBOX, "", False),
]  # fmt: skip


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, bool]:
    return model.objects.update_or_create(**lookup, defaults=values)


def _article(slug: str) -> Article | None:
    return Article.objects.filter(slug=slug).first()


def events_demo_load(*, calendar: DemoCalendar | None = None) -> EventsDemoResult:
    """Create or refresh the demo venues, speakers, events, programmes and tickets."""
    calendar = calendar or demo_calendar()
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
        venues = _venues(result)
        _new_biz_forum(result, calendar, venues["feclaz"], speakers)
        _ectff(result, calendar, venues["paris"], speakers)
        _debates(result, calendar, venues["terrass"], speakers)
    return result


def _venues(result: EventsDemoResult) -> dict[str, Venue]:
    rows = {
        "feclaz": ("Chalet de l'Aurore", {
            "address": "Station de La Féclaz",
            "postal_code": "73230",
            "city": "Les Déserts (La Féclaz)",
            "access_notes": (
                "À 30 minutes de Chambéry par la D912. Navette depuis la gare de Chambéry le "
                "matin du forum. Parking gratuit au pied des pistes."
            ),
            "latitude": Decimal("45.645300"),
            "longitude": Decimal("5.986100"),
        }),
        "paris": ("Espace Grande Arche", {
            "address": "1 parvis de la Défense",
            "postal_code": "92044",
            "city": "Paris La Défense",
            "access_notes": "RER A, métro 1 et tram T2 : station La Défense.",
            "latitude": Decimal("48.892600"),
            "longitude": Decimal("2.236000"),
        }),
        "terrass": ("Terrass'Hôtel", {
            "address": "12-14 rue Joseph de Maistre",
            "postal_code": "75018",
            "city": "Paris",
            "access_notes": "Métro Blanche ou Place de Clichy. Le débat a lieu au 7e étage.",
            "latitude": Decimal("48.885900"),
            "longitude": Decimal("2.331800"),
        }),
    }  # fmt: skip
    venues = {}
    for key, (name, values) in rows.items():
        venues[key], created = _upsert(Venue, {"name": name}, values)
        result.count("venues", created)
    return venues


def _new_biz_forum(
    result: EventsDemoResult, calendar: DemoCalendar, venue: Venue, speakers: dict[str, Speaker]
) -> None:
    first, last = calendar.nbf_days
    starts_at = at(first, 8, 30)
    forum, created = _upsert(
        Event,
        {"slug": calendar.nbf_slug},
        {
            "name": "New Biz Forum",
            "edition": str(calendar.nbf_year),
            "summary": (
                f"Deux jours en montagne, {french_days(first, last)}, pour les dirigeants de "
                "centres de contact, de BPO et d'éditeurs : rendez-vous d'affaires, tables "
                "rondes et soirée au chalet."
            ),
            "description": (
                "Le forum d'affaires organisé par le magazine s'installe à La Féclaz, la station "
                "savoyarde où le Chalet de l'Aurore accueillit les premières colonies de "
                "vacances dans les années 1950.\n\nAu programme : des rendez-vous qualifiés "
                "entre donneurs d'ordre et prestataires, des tables rondes et des ateliers sur "
                "l'externalisation à l'heure de l'IA, et une soirée au coin du feu."
            ),
            "starts_at": starts_at,
            "ends_at": at(last, 16, 0),
            "venue": venue,
            "status": Event.Status.SCHEDULED,
            "is_published": True,
            "registration_opens_at": min(starts_at - timedelta(days=150), calendar.days_ago(30, 9)),
            "registration_closes_at": at(first - timedelta(days=6), 18),
            "refund_days_before": 14,
            "organiser_email": "evenements@example.com",
        },
    )
    result.count("events", created)
    _sessions(forum, first, NBF_PROGRAMME, speakers)
    _tickets(
        forum,
        [
            ("Pass forum (deux jours)", None, 120, 39000, 29000, TicketType.Access.OPEN),
            ("Invité donneur d'ordre", None, 30, 0, None, TicketType.Access.APPROVAL),
        ],
    )
    _announced_in(forum, "new-biz-forum-la-feclaz")


def _ectff(
    result: EventsDemoResult, calendar: DemoCalendar, venue: Venue, speakers: dict[str, Speaker]
) -> None:
    # The 13th edition, held the week of Dreamforce 2025, with its write-up.
    past, created = _upsert(
        Event,
        {"slug": "ectff-13e-edition"},
        {
            "name": "ECTFF",
            "edition": "13e édition",
            "summary": (
                "Le forum de l'expérience client : conférences, retours d'expérience et master "
                "classes animées par des responsables de la relation client."
            ),
            "description": (
                "Pour sa 13e édition, le forum a réuni à Paris directions de la relation client, "
                "prestataires et éditeurs, autour de master classes en petit comité."
            ),
            "starts_at": at(ECTFF_13TH_DAY, 9),
            "ends_at": at(ECTFF_13TH_DAY, 18),
            "venue": venue,
            "status": Event.Status.SCHEDULED,
            "is_published": True,
            "registration_opens_at": at(date(2025, 9, 1), 9),
            "registration_closes_at": at(date(2025, 10, 20), 18),
            "refund_days_before": 7,
            "organiser_email": "evenements@example.com",
        },
    )
    result.count("events", created)
    sessions = _sessions(past, ECTFF_13TH_DAY, ECTFF_13TH_PROGRAMME, speakers)
    _masterclass_tickets(past, sessions)
    _writeup(sessions, "ectff-13e-edition-master-classes")

    day = calendar.ectff_day
    edition = calendar.ectff_edition
    starts_at = at(day, 8, 30)
    ectff, created = _upsert(
        Event,
        {"slug": calendar.ectff_slug},
        {
            "name": "ECTFF",
            "edition": f"{edition}e édition",
            "summary": (
                "Le forum de l'expérience client : une plénière, trois master classes en petit "
                "comité et une table ronde sur le commerce de proximité."
            ),
            "description": (
                f"Pour sa {edition}e édition, le forum réunit à Paris La Défense directions de "
                "la relation client, prestataires et éditeurs. Les master classes se tiennent "
                "en petit comité : places limitées, inscription obligatoire à chacune."
            ),
            "starts_at": starts_at,
            "ends_at": at(day, 18),
            "venue": venue,
            "status": Event.Status.SCHEDULED,
            "is_published": True,
            # Opened the day the magazine announced it.
            "registration_opens_at": calendar.days_ago(3, 9),
            "registration_closes_at": at(day - timedelta(days=1), 18),
            "refund_days_before": 7,
            "organiser_email": "evenements@example.com",
        },
    )
    result.count("events", created)
    sessions = _sessions(ectff, day, ECTFF_PROGRAMME, speakers)
    _masterclass_tickets(ectff, sessions)
    _announced_in(ectff, "ectff-prochaine-edition-inscriptions-ouvertes")


def _debates(
    result: EventsDemoResult, calendar: DemoCalendar, venue: Venue, speakers: dict[str, Speaker]
) -> None:
    rows = [
        (
            "debat-omnicanal-terrass-hotel",
            calendar.debate_day,
            "Soirée débat : l'omnicanal, promesse tenue ?",
            "Une soixantaine de professionnels sur le toit du Terrass'Hôtel pour débattre de "
            "stratégie omnicanale avec Kamel Saci et Paul Roll.",
            "Boutique, téléphone, messageries, application : les clients passent d'un canal à "
            "l'autre, et les entreprises peinent à suivre. Deux dirigeants confrontent leurs "
            "expériences, du commerce de quartier à l'hôtellerie internationale, avant un "
            "cocktail.",
            ["kamel-saci", "paul-roll"],
            "soiree-debat-omnicanal-au-terrass-hotel",
        ),
        (
            "debat-agents-ia-terrass-hotel",
            calendar.next_debate_day,
            "Soirée débat : agents IA, qui répond vraiment au client ?",
            "Une soirée sur le toit du Terrass'Hôtel pour débattre de la place des agents d'IA "
            "dans le service client, avec Sofia Marques et Claire Vasseur.",
            "Les agents d'IA répondent de mieux en mieux, et les clients les aiment toujours "
            "aussi peu quand ils ne peuvent pas en sortir. Une fondatrice de jeune pousse et "
            "une directrice de la relation client confrontent leurs expériences, avant un "
            "cocktail. Débat animé par Inès Benali.",
            ["sofia-marques", "claire-vasseur", "ines-benali"],
            None,
        ),
    ]
    for slug, day, name, summary, description, speaker_slugs, writeup in rows:
        start = at(day, 18, 30)
        debate_title = name.replace("Soirée débat", "Débat")
        opens = min(start - timedelta(days=45), calendar.days_ago(10, 9))
        debate, created = _upsert(
            Event,
            {"slug": slug},
            {
                "name": name,
                "edition": "",
                "summary": summary,
                "description": description,
                "starts_at": start,
                "ends_at": start + timedelta(hours=3),
                "venue": venue,
                "status": Event.Status.SCHEDULED,
                "is_published": True,
                "registration_opens_at": opens,
                "registration_closes_at": start - timedelta(hours=4),
                "refund_days_before": 2,
                "organiser_email": "evenements@example.com",
            },
        )
        result.count("events", created)
        sessions = _sessions(
            debate,
            day,
            [
                ("Accueil", Session.Kind.BREAK, (0, 18, 30), (0, 19, 0), "Rooftop", "", None, []),
                (debate_title, Session.Kind.EVENING, (0, 19, 0), (0, 20, 20), "Rooftop", "",
                 None, speaker_slugs),
                ("Cocktail", Session.Kind.EVENING, (0, 20, 20), (0, 21, 30), "Rooftop", "",
                 None, []),
            ],
            speakers,
        )  # fmt: skip
        if writeup:
            _writeup([s for s in sessions if s.title == debate_title], writeup)
        _tickets(debate, [("Invitation soirée", None, 60, 4500, 0, TicketType.Access.OPEN)])
        for position, (label, kind, choices, required) in enumerate(QUESTIONS, start=1):
            Question.objects.update_or_create(
                event=debate,
                label=label,
                defaults={
                    "kind": kind,
                    "choices": choices,
                    "required": required,
                    "position": position,
                },
            )


def _sessions(
    event: Event, first_day: date, rows: list[Row], speakers: dict[str, Speaker]
) -> list[Session]:
    sessions = []
    for title, kind, start, end, room, track, capacity, speaker_slugs in rows:
        session, _created = Session.objects.update_or_create(
            event=event,
            title=title,
            defaults={
                "kind": kind,
                "starts_at": _on(first_day, start),
                "ends_at": _on(first_day, end),
                "room": room,
                "track": track,
                "capacity": capacity,
            },
        )
        session.speakers.set([speakers[slug] for slug in speaker_slugs])
        sessions.append(session)
    return sessions


def _on(first_day: date, when: tuple[int, int, int]) -> datetime:
    day, hour, minute = when
    return at(first_day + timedelta(days=day), hour, minute)


def _masterclass_tickets(event: Event, sessions: list[Session]) -> None:
    _tickets(
        event,
        [("Entrée forum", None, 400, 0, None, TicketType.Access.OPEN)]
        + [
            (f"Master class — {session.speakers.first()}", session, None, 0, None,
             TicketType.Access.OPEN)
            for session in sessions
            if session.kind == Session.Kind.MASTERCLASS
        ],
    )  # fmt: skip


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


def _announced_in(event: Event, slug: str) -> None:
    article = _article(slug)
    if article is not None:
        event.announced_in.add(article)


def _writeup(sessions: list[Session], slug: str) -> None:
    article = _article(slug)
    for session in sessions:
        if session.writeup_article_id != (article.pk if article else None):
            session.writeup_article = article
            session.save(update_fields=["writeup_article"])
