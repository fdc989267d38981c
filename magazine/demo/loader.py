"""Load the demo magazine into the database; safe to run any number of times."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from imagekit.cachefiles import ImageCacheFile

from accounts.models import User
from magazine.demo import content, people
from magazine.demo.calendar import DemoCalendar, demo_calendar
from magazine.demo.drawing import illustration_draw, portrait_draw
from magazine.images import RENDITION_FORMATS, Rendition, _widths_for, renditions_generate
from magazine.models import Article, Author, Rubrique, Tag
from magazine.roles import editors_group_sync
from magazine.sanitizer import sanitize_html

_ARTICLE_LINK = re.compile(r"\[\[article:([a-z0-9-]+)\]\]")
_DATE_WORD = re.compile(r"\[\[([a-z_]+)\]\]")


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass
class DemoResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    images_drawn: int = 0
    renditions_written: int = 0
    editor_email: str = content.EDITOR_EMAIL
    editor_password: str = content.EDITOR_PASSWORD
    accounts: list[people.DemoAccount] = field(default_factory=list)
    admin_url: str = ""
    site_url: str = ""

    def count(self, kind: str, *, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1


def _file_present(file: FieldFile) -> bool:
    return bool(file.name) and file.storage.exists(file.name or "")


def _renditions_missing(file: FieldFile, width: int | None) -> bool:
    for rendition_width in _widths_for(width):
        for image_format in RENDITION_FORMATS:
            cachefile = ImageCacheFile(Rendition(file, rendition_width, image_format))
            if not cachefile.storage.exists(cachefile.name):
                return True
    return False


def _assign(instance: Any, values: dict[str, Any]) -> bool:
    """Set ``values`` on ``instance``; return whether anything differed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _upsert(
    model: type[Any], lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[Any, bool, bool]:
    """update_or_create that saves only on a real change, so a second run writes nothing."""
    instance = model.objects.filter(**lookup).first()
    created = instance is None
    if created:
        instance = model(**lookup)
    changed = _assign(instance, values)
    if created or changed:
        instance.full_clean()
        instance.save()
    return instance, created, changed


def _article_url(slug: str, known: set[str]) -> str:
    if slug not in known:
        raise ImproperlyConfigured(f"Demo article links to an unknown article: {slug!r}")
    try:
        with translation.override(settings.LANGUAGE_CODE):
            return reverse("magazine:article", kwargs={"slug": slug})
    except NoReverseMatch as exc:
        raise ImproperlyConfigured(f"Cannot build the URL of demo article {slug!r}") from exc


def _resolve_links(body: str, known: set[str]) -> str:
    return _ARTICLE_LINK.sub(lambda match: _article_url(match.group(1), known), body)


def _fill(text: str, words: dict[str, str]) -> str:
    """Write the demo calendar's dates into ``text`` (``[[nbf_days]]`` and the like)."""

    def word(match: re.Match[str]) -> str:
        if match.group(1) not in words:
            raise ImproperlyConfigured(f"Unknown word in demo text: {match.group(0)}")
        return words[match.group(1)]

    return _DATE_WORD.sub(word, text)


def _published_at(item: content.DemoArticle, calendar: DemoCalendar) -> datetime | None:
    if item.ago is not None:
        return calendar.days_ago(*item.ago)
    return item.published_at


def _rename_old_slugs() -> None:
    # Rows of an earlier demo load are refreshed in place, not left behind with stale dates.
    for old, new in content.RENAMED_SLUGS.items():
        if not Article.objects.filter(slug=new).exists():
            Article.objects.filter(slug=old).update(slug=new)


def _clean_html(html: str) -> str:
    # Collapse the source's hard line wraps so the stored HTML reads like the editor's output.
    return re.sub(r"\s*\n\s*", " ", html).replace("> <", "><").strip()


def _load_rubriques(result: DemoResult) -> dict[str, Rubrique]:
    rubriques = {}
    for item in content.RUBRIQUES:
        rubrique, created, changed = _upsert(
            Rubrique,
            {"slug": item.slug},
            {"name": item.name, "description": item.description, "position": item.position},
        )
        result.count("rubriques", created=created, changed=changed)
        rubriques[item.slug] = rubrique
    return rubriques


def _load_tags(result: DemoResult) -> dict[str, Tag]:
    tags = {}
    for item in content.TAGS:
        tag, created, changed = _upsert(Tag, {"slug": item.slug}, {"name": item.name})
        result.count("tags", created=created, changed=changed)
        tags[item.slug] = tag
    return tags


def _say(stdout: Writer | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _load_authors(result: DemoResult, stdout: Writer | None) -> dict[str, Author]:
    authors = {}
    for item in content.AUTHORS:
        author, created, changed = _upsert(
            Author,
            {"slug": item.slug},
            {"name": item.name, "role": item.role, "bio": item.bio},
        )
        redraw = not _file_present(author.photo)
        if redraw:
            _say(stdout, _("Drawing the portrait of %(name)s…") % {"name": item.name})
            photo = portrait_draw(name=item.name, palette=item.palette)
            author.photo.save(f"{item.slug}.jpg", ContentFile(photo), save=True)
            result.images_drawn += 1
            changed = True
        if redraw or _renditions_missing(author.photo, author.photo_width):
            result.renditions_written += renditions_generate(
                source=author.photo, source_width=author.photo_width
            )
        result.count("authors", created=created, changed=changed)
        authors[item.slug] = author
    return authors


def _load_articles(
    result: DemoResult,
    rubriques: dict[str, Rubrique],
    tags: dict[str, Tag],
    authors: dict[str, Author],
    editor: User,
    calendar: DemoCalendar,
    stdout: Writer | None,
) -> dict[str, Article]:
    known = {item.slug for item in content.ARTICLES}
    words = calendar.words()
    _rename_old_slugs()
    articles = {}
    for item in content.ARTICLES:
        body = _fill(_resolve_links(item.body, known), words)
        values: dict[str, Any] = {
            "title": _fill(item.title, words),
            "lead": _fill(item.lead, words),
            "body": sanitize_html(_clean_html(body)),
            "status": item.status,
            "published_at": _published_at(item, calendar),
            "rubrique_id": rubriques[item.rubrique].pk,
            "access": item.access,
            "featured": item.featured,
            "seo_title": item.seo_title,
            "seo_description": _fill(item.seo_description, words),
            "hero_alt": item.hero_alt,
            "hero_caption": _fill(item.hero_caption, words),
            "hero_credit": content.CREDIT,
        }
        article = Article.objects.filter(slug=item.slug).first()
        created = article is None
        if article is None:
            article = Article(slug=item.slug, created_by=editor)
        changed = _assign(article, values)
        redraw = not _file_present(article.hero_image)
        if redraw:
            _say(stdout, _("Drawing the illustration of “%(title)s”…") % {"title": values["title"]})
            picture = illustration_draw(
                word=item.hero_word,
                kicker=rubriques[item.rubrique].name,
                palette=item.palette,
                seed=item.slug,
            )
            article.hero_image.save(f"{item.slug}.jpg", ContentFile(picture), save=False)
            result.images_drawn += 1
        if created or changed or redraw:
            # The same validation as the admin: sanitised body, field lengths, image checks.
            article.full_clean()
            article.save()
        if redraw or _renditions_missing(article.hero_image, article.hero_width):
            result.renditions_written += renditions_generate(
                source=article.hero_image, source_width=article.hero_width
            )
        wanted_authors = {authors[slug].pk for slug in item.authors}
        if set(article.authors.values_list("pk", flat=True)) != wanted_authors:
            article.authors.set(wanted_authors)
            changed = True
        wanted_tags = {tags[slug].pk for slug in item.tags}
        if set(article.tags.values_list("pk", flat=True)) != wanted_tags:
            article.tags.set(wanted_tags)
            changed = True
        result.count("articles", created=created, changed=changed or redraw)
        articles[item.slug] = article

    for item in content.ARTICLES:
        article = articles[item.slug]
        wanted = {articles[slug].pk for slug in item.related}
        if set(article.related.values_list("pk", flat=True)) != wanted:
            article.related.set(wanted)
    return articles


def _load_plans(result: DemoResult) -> None:
    from subscriptions.models import Plan

    for item in content.PLANS:
        _, created = Plan.objects.update_or_create(
            stripe_price_id=item["stripe_price_id"], defaults=item
        )
        result.count("plans", created=created, changed=False)


def _load_accounts(result: DemoResult, groups: dict[str, Group], now: datetime) -> dict[str, User]:
    users = {}
    staff = people.staff_load(groups)
    readers = people.readers_load(now=now)
    for role, (user, created, changed) in {**staff, **readers}.items():
        result.count(
            "editors" if role == "editor" else "accounts", created=created, changed=changed
        )
        users[role] = user
    return users


def demo_load(
    *,
    stdout: Writer | None = None,
    groups: dict[str, Group] | None = None,
    calendar: DemoCalendar | None = None,
) -> DemoResult:
    """Create or refresh the demo rubriques, tags, authors, articles, plans and accounts.

    ``groups`` maps the staff roles ("editor", "marketer", "events") to their groups; the
    editor's alone is made here when it is not given. Dates follow ``calendar`` (default:
    today's).
    """
    result = DemoResult()
    calendar = calendar or demo_calendar()
    now = calendar.now
    groups = {"editor": editors_group_sync(), **(groups or {})}
    with transaction.atomic():
        rubriques = _load_rubriques(result)
        tags = _load_tags(result)
        authors = _load_authors(result, stdout)
        users = _load_accounts(result, groups, now)
        _load_articles(result, rubriques, tags, authors, users["editor"], calendar, stdout)
        _load_plans(result)
    # Through the (simulated) Stripe and its webhooks, each in their own transactions.
    people.subscription_ensure(user=users["subscriber"], granted_by=users["editor"], now=now)
    result.accounts = people.accounts_summary()
    with translation.override(settings.LANGUAGE_CODE):
        result.admin_url = f"{settings.SITE_URL}{reverse('admin:index')}"
        result.site_url = f"{settings.SITE_URL}{reverse('magazine:home')}"
    return result
