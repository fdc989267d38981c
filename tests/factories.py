"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import io
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from accounts.models import User
from magazine.models import Article, Author, Rubrique, Tag


def jpeg_upload(name: str = "photo.jpg", size: tuple[int, int] = (1600, 900)) -> SimpleUploadedFile:
    """A real JPEG drawn with Pillow, as an upload."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 140)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"lecteur{n}@example.com")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-solide-42")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class RubriqueFactory(DjangoModelFactory):
    class Meta:
        model = Rubrique
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Rubrique {n}")
    slug = factory.Sequence(lambda n: f"rubrique-{n}")


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Mot-clé {n}")
    slug = factory.Sequence(lambda n: f"mot-cle-{n}")


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Claire Dupont {n}")
    slug = factory.Sequence(lambda n: f"claire-dupont-{n}")
    role = "Journaliste"


class ArticleFactory(DjangoModelFactory):
    """A published article with one author; pass ``authors=[...]``/``tags=[...]`` to choose."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Les centres de contact face à l'IA, épisode {n}")
    slug = factory.Sequence(lambda n: f"centres-de-contact-ia-{n}")
    lead = "Les directions de la relation client revoient leurs organisations."
    body = "<p>Premier paragraphe.</p><h2>Un intertitre</h2><p>Deuxième paragraphe.</p>"
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    rubrique = factory.SubFactory(RubriqueFactory)
    access = Article.Access.FREE

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if not create:
            return
        self.authors.set(extracted if extracted is not None else [AuthorFactory()])

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def related(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.related.set(extracted)


# --- subscriptions (paywall) -------------------------------------------------------------------
# Models named by string: factory_boy resolves them, and the imports above stay untouched.


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = "subscriptions.Plan"
        django_get_or_create = ("stripe_price_id",)

    name = "Hebdo"
    stripe_price_id = factory.Sequence(lambda n: f"price_test_{n}")
    amount = 249
    currency = "eur"
    interval = "week"
    interval_count = 1


class SubscriptionFactory(DjangoModelFactory):
    """An active subscription; pass ``status=...`` for the other Stripe states."""

    class Meta:
        model = "subscriptions.Subscription"

    user = factory.SubFactory(UserFactory)
    plan = factory.SubFactory(PlanFactory)
    stripe_subscription_id = factory.Sequence(lambda n: f"sub_test_{n}")
    stripe_customer_id = factory.Sequence(lambda n: f"cus_test_{n}")
    status = "active"
    current_period_end = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ComplimentaryAccessFactory(DjangoModelFactory):
    """Access offered by staff, current now and for thirty days."""

    class Meta:
        model = "paywall.ComplimentaryAccess"

    user = factory.SubFactory(UserFactory)
    granted_by = factory.SubFactory(
        UserFactory, email="relation-abonnes@example.com", is_staff=True
    )
    reason = "Intervenant à l'ECTFF"
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class OrganisationFactory(DjangoModelFactory):
    """A company licence valid today; pass ``domains=[...]``/``ip_ranges=[...]`` to add them."""

    class Meta:
        model = "paywall.Organisation"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Centre de contact {n}")
    seats = 10
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=335))
    admin_contact = factory.SubFactory(UserFactory)

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            for domain in extracted:
                self.domains.create(domain=domain)

    @factory.post_generation
    def ip_ranges(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            for cidr in extracted:
                self.ip_ranges.create(cidr=cidr)


def verified_email(user: User, email: str | None = None, *, verified: bool = True) -> User:
    """Record ``email`` (default: the user's) as an allauth address, verified or not."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user,
        email=email or user.email,
        defaults={"verified": verified, "primary": email is None or email == user.email},
    )
    return user


# --- events ------------------------------------------------------------------------------------


class VenueFactory(DjangoModelFactory):
    class Meta:
        model = "events.Venue"

    name = "Terrass'Hôtel"
    address = "12-14 rue Joseph de Maistre"
    postal_code = "75018"
    city = "Paris"
    access_notes = "Métro Blanche. Le débat a lieu au 7e étage."
    latitude = "48.885900"
    longitude = "2.331800"


class SpeakerFactory(DjangoModelFactory):
    class Meta:
        model = "events.Speaker"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Intervenante {n}")
    slug = factory.Sequence(lambda n: f"intervenante-{n}")
    role = "Directrice de l'expérience client"
    company = "Orange"


class EventFactory(DjangoModelFactory):
    """A published, scheduled event three weeks ahead, registration open now."""

    class Meta:
        model = "events.Event"

    name = factory.Sequence(lambda n: f"ECTFF {n}")
    slug = factory.Sequence(lambda n: f"ectff-{n}")
    edition = "13e édition"
    summary = "Le forum de l'expérience client."
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=21))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))
    venue = factory.SubFactory(VenueFactory)
    status = "scheduled"
    is_published = True
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    registration_closes_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(hours=2))
    refund_days_before = 7
    organiser_email = "evenements@example.com"


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = "events.Session"

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Master class {n}")
    kind = "masterclass"
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at + timedelta(hours=2))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    room = "Salle Seine"
    track = "Master classes"
    capacity = None


class TicketTypeFactory(DjangoModelFactory):
    """A free ticket with 50 seats; pass ``session=`` for a per-session ticket."""

    class Meta:
        model = "events.TicketType"

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Entrée {n}")
    capacity = 50
    price_cents = 0


class RegistrationFactory(DjangoModelFactory):
    """A confirmed registration made without an account; pass ``status=``, ``user=`` to choose."""

    class Meta:
        model = "events.Registration"

    ticket_type = factory.SubFactory(TicketTypeFactory)
    event = factory.SelfAttribute("ticket_type.event")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.com")
    status = "confirmed"


class WaitlistEntryFactory(DjangoModelFactory):
    """A place on a ticket type's waiting list; pass ``status="offered"`` for a live offer."""

    class Meta:
        model = "events.WaitlistEntry"

    ticket_type = factory.SubFactory(TicketTypeFactory)
    first_name = "Dominique"
    last_name = factory.Sequence(lambda n: f"Attente{n}")
    email = factory.Sequence(lambda n: f"attente{n}@example.com")


# --- newsletters -------------------------------------------------------------------------------


class NewsletterFactory(DjangoModelFactory):
    class Meta:
        model = "newsletters.Newsletter"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"La lettre {n}")
    slug = factory.Sequence(lambda n: f"lettre-{n}")


class SubscriberFactory(DjangoModelFactory):
    """A confirmed subscription of one address; pass ``user=`` to link an account."""

    class Meta:
        model = "newsletters.Subscriber"

    newsletter = factory.SubFactory(NewsletterFactory)
    email = factory.Sequence(lambda n: f"abonne-lettre{n}@example.com")
    user = None
    status = "subscribed"
    confirmed_at = factory.LazyFunction(timezone.now)


class CampaignFactory(DjangoModelFactory):
    """A draft campaign to every confirmed subscriber of its newsletter."""

    class Meta:
        model = "newsletters.Campaign"

    newsletter = factory.SubFactory(NewsletterFactory)
    subject = factory.Sequence(lambda n: f"La semaine de la relation client, n° {n}")
    body = "<p>Bonjour.</p>"
