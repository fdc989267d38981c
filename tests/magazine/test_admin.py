"""The editors' newsroom in the Django admin: articles, roles, actions, image library."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import User
from magazine.images import renditions_generate
from magazine.models import Article, Author, LibraryImage
from magazine.roles import EDITOR_PERMISSIONS, EDITORS_GROUP
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    RubriqueFactory,
    TagFactory,
    UserFactory,
    jpeg_upload,
)

ADD_URL = "/admin/magazine/article/add/"
CHANGELIST_URL = "/admin/magazine/article/"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """Admin messages in English (the untranslated msgids), whatever the French catalogue says.

    The admin sits outside i18n_patterns, so it always speaks LANGUAGE_CODE.
    """
    settings.LANGUAGE_CODE = "en"


def article_form_data(**overrides: Any) -> dict[str, Any]:
    """The fields the article add form posts, as a browser would send them."""
    rubrique = overrides.pop("rubrique", None) or RubriqueFactory(name="Actualités", slug="actus")
    authors = overrides.pop("authors", None)
    if authors is None:
        authors = [AuthorFactory(name="La rédaction", slug="la-redaction")]
    data: dict[str, Any] = {
        "title": "Dreamforce 2025 : des agents IA et des chaussettes",
        "slug": "dreamforce-2025-agents-ia",
        "lead": "À San Francisco, Salesforce a vendu des agents IA à ses clients.",
        "body": (
            "<p>Premier paragraphe.</p><h2>Un intertitre</h2>"
            "<blockquote><p>Une citation du New York Times.</p></blockquote>"
        ),
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "rubrique": rubrique.pk,
        "access": Article.Access.SUBSCRIBERS,
        "authors": [author.pk for author in authors],
        "tags": [],
        "related": [],
        "hero_alt": "",
        "hero_caption": "",
        "hero_credit": "",
        "seo_title": "",
        "seo_description": "",
        "_save": "Save",
    }
    when = overrides.pop("published_at", None)
    if when is not None:
        local = timezone.localtime(when)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def form_errors(response: Any) -> dict[str, list[str]]:
    return {
        field: [str(message) for message in messages]
        for field, messages in response.context["adminform"].form.errors.items()
    }


def rendition_files() -> list[Path]:
    return [
        path
        for path in Path(settings.MEDIA_ROOT).rglob("*")
        if path.is_file() and "renditions" in path.parts
    ]


# --- Adding and publishing ------------------------------------------------------------------


def test_editor_adds_and_publishes_an_article_with_hero_image(
    editor_client: Client, editor: User, django_capture_on_commit_callbacks: Any
) -> None:
    tag = TagFactory(name="IA", slug="ia")
    data = article_form_data(
        status=Article.Status.PUBLISHED,
        tags=[tag.pk],
        hero_image=jpeg_upload("dreamforce.jpg", size=(1300, 700)),
        hero_alt="La scène principale de Dreamforce",
        hero_credit="Crédit : la rédaction",
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor_client.post(ADD_URL, data)

    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get(slug="dreamforce-2025-agents-ia")
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None
    assert abs(timezone.now() - article.published_at) < timedelta(minutes=1)
    assert article.is_live
    assert article.created_by == editor
    assert list(article.authors.values_list("slug", flat=True)) == ["la-redaction"]
    assert list(article.tags.all()) == [tag]
    assert "<h2>Un intertitre</h2>" in article.body
    assert "<blockquote>" in article.body
    assert (article.hero_width, article.hero_height) == (1300, 700)
    # The hero renditions are written once the transaction commits (the other callback retires
    # cached article pages).
    assert len([cb for cb in callbacks if getattr(cb, "func", None) is renditions_generate]) == 1
    names = {path.name for path in rendition_files() if "dreamforce" in str(path)}
    assert len(names) == 6  # 480, 800, 1200 px in WebP and JPEG; never wider than the source
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_published_article_keeps_the_time_the_editor_chose(editor_client: Client) -> None:
    chosen = timezone.now() - timedelta(days=3)
    response = editor_client.post(
        ADD_URL, article_form_data(status=Article.Status.PUBLISHED, published_at=chosen)
    )

    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert article.published_at is not None
    assert abs(article.published_at - chosen) < timedelta(seconds=1)


def test_article_without_author_is_refused_with_a_clear_error(editor_client: Client) -> None:
    response = editor_client.post(ADD_URL, article_form_data(authors=[]))

    assert response.status_code == 200
    assert form_errors(response)["authors"] == [
        "Choose at least one author (the newsroom itself can be an author)."
    ]
    assert not Article.objects.exists()


def test_hero_image_without_alternative_text_is_refused(editor_client: Client) -> None:
    response = editor_client.post(
        ADD_URL, article_form_data(hero_image=jpeg_upload(), hero_alt="  ")
    )

    assert response.status_code == 200
    assert "hero_alt" in form_errors(response)
    assert "Describe the hero image" in form_errors(response)["hero_alt"][0]
    assert not Article.objects.exists()


def test_scheduled_article_needs_a_publication_time(editor_client: Client) -> None:
    response = editor_client.post(ADD_URL, article_form_data(status=Article.Status.SCHEDULED))

    assert form_errors(response)["published_at"] == [
        "A scheduled article needs a publication date and time."
    ]
    assert not Article.objects.exists()


def test_scheduled_article_in_the_past_is_refused(editor_client: Client) -> None:
    response = editor_client.post(
        ADD_URL,
        article_form_data(
            status=Article.Status.SCHEDULED, published_at=timezone.now() - timedelta(hours=2)
        ),
    )

    assert "must have a publication time in the future" in form_errors(response)["published_at"][0]
    assert not Article.objects.exists()


def test_scheduled_article_in_the_future_is_saved_and_not_yet_visible(
    editor_client: Client,
) -> None:
    response = editor_client.post(
        ADD_URL,
        article_form_data(
            status=Article.Status.SCHEDULED, published_at=timezone.now() + timedelta(days=1)
        ),
    )

    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert article.display_status == "Scheduled"
    assert not Article.objects.published().exists()


def test_live_scheduled_article_can_be_edited_without_a_new_time(editor_client: Client) -> None:
    article = ArticleFactory(
        status=Article.Status.SCHEDULED, published_at=timezone.now() - timedelta(hours=1)
    )
    data = article_form_data(
        title="Titre corrigé",
        slug=article.slug,
        status=Article.Status.SCHEDULED,
        published_at=article.published_at,
        rubrique=article.rubrique,
        authors=list(article.authors.all()),
    )

    response = editor_client.post(f"/admin/magazine/article/{article.pk}/change/", data)

    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert article.title == "Titre corrigé"


def test_article_cannot_be_its_own_related_article(editor_client: Client) -> None:
    article = ArticleFactory()
    other = ArticleFactory()
    data = article_form_data(
        slug=article.slug,
        rubrique=article.rubrique,
        authors=list(article.authors.all()),
        related=[article.pk, other.pk],
    )

    response = editor_client.post(f"/admin/magazine/article/{article.pk}/change/", data)

    assert form_errors(response)["related"] == [
        "An article cannot be listed among its own related articles."
    ]
    assert not article.related.exists()


def test_related_autocomplete_does_not_offer_the_article_being_edited(
    editor_client: Client,
) -> None:
    article = ArticleFactory(title="Vocalcom à vendre")
    other = ArticleFactory(title="Vocalcom : les repreneurs")

    response = editor_client.get(
        "/admin/autocomplete/",
        {
            "term": "Vocalcom",
            "app_label": "magazine",
            "model_name": "article",
            "field_name": "related",
        },
        headers={"referer": f"http://testserver/admin/magazine/article/{article.pk}/change/"},
    )

    ids = {result["id"] for result in response.json()["results"]}
    assert ids == {str(other.pk)}


def test_created_by_is_kept_when_another_editor_changes_the_article(
    editor_client: Client, editor: User
) -> None:
    author = UserFactory(email="autre@example.com")
    article = ArticleFactory(created_by=author)
    data = article_form_data(
        slug=article.slug, rubrique=article.rubrique, authors=list(article.authors.all())
    )

    response = editor_client.post(f"/admin/magazine/article/{article.pk}/change/", data)

    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert article.created_by == author


# --- Change list, actions, links ------------------------------------------------------------


def test_changelist_shows_the_computed_status(editor_client: Client) -> None:
    ArticleFactory(title="Un brouillon", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(
        title="Un programmé",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=2),
    )
    ArticleFactory(title="Un publié")

    response = editor_client.get(CHANGELIST_URL)

    rows = {article.title: article.display_status for article in response.context["cl"].result_list}
    assert rows == {"Un brouillon": "Draft", "Un programmé": "Scheduled", "Un publié": "Published"}
    content = response.content.decode()
    for label in ("Draft", "Scheduled", "Published"):
        assert f'<td class="field-publication_status">{label}</td>' in content


def test_changelist_query_count_does_not_grow_with_articles(editor_client: Client) -> None:
    rubrique = RubriqueFactory()
    ArticleFactory.create_batch(2, rubrique=rubrique)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(CHANGELIST_URL)
    ArticleFactory.create_batch(8, rubrique=RubriqueFactory())
    with CaptureQueriesContext(connection) as many:
        response = editor_client.get(CHANGELIST_URL)

    assert response.context["cl"].result_count == 10
    assert len(many) == len(few)


def test_publish_now_action_publishes_drafts_and_scheduled_articles(
    editor_client: Client,
) -> None:
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    scheduled = ArticleFactory(
        status=Article.Status.SCHEDULED, published_at=timezone.now() + timedelta(days=5)
    )
    live_since = timezone.now() - timedelta(days=10)
    live = ArticleFactory(published_at=live_since)

    response = editor_client.post(
        CHANGELIST_URL,
        {"action": "publish_now", "_selected_action": [draft.pk, scheduled.pk, live.pk]},
        follow=True,
    )

    assert "2 articles published." in response.content.decode()
    for article in (draft, scheduled, live):
        article.refresh_from_db()
        assert article.is_live
        assert article.status == Article.Status.PUBLISHED
    assert live.published_at == live_since  # already live: untouched


def test_unpublish_action_sends_articles_back_to_draft(editor_client: Client) -> None:
    live = ArticleFactory()

    response = editor_client.post(
        CHANGELIST_URL, {"action": "unpublish", "_selected_action": [live.pk]}, follow=True
    )

    assert "1 article sent back to draft." in response.content.decode()
    live.refresh_from_db()
    assert live.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


def test_change_form_offers_preview_and_view_on_site_only_when_live(
    editor_client: Client,
) -> None:
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    live = ArticleFactory()
    preview = reverse("magazine:article_preview", kwargs={"pk": draft.pk})

    draft_page = editor_client.get(f"/admin/magazine/article/{draft.pk}/change/")
    live_page = editor_client.get(f"/admin/magazine/article/{live.pk}/change/")

    assert f'href="{preview}"' in draft_page.content.decode()
    assert "View on site" not in draft_page.content.decode()
    assert "Preview on site" in live_page.content.decode()
    assert "View on site" in live_page.content.decode()


def test_change_form_loads_the_rich_text_editor(editor_client: Client) -> None:
    response = editor_client.get(ADD_URL)

    content = response.content.decode()
    assert "django_prose_editor/configurable.js" in content
    assert "django_prose_editor/editor.css" in content
    assert '<script type="importmap"' in content
    assert "data-django-prose-editor-configurable" in content
    for extension in ("Figure", "Caption", "Image", "Blockquote", "Link", "Heading"):
        assert f"&quot;{extension}&quot;" in content


# --- Who may do what ------------------------------------------------------------------------


def test_editor_cannot_open_the_user_admin(editor_client: Client) -> None:
    assert editor_client.get("/admin/accounts/user/").status_code == 403
    assert editor_client.get("/admin/auth/group/").status_code == 403


def test_reader_is_sent_to_the_admin_login(reader_client: Client) -> None:
    for url in ("/admin/", CHANGELIST_URL, ADD_URL):
        response = reader_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_staff_member_without_group_gets_no_magazine_permission(client: Client, db: None) -> None:
    staff = UserFactory(email="stagiaire@example.com")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)

    assert not any(perm.startswith("magazine.") for perm in staff.get_all_permissions())
    assert client.get(CHANGELIST_URL).status_code == 403
    assert client.get(ADD_URL).status_code == 403


def test_editors_group_holds_exactly_the_editor_permissions(db: None) -> None:
    group = Group.objects.get(name=EDITORS_GROUP)

    granted = {
        (perm.content_type.app_label, perm.codename)
        for perm in group.permissions.select_related("content_type")
    }
    expected = {
        (app, codename) for app, codenames in EDITOR_PERMISSIONS.items() for codename in codenames
    }
    assert granted == expected
    assert ("magazine", "preview_article") in granted
    assert Permission.objects.filter(codename="preview_article").exists()


def test_editors_group_is_resynced_when_permissions_drift(db: None) -> None:
    from magazine.roles import editors_group_sync

    group = Group.objects.get(name=EDITORS_GROUP)
    group.permissions.add(Permission.objects.get(codename="change_user"))

    editors_group_sync()

    assert not group.permissions.filter(codename="change_user").exists()


# --- Authors and the image library ----------------------------------------------------------


def test_editor_adds_an_author_with_a_photo(
    editor_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            "/admin/magazine/author/add/",
            {
                "name": "Claire Dupont",
                "slug": "claire-dupont",
                "role": "Rédactrice en chef",
                "bio": "",
                "photo": jpeg_upload("claire.jpg", size=(600, 600)),
            },
        )

    assert response.status_code == 302
    author = Author.objects.get(slug="claire-dupont")
    assert (author.photo_width, author.photo_height) == (600, 600)
    assert {p.suffix for p in rendition_files() if "claire" in str(p)} == {".webp", ".jpg"}


def test_library_image_upload_shows_the_url_to_paste(
    editor_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            "/admin/magazine/libraryimage/add/",
            {
                "file": jpeg_upload("salon-ectff.jpg", size=(1000, 600)),
                "alt_text": "Le public du forum ECTFF",
                "caption": "Une master class",
                "credit": "Crédit : la rédaction",
            },
        )

    assert response.status_code == 302
    image = LibraryImage.objects.get()
    assert (image.width, image.height) == (1000, 600)
    change_page = editor_client.get(f"/admin/magazine/libraryimage/{image.pk}/change/")
    content = change_page.content.decode()
    assert "URL to paste in the article editor" in content
    pasted_url = re.search(r'<input type="text" readonly value="([^"]+)"', content).group(1)
    assert pasted_url.startswith(settings.MEDIA_URL + "renditions/")
    pasted = Path(settings.MEDIA_ROOT) / pasted_url.removeprefix(settings.MEDIA_URL)
    with Image.open(pasted) as rendition:
        assert (rendition.format, rendition.width) == ("JPEG", 800)
    listing = editor_client.get("/admin/magazine/libraryimage/").content.decode()
    thumbnail_url = re.search(r'<img src="([^"]+)" alt="Le public du forum ECTFF"', listing)[1]
    with Image.open(
        Path(settings.MEDIA_ROOT) / thumbnail_url.removeprefix(settings.MEDIA_URL)
    ) as t:
        assert t.width == 480


def test_library_image_without_alternative_text_is_refused(editor_client: Client) -> None:
    response = editor_client.post(
        "/admin/magazine/libraryimage/add/",
        {"file": jpeg_upload(), "alt_text": "", "caption": "", "credit": ""},
    )

    assert form_errors(response)["alt_text"] == [
        "Describe the image for readers who cannot see it."
    ]
    assert not LibraryImage.objects.exists()


def test_library_image_rejects_a_file_that_is_not_an_image(editor_client: Client) -> None:
    response = editor_client.post(
        "/admin/magazine/libraryimage/add/",
        {
            "file": SimpleUploadedFile("notes.jpg", b"pas une image", content_type="image/jpeg"),
            "alt_text": "Texte",
        },
    )

    assert "file" in form_errors(response)
    assert not LibraryImage.objects.exists()
