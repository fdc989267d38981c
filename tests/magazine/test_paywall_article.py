"""The article page, print view and JSON obey the paywall's one decision, and show why."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from core.money import format_price
from magazine.models import Article
from paywall.models import MeterPeriod, PaywallSettings
from tests.factories import UserFactory
from tests.magazine.paywall_helpers import MARKER, TEASER_WORD, json_ld, premium_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article() -> Article:
    return premium_article()


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_reader_gets_teaser_registration_wall_and_weekly_offer(
    client: Client, article: Article, weekly_plan
) -> None:  # type: ignore[no-untyped-def]
    html = _html(client, article.get_absolute_url())

    assert TEASER_WORD in html
    assert "Deuxième paragraphe" in html
    assert MARKER not in html
    assert "Dernier paragraphe" not in html
    assert 'class="paywalled-content"' not in html
    assert 'class="paywall ' in html
    next_param = f"?next={article.get_absolute_url()}"
    assert f'href="{reverse("account_signup")}{next_param}"' in html
    assert f'href="{reverse("account_login")}{next_param}"' in html
    with translation.override("fr"):
        price = format_price(249)
    assert price in html
    assert f'href="{reverse("billing:plans")}"' in html
    assert "csrfmiddlewaretoken" not in html


def test_subscriber_reads_everything_inside_the_paywalled_section(
    client: Client, article: Article, subscriber: User
) -> None:
    client.force_login(subscriber)

    html = _html(client, article.get_absolute_url())

    section = html[html.index('<div class="paywalled-content">') :]
    assert MARKER in section
    assert "Dernier paragraphe" in section
    assert 'class="paywall ' not in html
    assert "access-note--subscription" in html
    assert reverse("magazine:gift_create", args=[article.slug]) in html


def test_editors_paywall_cut_ends_the_teaser_and_is_not_shown_to_subscribers(
    client: Client, subscriber: User
) -> None:
    article = premium_article(
        body="<p>Avant la coupe.</p><hr><p>Après la coupe, PASSAGECOUPE.</p><p>Fin.</p>"
    )

    anonymous = _html(client, article.get_absolute_url())
    client.force_login(subscriber)
    full = _html(client, article.get_absolute_url())

    assert "Avant la coupe." in anonymous
    assert "PASSAGECOUPE" not in anonymous
    section = full[full.index('<div class="paywalled-content">') :]
    assert "PASSAGECOUPE" in section
    assert not section.split(">", 1)[1].lstrip().startswith("<hr")


def test_metered_reader_reads_and_is_told_how_many_free_articles_remain(
    client: Client, article: Article, reader: User
) -> None:
    client.force_login(reader)

    html = _html(client, article.get_absolute_url())

    assert MARKER in html
    assert "access-note--meter" in html
    assert MeterPeriod.objects.get(user=reader).reads_count == 1
    assert "2" in html[html.index("access-note--meter") :][:200]


def test_reader_past_the_meter_meets_the_subscription_wall(
    client: Client, reader: User, weekly_plan
) -> None:  # type: ignore[no-untyped-def]
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 1})
    first, second = premium_article(), premium_article(slug="deuxieme")
    client.force_login(reader)
    client.get(first.get_absolute_url())

    html = _html(client, second.get_absolute_url())

    assert MARKER not in html
    assert "paywall__reason--meter_exhausted" in html
    assert reverse("account_signup") not in html[html.index('class="paywall ') :]


def test_complimentary_reader_is_told_who_offers_the_access(
    client: Client, article: Article, complimentary_reader: User
) -> None:
    complimentary_reader.complimentary_accesses.update(offered_by="Orange")
    client.force_login(complimentary_reader)

    html = _html(client, article.get_absolute_url())

    assert MARKER in html
    note = html[html.index("access-note--complimentary") :][:300]
    assert "Orange" in note


def test_lapsed_subscriber_sees_teaser_only_once_the_meter_is_off(
    client: Client, article: Article, lapsed_subscriber: User
) -> None:
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 0})
    client.force_login(lapsed_subscriber)

    html = _html(client, article.get_absolute_url())

    assert TEASER_WORD in html
    assert MARKER not in html
    assert "paywall__reason--subscription_required" in html


def test_open_graph_and_json_ld_never_carry_the_body(client: Client, article: Article) -> None:
    html = _html(client, article.get_absolute_url())

    head = html[: html.index("</head>")]
    assert TEASER_WORD not in head and MARKER not in head
    assert f'<meta property="og:description" content="{article.lead}">' in head
    (data,) = [block for block in json_ld(html) if block["@type"] == "NewsArticle"]
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".paywalled-content",
    }
    assert "articleBody" not in data


def test_free_article_json_ld_has_no_paywalled_part(client: Client) -> None:
    article = premium_article(access=Article.Access.FREE)

    html = _html(client, article.get_absolute_url())

    (data,) = [block for block in json_ld(html) if block["@type"] == "NewsArticle"]
    assert data["isAccessibleForFree"] is True
    assert "hasPart" not in data
    assert MARKER in html


def test_language_switch_is_a_plain_link_to_the_same_article(
    client: Client, article: Article
) -> None:
    html = _html(client, article.get_absolute_url())

    assert f'href="/en{article.get_absolute_url()}" hreflang="en"' in html


# --- print view ---------------------------------------------------------------------------------


def test_print_view_obeys_the_decision(client: Client, article: Article, subscriber: User) -> None:
    url = reverse("magazine:article_print", args=[article.slug])

    anonymous = _html(client, url)
    client.force_login(subscriber)
    full = _html(client, url)

    assert TEASER_WORD in anonymous and MARKER not in anonymous
    assert MARKER in full
    assert "no-store" in client.get(url)["Cache-Control"]


def test_print_view_of_a_missing_article_is_not_found(client: Client) -> None:
    assert client.get(reverse("magazine:article_print", args=["absent"])).status_code == 404


# --- JSON ---------------------------------------------------------------------------------------


def test_json_gives_anonymous_readers_the_teaser_only(client: Client, article: Article) -> None:
    response = client.get(reverse("magazine:article_json", args=[article.slug]))

    assert response.status_code == 200
    data = response.json()
    assert data["paywalled"] is True
    assert "body_html" not in data
    assert TEASER_WORD in data["teaser_html"]
    assert MARKER not in response.content.decode()
    assert data["title"] == article.title
    assert data["lead"] == article.lead
    assert data["url"] == f"http://testserver{article.get_absolute_url()}"
    assert data["access"] == "subscribers"
    assert "private" in response["Cache-Control"]


def test_json_gives_subscribers_the_body(
    client: Client, article: Article, subscriber: User
) -> None:
    client.force_login(subscriber)

    data = client.get(reverse("magazine:article_json", args=[article.slug])).json()

    assert data["paywalled"] is False
    assert MARKER in data["body_html"]


def test_json_never_spends_the_meter(client: Client, article: Article, reader: User) -> None:
    client.force_login(reader)

    data = client.get(reverse("magazine:article_json", args=[article.slug])).json()

    assert data["paywalled"] is True
    assert not MeterPeriod.objects.filter(user=reader, reads_count__gt=0).exists()


def test_json_is_refused_for_drafts(client: Client) -> None:
    draft = premium_article(status=Article.Status.DRAFT, published_at=None)

    assert client.get(reverse("magazine:article_json", args=[draft.slug])).status_code == 404


# --- staff preview ------------------------------------------------------------------------------


def test_staff_preview_shows_the_full_text_to_editors_only(client: Client, editor: User) -> None:
    draft = premium_article(status=Article.Status.DRAFT, published_at=None)
    url = reverse("magazine:article_preview", args=[draft.pk])

    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(editor)
    response = client.get(url)
    assert MARKER in response.content.decode()
    assert "no-store" in response["Cache-Control"]
