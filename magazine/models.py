from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from magazine.images import validate_image_upload
from magazine.querysets import ArticleQuerySet
from magazine.sanitizer import BODY_EDITOR_EXTENSIONS, sanitize_html
from paywall.levels import AccessLevel


def hero_upload_to(instance: models.Model, filename: str) -> str:
    return f"articles/{timezone.now():%Y/%m}/{filename}"


def author_upload_to(instance: models.Model, filename: str) -> str:
    return f"authors/{filename}"


def library_upload_to(instance: models.Model, filename: str) -> str:
    return f"library/{timezone.now():%Y/%m}/{filename}"


class Rubrique(models.Model):
    """A section of the magazine (Actualités, Analyses, Événements…)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rubrique")
        verbose_name_plural = _("rubriques")
        ordering = ("position", "name")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("magazine:rubrique", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("magazine:tag", kwargs={"slug": self.slug})


class Author(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    role = models.CharField(_("role"), max_length=120, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to=author_upload_to,
        blank=True,
        validators=[validate_image_upload],
        width_field="photo_width",
        height_field="photo_height",
    )
    # Renditions need the source width to pick their sizes without opening the file.
    photo_width = models.PositiveIntegerField(editable=False, null=True)
    photo_height = models.PositiveIntegerField(editable=False, null=True)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("magazine:author", kwargs={"slug": self.slug})


class LibraryImage(models.Model):
    """An image uploaded for use inside article bodies."""

    file = models.ImageField(
        _("image"),
        upload_to=library_upload_to,
        validators=[validate_image_upload],
        width_field="width",
        height_field="height",
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=250,
        help_text=_("Describe the image for readers who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=150, blank=True)
    width = models.PositiveIntegerField(editable=False, null=True)
    height = models.PositiveIntegerField(editable=False, null=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("library image")
        verbose_name_plural = _("image library")
        ordering = ("-uploaded_at",)

    def __str__(self) -> str:
        return self.alt_text


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

    # The paywall's vocabulary (paywall.levels), which decides on it.
    Access = AccessLevel

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    lead = models.TextField(_("lead"), help_text=_("The opening paragraph, always free to read."))
    body = ProseEditorField(
        _("body"),
        config={"extensions": BODY_EDITOR_EXTENSIONS},
        sanitize=sanitize_html,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("In the future, the article appears on the site at that time."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    rubrique = models.ForeignKey(
        Rubrique,
        verbose_name=_("rubrique"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    authors = models.ManyToManyField(Author, verbose_name=_("authors"), related_name="articles")
    hero_image = models.ImageField(
        _("hero image"),
        upload_to=hero_upload_to,
        blank=True,
        validators=[validate_image_upload],
        width_field="hero_width",
        height_field="hero_height",
    )
    hero_width = models.PositiveIntegerField(editable=False, null=True)
    hero_height = models.PositiveIntegerField(editable=False, null=True)
    hero_alt = models.CharField(_("hero image alternative text"), max_length=250, blank=True)
    hero_caption = models.CharField(_("hero image caption"), max_length=300, blank=True)
    hero_credit = models.CharField(_("hero image credit"), max_length=150, blank=True)
    access = models.CharField(
        _("access"), max_length=12, choices=Access.choices, default=Access.SUBSCRIBERS
    )
    featured = models.BooleanField(_("featured on the home page"), default=False)
    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=160, blank=True)
    related = models.ManyToManyField(
        "self", verbose_name=_("related articles"), symmetrical=False, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects: ClassVar[ArticleQuerySet] = ArticleQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ("-published_at", "-id")
        indexes = [models.Index(fields=["status", "published_at"])]
        permissions = [("preview_article", _("Can preview unpublished articles"))]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Forms sanitise through the field's clean(); this covers every other write path too
        # (demo loader, shell, scripts), so the stored body is always safe to render.
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("magazine:article", kwargs={"slug": self.slug})

    @property
    def is_live(self) -> bool:
        """Visible to readers: not a draft, and its publication time has come."""
        return (
            self.status != self.Status.DRAFT
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def display_status(self) -> str:
        if self.status == self.Status.DRAFT:
            return str(self.Status.DRAFT.label)
        if self.is_live:
            return str(self.Status.PUBLISHED.label)
        return str(self.Status.SCHEDULED.label)

    @property
    def meta_title(self) -> str:
        return self.seo_title or self.title

    @property
    def meta_description(self) -> str:
        return self.seo_description or self.lead[:160]
