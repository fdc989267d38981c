"""`manage.py load_demo`: the demo magazine, its images and its editor, loaded idempotently."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext
from imagekit.cachefiles import ImageCacheFile

from accounts.models import User
from events.models import Event
from magazine.demo.content import EDITOR_EMAIL, EDITOR_PASSWORD
from magazine.images import Rendition
from magazine.models import Article, Author, Rubrique, Tag
from magazine.roles import EDITORS_GROUP

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", "--allow-production", stdout=out)
    return out.getvalue()


def media_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


def snapshot() -> dict[str, object]:
    return {
        "articles": list(Article.objects.order_by("slug").values_list("slug", "updated_at")),
        "rubriques": Rubrique.objects.count(),
        "tags": Tag.objects.count(),
        "authors": list(Author.objects.order_by("slug").values_list("slug", "photo")),
        "heroes": list(Article.objects.order_by("slug").values_list("hero_image", flat=True)),
        "related": sorted(
            Article.related.through.objects.values_list("from_article", "to_article")
        ),
        "users": User.objects.count(),
    }


def test_load_demo_refuses_to_run_with_debug_off_unless_told() -> None:
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Article.objects.exists()
    assert not User.objects.filter(email=EDITOR_EMAIL).exists()


def test_demo_fills_the_magazine_with_illustrated_published_articles() -> None:
    load_demo()

    published = Article.objects.published()
    assert published.count() >= 12
    assert set(published.values_list("access", flat=True)) == {"free", "registered", "subscribers"}
    assert published.filter(featured=True).count() >= 2
    assert published.filter(published_at__year=2019).exists()
    assert Article.objects.filter(status="draft").exists()

    dreamforce = Article.objects.get(slug="dreamforce-2025-agents-ia-et-chaussettes-a-18-dollars")
    assert dreamforce.published_at.isoformat() == "2025-10-23T09:00:00+00:00"  # 11:00 in Paris
    assert list(dreamforce.authors.values_list("name", flat=True)) == ["La rédaction"]
    assert dreamforce.related.count() >= 2

    article_urls = {article.get_absolute_url() for article in Article.objects.all()}
    article_urls |= {event.get_absolute_url() for event in Event.objects.all()}
    for article in published:
        assert article.authors.exists(), article.slug
        assert article.tags.exists(), article.slug
        assert article.seo_description and len(article.seo_description) <= 160
        assert "<h2>" in article.body and "<blockquote>" in article.body
        assert article.hero_alt and article.hero_credit
        assert "[[article:" not in article.body
        # Internal links point at articles (or events) that exist.
        for href in re.findall(r'href="(/[^"]*)"', article.body):
            assert href in article_urls, (article.slug, href)

        assert default_storage.exists(article.hero_image.name)
        assert (article.hero_width, article.hero_height) == (1600, 900)
        for width in (480, 800, 1200, 1600):
            for image_format in ("WEBP", "JPEG"):
                rendition = ImageCacheFile(Rendition(article.hero_image, width, image_format))
                assert default_storage.exists(rendition.name), (article.slug, width, image_format)

    journalists = Author.objects.exclude(slug="la-redaction")
    assert journalists.count() >= 2
    for author in Author.objects.all():
        assert author.photo and default_storage.exists(author.photo.name)
    assert all(author.role and author.bio for author in journalists)


def test_running_the_demo_twice_changes_nothing() -> None:
    load_demo()
    before, files_before = snapshot(), media_files()

    output = load_demo()

    assert snapshot() == before
    assert media_files() == files_before
    # The command speaks the active language (French by default): compare with the catalogue.
    nothing_drawn = gettext("%(count)s images drawn, %(renditions)s renditions written.") % {
        "count": 0,
        "renditions": 0,
    }
    assert nothing_drawn in output


def test_demo_editor_can_log_in_and_edit_but_is_not_superuser(client: Client) -> None:
    output = load_demo()

    assert EDITOR_EMAIL in output and EDITOR_PASSWORD in output
    assert f"{settings.SITE_URL}/admin/" in output.splitlines()[-1]
    editor = User.objects.get(email=EDITOR_EMAIL)
    assert editor.is_staff and not editor.is_superuser
    assert editor.groups.filter(name=EDITORS_GROUP).exists()
    assert editor.has_perm("magazine.change_article")

    response = client.post(
        reverse("account_login"), {"login": EDITOR_EMAIL, "password": EDITOR_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:magazine_article_changelist")).status_code == 200


def test_demo_restores_the_printed_editor_password(client: Client) -> None:
    load_demo()
    editor = User.objects.get(email=EDITOR_EMAIL)
    editor.set_password("changed-by-someone-123")
    editor.save()

    load_demo()

    editor.refresh_from_db()
    assert editor.check_password(EDITOR_PASSWORD)
