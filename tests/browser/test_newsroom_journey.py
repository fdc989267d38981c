"""The newsroom journey in a real browser: an editor publishes in the admin, a reader finds it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from accounts.models import User
from magazine.models import Article, Author, Rubrique
from tests.factories import ArticleFactory, AuthorFactory, RubriqueFactory
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Centres de contact : les agents IA passent l'épreuve du terrain"
# Django's URLify (admin prepopulated fields) drops the apostrophe and the accents.
SLUG = "centres-de-contact-les-agents-ia-passent-lepreuve-du-terrain"
LEAD = (
    "Trois plateaux de la région lyonnaise ont confié une partie des appels entrants à des "
    "agents vocaux. Six mois plus tard, les conseillers racontent ce qui a changé."
)
FIRST_PARAGRAPH = (
    "Au premier étage, une quarantaine de conseillers répondent encore aux clients d'un "
    "fournisseur d'énergie, casque sur les oreilles."
)
INTERTITLE = "Des conseillers recentrés sur les cas difficiles"
SECOND_PARAGRAPH = (
    "Les demandes simples, relevé de compteur ou date de facture, partent désormais vers "
    "l'agent vocal, qui transfère au moindre doute."
)
HERO_ALT = "Une conseillère casque sur les oreilles devant deux écrans"
HERO_CAPTION = "Le plateau lyonnais, un mardi matin d'octobre."
HERO_CREDIT = "Julie Mercier"


def _admin_login(page: Page, base_url: str, user: User) -> None:
    """Log in to the admin, which goes through the site's (allauth) login form."""
    page.goto(f"{base_url}/admin/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("#user-tools")).to_be_visible()


def _wait_for_image(page: Page, selector: str) -> dict[str, object]:
    """Wait until the browser has finished with the image, then report what it got."""
    image = page.locator(selector)
    expect(image).to_have_count(1)
    page.wait_for_function("img => img.complete", arg=image.element_handle())
    return image.evaluate(
        "img => ({naturalWidth: img.naturalWidth, currentSrc: img.currentSrc, alt: img.alt})"
    )


@pytest.fixture
def rubrique() -> Rubrique:
    return RubriqueFactory(name="Centres de contact", slug="centres-de-contact")


@pytest.fixture
def author() -> Author:
    return AuthorFactory(name="Claire Vasseur", slug="claire-vasseur", role="Journaliste")


@pytest.fixture
def hero_jpeg(tmp_path: Path) -> Path:
    """A real photo-sized JPEG with shapes, so a broken or stretched image shows on screenshots."""
    image = Image.new("RGB", (1600, 900), (24, 64, 104))
    draw = ImageDraw.Draw(image)
    for step in range(0, 900, 60):
        draw.rectangle((0, step, 1600, step + 30), fill=(30 + step // 8, 90, 140))
    draw.ellipse((600, 200, 1000, 600), fill=(240, 180, 60), outline=(255, 255, 255), width=12)
    draw.text((40, 40), "Kiosque - photo de test 1600x900", fill=(255, 255, 255))
    path = tmp_path / "plateau-lyon.jpg"
    image.save(path, "JPEG", quality=85)
    return path


@pytest.fixture
def older_articles(rubrique: Rubrique) -> list[Article]:
    """Other published pieces, so the new article has to be found among them on the home page."""
    analyses = RubriqueFactory(name="Analyses", slug="analyses")
    return [
        ArticleFactory(
            title="Vocalcom : les projets de reprise se précisent",
            rubrique=rubrique,
            published_at=timezone.now() - timedelta(days=2),
        ),
        ArticleFactory(
            title="Dreamforce 2025, des agents IA et des chaussettes à 18 dollars",
            rubrique=analyses,
            published_at=timezone.now() - timedelta(days=3),
        ),
    ]


def test_editor_publishes_an_article_with_an_image_and_a_reader_opens_it_from_the_home_page(
    new_page,  # type: ignore[no-untyped-def]
    phone_page: Page,
    screenshot,  # type: ignore[no-untyped-def]
    live_server,  # type: ignore[no-untyped-def]
    staff_member: User,
    rubrique: Rubrique,
    author: Author,
    hero_jpeg: Path,
    older_articles: list[Article],
) -> None:
    base_url = live_server.url

    # --- the editor writes and publishes in the admin ----------------------------------------
    admin = new_page()
    _admin_login(admin, base_url, staff_member)
    admin.locator("#content-main tr.model-article a.addlink").click()
    admin.wait_for_url(re.compile(r"/admin/magazine/article/add/$"))

    # Typed key by key: the admin's prepopulate script fills the slug on keyup.
    admin.locator("#id_title").press_sequentially(TITLE)
    expect(admin.locator("#id_slug")).to_have_value(SLUG)
    admin.locator("#id_lead").fill(LEAD)

    body = admin.locator(".field-body .ProseMirror[contenteditable=true]")
    body.click()
    admin.keyboard.type(FIRST_PARAGRAPH)
    admin.keyboard.press("Enter")
    # The intertitle through the editor's block-type menu, as an editor would do it.
    admin.locator(".field-body .prose-menubar__selected").click()
    admin.locator(".field-body .prose-menubar__option[data-name=heading2]").click()
    admin.keyboard.type(INTERTITLE)
    admin.keyboard.press("Enter")
    admin.keyboard.type(SECOND_PARAGRAPH)
    expect(body.locator("h2")).to_have_text(INTERTITLE)
    expect(body.locator("p")).to_have_text([FIRST_PARAGRAPH, SECOND_PARAGRAPH])

    admin.locator("#id_status").select_option(Article.Status.PUBLISHED.value)
    admin.locator("#id_rubrique").select_option(label=rubrique.name)
    admin.locator("#id_access").select_option(Article.Access.FREE.value)

    # Authors: Django's select2 autocomplete, fed by /admin/autocomplete/.
    admin.locator(".field-authors .select2-selection").click()
    admin.locator(".field-authors .select2-search__field").press_sequentially("Vass")
    admin.locator(".select2-results__option", has_text=author.name).click()
    expect(admin.locator(".field-authors .select2-selection__choice")).to_contain_text(author.name)

    admin.locator("#id_hero_image").set_input_files(hero_jpeg)
    admin.locator("#id_hero_alt").fill(HERO_ALT)
    admin.locator("#id_hero_caption").fill(HERO_CAPTION)
    admin.locator("#id_hero_credit").fill(HERO_CREDIT)
    screenshot(admin, "01-admin-article-form-filled")

    admin.locator("#article_form [name=_save]").last.click()
    admin.wait_for_url(re.compile(r"/admin/magazine/article/(\?.*)?$"))
    expect(admin.locator(".messagelist .success")).to_contain_text(TITLE)
    expect(admin.locator("#result_list")).to_contain_text(TITLE)
    screenshot(admin, "02-admin-article-changelist")

    article = Article.objects.get(slug=SLUG)
    assert article.status == Article.Status.PUBLISHED
    assert article.is_live
    assert article.access == Article.Access.FREE
    assert list(article.authors.all()) == [author]
    assert f"<h2>{INTERTITLE}</h2>" in article.body
    assert article.hero_image and (article.hero_width, article.hero_height) == (1600, 900)

    # --- an anonymous reader, in a browser of their own ---------------------------------------
    reader = new_page()
    reader.goto(f"{base_url}/")
    teaser = reader.locator("section.latest .card__title a", has_text=TITLE)
    expect(teaser).to_be_visible()
    # The newest piece comes first, above the older ones.
    expect(reader.locator("section.latest .card__title").first).to_have_text(TITLE)
    screenshot(reader, "03-reader-home")

    teaser.click()
    reader.wait_for_url(f"{base_url}/{SLUG}/")
    expect(reader.locator("h1.article__title")).to_have_text(TITLE)
    expect(reader.locator(".article__lead")).to_have_text(LEAD)
    expect(reader.locator(".article__meta")).to_contain_text(author.name)
    expect(reader.locator(".article__body h2")).to_have_text(INTERTITLE)
    expect(reader.locator(".article__body p")).to_have_text([FIRST_PARAGRAPH, SECOND_PARAGRAPH])
    expect(reader.locator(".article__hero figcaption .caption")).to_have_text(HERO_CAPTION)
    expect(reader.locator(".article__hero figcaption .credit")).to_contain_text(HERO_CREDIT)

    hero = _wait_for_image(reader, ".article__hero picture img")
    assert hero["naturalWidth"] > 0, f"the hero image did not load: {hero['currentSrc']}"
    assert "/media/" in str(hero["currentSrc"])
    assert hero["alt"] == HERO_ALT
    screenshot(reader, "04-reader-article-desktop")

    phone_page.goto(f"{base_url}/{SLUG}/")
    expect(phone_page.locator("h1.article__title")).to_have_text(TITLE)
    phone_hero = _wait_for_image(phone_page, ".article__hero picture img")
    assert phone_hero["naturalWidth"] > 0, f"no hero on the phone: {phone_hero['currentSrc']}"
    # Nothing wider than the screen: a sideways scroll on a phone is a broken layout.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "05-reader-article-phone")


def test_a_draft_is_hidden_from_readers_but_shown_to_the_editor_in_the_preview(
    new_page,  # type: ignore[no-untyped-def]
    screenshot,  # type: ignore[no-untyped-def]
    live_server,  # type: ignore[no-untyped-def]
    staff_member: User,
    rubrique: Rubrique,
) -> None:
    base_url = live_server.url
    draft = ArticleFactory(
        title="Konecta : ce que prépare la nouvelle direction",
        slug="konecta-nouvelle-direction",
        lead="Après le départ de son dirigeant, le groupe redistribue les rôles.",
        status=Article.Status.DRAFT,
        published_at=None,
        rubrique=rubrique,
    )

    reader = new_page()
    response = reader.goto(f"{base_url}/{draft.slug}/")
    assert response is not None and response.status == 404
    expect(reader.locator("body")).not_to_contain_text(draft.title)
    # Nor does the preview address confirm that a draft exists.
    response = reader.goto(f"{base_url}/apercu/{draft.pk}/")
    assert response is not None and response.status == 404
    expect(reader.locator("body")).not_to_contain_text(draft.title)
    reader.goto(f"{base_url}/")
    expect(reader.locator("main")).not_to_contain_text(draft.title)

    editor = new_page()
    _admin_login(editor, base_url, staff_member)
    editor.goto(f"{base_url}/admin/magazine/article/{draft.pk}/change/")
    preview_link = editor.locator(f".object-tools a[href$='/apercu/{draft.pk}/']")
    with editor.context.expect_page() as new_tab:
        preview_link.click()
    preview = new_tab.value
    preview.wait_for_load_state()
    assert preview.url == f"{base_url}/apercu/{draft.pk}/"

    # "Aperçu" once the French catalogue is compiled, "Preview" until then.
    banner = preview.locator(".preview-banner")
    expect(banner).to_contain_text(re.compile(r"Aperçu|Preview"))
    expect(preview.locator("h1.article__title")).to_have_text(draft.title)
    expect(preview.locator(".article__lead")).to_have_text(draft.lead)
    screenshot(preview, "06-staff-preview-of-a-draft")
