"""Demo newsletters: two public lists, confirmed subscribers (the demo readers among them), a
campaign sent last week and a draft ready to send; safe to run any number of times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from magazine.demo import content
from magazine.models import Article
from newsletters.models import (
    Campaign,
    CampaignArticle,
    ConsentRecord,
    Delivery,
    Newsletter,
    Subscriber,
)
from newsletters.services import CONSENT_WORDING_VERSION, consent_wording

WEEKLY = "hebdo"
EVENTS = "rendez-vous"

NEWSLETTERS = (
    (
        WEEKLY,
        "La lettre hebdo",
        "Chaque semaine, l'essentiel de la relation client : nos articles, les mouvements du "
        "marché et les rendez-vous à ne pas manquer.",
    ),
    (
        EVENTS,
        "Les rendez-vous",
        "Forums, master classes et soirées-débats : les programmes et les ouvertures "
        "d'inscription, avant tout le monde.",
    ),
)

# Readers without an account, beside the demo readers (addresses that cannot receive mail).
OTHER_SUBSCRIBERS = (
    "sophie.marechal@example.com",
    "julien.roux@example.com",
    "amandine.petit@example.net",
    "karim.benaissa@example.org",
    "lucie.garnier@example.com",
    "thomas.nguyen@example.net",
)

SENT_SUBJECT = "Konecta, Vocalcom, omnicanal : la semaine de la relation client"
SENT_DIGEST = (
    "didier-manzari-quitte-konecta",
    "vocalcom-dans-le-viseur-des-repreneurs",
    "omnicanal-pourquoi-la-promesse-reste-difficile-a-tenir",
)
DRAFT_SUBJECT = "Comete, Volubile.ai, BPO : la semaine de la relation client"
DRAFT_DIGEST = (
    "comete-un-deal-majeur-attendu",
    "volubile-ai-arr-en-hausse-de-250-pour-cent",
    "bpo-la-consolidation-s-accelere",
)


@dataclass
class NewslettersDemoResult:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1


def newsletters_demo_load(*, now: datetime | None = None) -> NewslettersDemoResult:
    """Create or refresh the demo newsletters, subscribers and campaigns."""
    now = now or timezone.now()
    result = NewslettersDemoResult()
    with transaction.atomic():
        letters = {}
        for position, (slug, name, description) in enumerate(NEWSLETTERS, start=1):
            letter, created = Newsletter.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": description,
                    "public": True,
                    "position": position,
                },
            )
            letters[slug] = letter
            result.count("newsletters", created)
        users = {
            user.email: user
            for user in User.objects.filter(
                email__in=[content.SUBSCRIBER_EMAIL, content.COMPANY_READER_EMAIL,
                           content.READER_EMAIL]
            )
        }  # fmt: skip
        since = now - timedelta(days=90)
        for email, user in users.items():
            for letter in letters.values():
                result.count("subscribers", _subscriber_ensure(letter, email, user, since))
        for email in OTHER_SUBSCRIBERS:
            result.count("subscribers", _subscriber_ensure(letters[WEEKLY], email, None, since))

        marketer = User.objects.filter(email=content.MARKETER_EMAIL).first()
        sent_at = timezone.make_aware(
            datetime.combine(timezone.localdate(now) - timedelta(days=7), time(7, 0))
        )
        result.count("campaigns", _sent_campaign_ensure(letters[WEEKLY], marketer, sent_at))
        result.count("campaigns", _draft_campaign_ensure(letters[WEEKLY], marketer))
    return result


def _subscriber_ensure(letter: Newsletter, email: str, user: User | None, since: datetime) -> bool:
    subscriber, created = Subscriber.objects.get_or_create(
        newsletter=letter,
        email=email,
        defaults={"user": user, "status": Subscriber.Status.SUBSCRIBED, "confirmed_at": since},
    )
    if subscriber.status != Subscriber.Status.SUBSCRIBED:
        # A demo reader who unsubscribed while trying the site is left as they chose.
        return created
    if created:
        # The same proof of consent as a double opt-in leaves.
        ConsentRecord.objects.create(
            newsletter=letter,
            email=subscriber.email,
            action=ConsentRecord.Action.CONFIRMED,
            source=ConsentRecord.Source.SIGNUP,
            wording_version=CONSENT_WORDING_VERSION,
            wording=consent_wording(),
            created_at=since,
        )
    return created


def _digest_set(campaign: Campaign, slugs: tuple[str, ...]) -> None:
    articles = {article.slug: article for article in Article.objects.filter(slug__in=slugs)}
    for position, slug in enumerate(slugs):
        if slug in articles:
            CampaignArticle.objects.update_or_create(
                campaign=campaign, article=articles[slug], defaults={"position": position}
            )


def _sent_campaign_ensure(letter: Newsletter, marketer: User | None, sent_at: datetime) -> bool:
    """Last week's issue, sent to every confirmed subscriber (its deliveries marked sent)."""
    campaign, created = Campaign.objects.update_or_create(
        newsletter=letter,
        subject=SENT_SUBJECT,
        defaults={
            "preheader": "Un départ chez Konecta, Vocalcom convoité et l'omnicanal en débat.",
            "body": (
                "<p>Bonjour,</p><p>Cette semaine, le marché de l'externalisation a encore "
                "bougé. Voici ce qu'il ne fallait pas manquer.</p>"
                "<p>Bonne lecture,<br>La rédaction</p>"
            ),
            "status": Campaign.Status.SENT,
            "scheduled_at": sent_at,
            "started_at": sent_at,
            "finished_at": sent_at + timedelta(minutes=2),
            "created_by": marketer,
        },
    )
    _digest_set(campaign, SENT_DIGEST)
    recipients = list(
        Subscriber.objects.confirmed()
        .filter(newsletter=letter, confirmed_at__lte=sent_at)
        .values_list("email", "user_id")
    )
    for email, user_id in recipients:
        Delivery.objects.update_or_create(
            campaign=campaign,
            email=email,
            defaults={
                "user_id": user_id,
                "status": Delivery.Status.SENT,
                "attempts": 1,
                "sent_at": sent_at + timedelta(seconds=30),
            },
        )
    Campaign.objects.filter(pk=campaign.pk).update(
        total_recipients=Delivery.objects.filter(campaign=campaign).count()
    )
    return created


def _draft_campaign_ensure(letter: Newsletter, marketer: User | None) -> bool:
    """This week's issue, ready for the marketer to preview, test and send."""
    campaign = Campaign.objects.filter(newsletter=letter, subject=DRAFT_SUBJECT).first()
    if campaign is not None and campaign.status != Campaign.Status.DRAFT:
        return False  # scheduled or sent while trying the demo: it stays so
    created = campaign is None
    if campaign is None:
        campaign = Campaign(newsletter=letter, subject=DRAFT_SUBJECT, created_by=marketer)
    campaign.preheader = "Comete prépare un deal, Volubile.ai s'envole, le BPO se consolide."
    campaign.body = (
        "<p>Bonjour,</p><p>Un deal attendu, une jeune pousse en hypercroissance et un marché "
        "qui se recompose : la semaine en trois articles.</p><p>Bonne lecture,<br>"
        "La rédaction</p>"
    )
    campaign.status = Campaign.Status.DRAFT
    campaign.scheduled_at = None
    campaign.save()
    _digest_set(campaign, DRAFT_DIGEST)
    return created
