"""The demo editor on the site `make run` serves: writes an article in the admin, schedules it,
previews it, publishes it, and a reader finds it on the home page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.journeys.embedded import EmbeddedSite
from tests.journeys.helpers import admin_login

pytestmark = [pytest.mark.embedded, pytest.mark.browser]

EDITOR = "editeur@kiosque.local"
TITLE = "Centres de contact : la semaine de quatre jours à l'essai chez trois prestataires"
LEAD = (
    "Trois prestataires testent la semaine de quatre jours sur leurs plateaux français. "
    "Premier bilan après un trimestre."
)
PARAGRAPH = (
    "À Lille, les conseillers volontaires travaillent désormais du lundi au jeudi, avec des "
    "journées de neuf heures et un vendredi libre."
)
INTERTITLE = "Un absentéisme en baisse"
CLOSING = "La direction promet de publier les chiffres complets à la fin de l'expérimentation."


def test_editor_writes_schedules_previews_and_publishes_an_article(
    embedded_site: EmbeddedSite, open_page: Any, screenshot: Any
) -> None:
    base = embedded_site.url
    admin = open_page()
    admin_login(admin, base, EDITOR)
    screenshot(admin, "editor-01-admin-home")

    # 1. Write: title (the slug fills itself), lead, body with an intertitle, rubrique, author.
    admin.locator("#content-main tr.model-article a.addlink").click()
    admin.wait_for_url(re.compile(r"/admin/magazine/article/add/$"))
    admin.locator("#id_title").press_sequentially(TITLE)
    expect(admin.locator("#id_slug")).not_to_have_value("")
    slug = admin.locator("#id_slug").input_value()
    admin.locator("#id_lead").fill(LEAD)
    body = admin.locator(".field-body .ProseMirror[contenteditable=true]")
    body.click()
    admin.keyboard.type(PARAGRAPH)
    admin.keyboard.press("Enter")
    admin.locator(".field-body .prose-menubar__selected").click()
    admin.locator(".field-body .prose-menubar__option[data-name=heading2]").click()
    admin.keyboard.type(INTERTITLE)
    admin.keyboard.press("Enter")
    admin.keyboard.type(CLOSING)
    expect(body.locator("h2")).to_have_text(INTERTITLE)
    admin.locator("#id_rubrique").select_option(label="Actualités")
    admin.locator("#id_access").select_option("free")
    admin.locator(".field-authors .select2-selection").click()
    admin.locator(".field-authors .select2-search__field").press_sequentially("Benali")
    admin.locator(".select2-results__option", has_text="Inès Benali").click()

    # 2. Schedule: tomorrow morning, Paris time, through the admin's date and time fields.
    tomorrow = timezone.now().astimezone(ZoneInfo("Europe/Paris")) + timedelta(days=1)
    admin.locator("#id_status").select_option("scheduled")
    admin.locator("#id_published_at_0").fill(tomorrow.strftime("%d/%m/%Y"))
    admin.locator("#id_published_at_1").fill("08:00:00")
    screenshot(admin, "editor-02-article-form")
    admin.locator("#article_form [name=_continue]").last.click()
    expect(admin.locator(".messagelist .success")).to_contain_text(TITLE)
    change_url = admin.url
    assert re.search(r"/admin/magazine/article/\d+/change/$", change_url), change_url

    # Scheduled, so readers do not see it yet.
    early_reader = open_page()
    response = early_reader.goto(f"{base}/{slug}/")
    assert response is not None and response.status == 404
    early_reader.goto(f"{base}/")
    expect(early_reader.locator("main")).not_to_contain_text("semaine de quatre jours")

    # 3. Preview it as it will look on the site.
    with admin.expect_popup() as popup:
        admin.locator(".object-tools a[href*='/apercu/']").click()
    preview = popup.value
    expect(preview.locator(".preview-banner")).to_contain_text("Programmé")
    expect(preview.locator("h1.article__title")).to_contain_text("semaine de quatre jours")
    expect(preview.locator(".article__body h2")).to_have_text(INTERTITLE)
    expect(preview.locator(".article__body")).to_contain_text(CLOSING)
    screenshot(preview, "editor-03-preview")
    preview.close()

    # 4. Publish now, from the list of articles.
    admin.goto(f"{base}/admin/magazine/article/")
    row = admin.locator("#result_list tbody tr", has_text=TITLE)
    expect(row).to_contain_text("Programmé")
    row.locator("input.action-select").check()
    admin.locator("select[name=action]").select_option("publish_now")
    admin.locator("button[name=index]").click()
    expect(admin.locator(".messagelist .success")).to_contain_text("1 article publié")
    expect(row).to_contain_text("Publié")
    screenshot(admin, "editor-04-published")

    # 5. A reader finds it on the home page and reads it. Another reader: the one above may
    # get the home page from the browser's cache for a minute (Cache-Control: max-age=60).
    reader = open_page()
    reader.goto(f"{base}/")
    teaser = reader.locator("main a", has_text="semaine de quatre jours").first
    expect(teaser).to_be_visible()
    screenshot(reader, "editor-05-home")
    teaser.click()
    reader.wait_for_url(f"{base}/{slug}/")
    expect(reader.locator(".article__lead")).to_have_text(LEAD)
    expect(reader.locator(".article__body h2")).to_have_text(INTERTITLE)
    expect(reader.locator(".article__body")).to_contain_text(CLOSING)
    expect(reader.locator(".paywall")).to_have_count(0)
    screenshot(reader, "editor-06-article")
