"""Writes and workflows of the newsroom: saving, publishing, image renditions."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from django import forms
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from magazine import page_cache
from magazine.images import renditions_generate
from magazine.models import Article, Author, LibraryImage

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def _renditions_after_commit(source: FieldFile, source_width: int | None) -> None:
    # After commit: the row and its file are final, and a rollback can't leave orphan renditions.
    # robust=True: a failed rendition must not turn a saved article into an error page; the
    # generate_renditions command can redo it.
    transaction.on_commit(
        partial(renditions_generate, source=source, source_width=source_width), robust=True
    )


def article_save(*, article: Article, form: forms.ModelForm, user: User | None) -> Article:
    """Save an article edited in a form, with its relations, and schedule hero renditions."""
    hero_changed = "hero_image" in form.changed_data
    with transaction.atomic():
        if article.pk is None:
            article.created_by = user
        if article.status == Article.Status.PUBLISHED and article.published_at is None:
            # "Published" without a time means "now"; scheduling needs an explicit time
            # (ArticleAdminForm enforces it).
            article.published_at = timezone.now()
        article.save()
        form.save_m2m()
        if hero_changed and article.hero_image:
            _renditions_after_commit(article.hero_image, article.hero_width)
        page_cache.articles_changed()
    return article


def article_publish(*, articles: Iterable[Article]) -> int:
    """Publish now every article that is not live yet; return how many changed."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for article in articles:
            if article.is_live:
                continue
            article.status = Article.Status.PUBLISHED
            article.published_at = now
            article.save(update_fields=["status", "published_at", "updated_at"])
            count += 1
        page_cache.articles_changed()
    return count


def article_unpublish(*, articles: Iterable[Article]) -> int:
    """Send articles back to draft (readers stop seeing them); return how many changed."""
    count = 0
    with transaction.atomic():
        for article in articles:
            if article.status == Article.Status.DRAFT:
                continue
            # published_at is kept: it is history, and a draft is never shown whatever its time.
            article.status = Article.Status.DRAFT
            article.save(update_fields=["status", "updated_at"])
            count += 1
        page_cache.articles_changed()
    return count


def article_delete(*, articles: QuerySet[Article]) -> int:
    """Delete articles; readers stop seeing them at once. Return how many were deleted."""
    with transaction.atomic():
        _total, per_model = articles.delete()
        page_cache.articles_changed()
    return per_model.get(Article._meta.label, 0)


def author_save(*, author: Author, form: forms.ModelForm) -> Author:
    """Save an author and schedule renditions of a new photo."""
    with transaction.atomic():
        author.save()
        form.save_m2m()
        if "photo" in form.changed_data and author.photo:
            _renditions_after_commit(author.photo, author.photo_width)
    return author


def library_image_save(*, image: LibraryImage, form: forms.ModelForm) -> LibraryImage:
    """Save an image of the library and schedule its renditions."""
    with transaction.atomic():
        image.save()
        form.save_m2m()
        if "file" in form.changed_data and image.file:
            _renditions_after_commit(image.file, image.width)
    return image


def renditions_regenerate_all() -> int:
    """Regenerate the renditions of every stored image; return how many files were written."""
    count = 0
    for article in Article.objects.exclude(hero_image=""):
        count += _renditions_safely(article.hero_image, article.hero_width)
    for author in Author.objects.exclude(photo=""):
        if author.photo_width is not None and author.photo_height is not None:
            # Photos uploaded before their dimensions were stored get them in memory when the row
            # loads (Django reads the file); keep them so later loads don't read it again.
            Author.objects.filter(pk=author.pk, photo_width__isnull=True).update(
                photo_width=author.photo_width, photo_height=author.photo_height
            )
        count += _renditions_safely(author.photo, author.photo_width)
    for image in LibraryImage.objects.all():
        count += _renditions_safely(image.file, image.width)
    return count


def _renditions_safely(source: FieldFile, source_width: int | None) -> int:
    # One missing or broken source file must not stop the regeneration of all the others.
    try:
        return renditions_generate(source=source, source_width=source_width)
    except (OSError, ValueError) as exc:
        logger.warning("Renditions of %s failed: %s", source.name, exc)
        return 0
