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
