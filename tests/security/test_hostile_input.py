"""Hostile input at every public form and endpoint: a clear 4xx or form error, never a 500, and
nothing changes that should not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from magazine.models import Article
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

MEGABYTE = "A" * (1024 * 1024)
SCRIPT = '<script>alert("x")</script>'
SQLISH = "'; DROP TABLE accounts_user; --"
NUL = "abc\x00def"
HOSTILE_TEXT = [MEGABYTE, SCRIPT, SQLISH, NUL, "", "é" * 300, "%FF%FE"]

# Rows whose counts must not move when input is refused.
WATCHED = [
    "accounts.User",
    "paywall.GiftLink",
    "subscriptions.Subscription",
    "events.Registration",
    "newsletters.Subscriber",
    "magazine.Article",
]


def counts() -> dict[str, int]:
    result = {}
    for label in WATCHED:
        model: type[models.Model] = apps.get_model(label)
        result[label] = model.objects.count()
    return result


def assert_clear_refusal(response: Any) -> None:
    assert response.status_code < 500, response.status_code
    if response.status_code == 200:
        form = (response.context or {}).get("form")
        assert form is not None and form.errors, "a 200 answer to bad input must show form errors"


@pytest.fixture
def newsletter(db: Any) -> Any:
    from newsletters.models import Newsletter

    return Newsletter.objects.create(name="La quotidienne", slug="quotidienne")


@pytest.mark.parametrize(
    "value", HOSTILE_TEXT, ids=["1MB", "script", "sql", "nul", "empty", "long", "pct"]
)
def test_signup_login_and_reset_refuse_hostile_emails(client: Client, value: str) -> None:
    before = counts()
    for name, data in (
        ("account_signup", {"email": value, "password1": value, "password2": value}),
        ("account_login", {"login": value, "password": value}),
        ("account_reset_password", {"email": value}),
    ):
        response = client.post(reverse(name), data)
        assert response.status_code < 500
        assert response.status_code in (200, 400, 413, 429) or (
            name == "account_reset_password" and response.status_code == 302
        )
    assert counts() == before
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "query",
    ["%FF", "%00", "%C0%AF", "q=" + "x" * 5000, "<script>", "' OR 1=1 --", "%E2%80%AE"],
)
def test_search_survives_hostile_queries(client: Client, query: str) -> None:
    response = client.get(reverse("magazine:search") + "?q=" + query)
    assert response.status_code in (200, 400)
    assert b"<script>alert" not in response.content


def test_search_never_echoes_markup(client: Client) -> None:
    response = client.get(reverse("magazine:search"), {"q": SCRIPT})
    assert response.status_code == 200
    assert SCRIPT.encode() not in response.content


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=300))
def test_search_answers_any_text(client: Client, q: str) -> None:
    response = client.get(reverse("magazine:search"), {"q": q})
    assert response.status_code in (200, 400)


def test_newsletter_form_refuses_hostile_input(client: Client, newsletter: Any) -> None:
    before = counts()
    url = reverse("newsletters:subscribe")
    for data in (
        {"email": MEGABYTE, "newsletters": [newsletter.pk], "consent": "on"},
        {"email": SCRIPT, "newsletters": [newsletter.pk], "consent": "on"},
        {"email": "ok@example.com", "newsletters": ["abc"], "consent": "on"},
        {"email": "ok@example.com", "newsletters": [999999], "consent": "on"},
        {"email": NUL, "newsletters": [newsletter.pk], "consent": "on"},
        {"email": "ok@example.com", "newsletters": [newsletter.pk]},  # no consent
    ):
        assert_clear_refusal(client.post(url, data))
    assert counts() == before


def test_invalid_utf8_bodies_are_refused_cleanly(client: Client, newsletter: Any) -> None:
    before = counts()
    for url in (
        reverse("newsletters:subscribe"),
        reverse("account_login"),
        reverse("account_signup"),
    ):
        response = client.post(
            url,
            data=b"email=%FF%FE%00&login=\xff\xfe&password=\xc0\xaf",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code < 500
    assert counts() == before


def test_gift_links_refuse_forged_and_wrong_type_ids(
    client: Client, subscriber: User, others_gift: Any
) -> None:
    client.force_login(subscriber)
    before = counts()
    assert client.post(reverse("magazine:gift_create", args=["nexiste-pas"])).status_code == 404
    assert client.post(f"/abonnement/cadeaux/{others_gift.pk}/retirer/").status_code == 404
    assert client.post("/abonnement/cadeaux/abc/retirer/").status_code == 404
    assert client.post("/abonnement/cadeaux/99999999999999999999/retirer/").status_code == 404
    assert client.get(f"/abonnement/cadeaux/{others_gift.pk}/").status_code == 404
    others_gift.refresh_from_db()
    assert others_gift.revoked_at is None
    assert counts() == before


@pytest.mark.parametrize("value", [MEGABYTE, SCRIPT, SQLISH, NUL])
def test_event_registration_refuses_hostile_fields(
    client: Client, ticket_type: Any, value: str
) -> None:
    before = counts()
    url = reverse("events:register", args=[ticket_type.event.slug, ticket_type.pk])
    response = client.post(
        url, {"first_name": value, "last_name": value, "email": value, "consent": "on"}
    )
    assert_clear_refusal(response)
    assert counts() == before


def test_event_registration_for_a_forged_ticket_type_is_a_404(
    client: Client, ticket_type: Any
) -> None:
    url = f"/evenements/{ticket_type.event.slug}/inscription/987654/"
    assert (
        client.post(
            url, {"first_name": "A", "last_name": "B", "email": "a@example.com"}
        ).status_code
        == 404
    )


def test_checkout_refuses_forged_plans(client: Client, reader: User, stripe_sim: Any) -> None:
    client.force_login(reader)
    before = counts()
    assert client.post("/abonnement/souscrire/987654/").status_code == 404
    assert client.post("/abonnement/souscrire/abc/").status_code == 404
    assert client.get("/abonnement/souscrire/1/").status_code == 405
    assert counts() == before


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00",
        b"{}",
        b'{"type": "customer.subscription.updated"}',
        MEGABYTE.encode(),
    ],
)
def test_stripe_webhook_refuses_unsigned_or_garbled_bodies(
    client: Client, stripe_sim: Any, body: bytes
) -> None:
    before = counts()
    for signature in (None, "t=1,v1=forged", "\x00"):
        extra = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}
        response = client.post(
            reverse("stripe_webhook"), data=body, content_type="application/json", **extra
        )
        assert 400 <= response.status_code < 500
    assert counts() == before


@pytest.mark.parametrize("slug", ["nexiste-pas", "%FF", "a" * 300, "<script>"])
def test_article_json_answers_404_for_unknown_or_hostile_slugs(client: Client, slug: str) -> None:
    response = client.get(f"/api/articles/{slug}.json")
    assert response.status_code == 404


@pytest.mark.parametrize("token", ["forged", "%FF%FE", "a" * 5000, "x.y.z", "\x00"])
def test_one_click_unsubscribe_refuses_forged_tokens(
    client: Client, newsletter: Any, token: str
) -> None:
    from newsletters.models import ConsentRecord

    before = ConsentRecord.objects.count()
    url = f"/newsletters/desabonnement/{token}/"
    for method in (client.get, client.post):
        response = (
            method(url, {"List-Unsubscribe": "One-Click"}) if method == client.post else method(url)
        )
        assert response.status_code in (400, 404)
    assert ConsentRecord.objects.count() == before


def test_admin_add_article_refuses_hostile_input(client: Client, editor: User) -> None:
    client.force_login(editor)
    before = counts()
    url = reverse("admin:magazine_article_add")
    for data in (
        {"title": MEGABYTE, "slug": "x", "body": SCRIPT},
        {"title": NUL, "slug": NUL},
        {"title": "Titre", "slug": "<script>", "rubrique": "abc"},
    ):
        response = client.post(url, data)
        assert response.status_code in (200, 400, 413)
        if response.status_code == 200:
            assert response.context["adminform"].form.errors
    assert counts() == before


def test_account_deletion_refuses_hostile_passwords(client: Client, reader: User) -> None:
    client.force_login(reader)
    for value in (MEGABYTE, NUL, SQLISH, ""):
        response = client.post(reverse("accounts:delete"), {"password": value})
        assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.is_active and reader.check_password(PASSWORD)


def test_admin_add_article_refuses_forged_autocomplete_ids(client: Client, editor: User) -> None:
    client.force_login(editor)
    response = client.post(
        reverse("admin:magazine_article_add"), {"title": "Titre", "authors": ["x"]}
    )
    assert response.status_code == 200
    assert "authors" in response.context["adminform"].form.errors
    assert not Article.objects.filter(title="Titre").exists()


# --- every URL pattern of the project, discovered from the URLconf -----------------------------
#
# Each pattern's converters are filled with hostile values (whatever the converter would accept
# or not), and each request carries the same value in the query string and in a form body,
# under the names the project's views and forms read. DEBUG is off and exceptions are answered
# as in production: nothing may come back 5xx, and the script never comes back unescaped.

SLOT = "\u2400"  # stands for a converter while the URL is being built
# Already percent-encoded: they go into paths, query strings and bodies as they are.
ENCODED: dict[str, str] = {
    "nul": "abc%00def",
    "long": "a" * 1000,
    "huge-int": "9" * 40,
    "negative": "-1",
    "script": quote('"><script>alert(1)</script>', safe=""),
    "pct-junk": "%FF%FE%C0%AF",
    "unicode": quote("é\u202eü😀", safe=""),
    "dots": "..%2F..%2Fetc%2Fpasswd",
}
# The names the views and forms read (request.GET/POST and form fields).
FIELDS = [
    *("q", "page", "o", "p", "e", "all", "term", "next", "format", "version", "session_id"),
    *("email", "newsletters", "consent", "first_name", "last_name", "company", "job_title"),
    *("discount_code", "code", "login", "password", "password1", "password2", "token"),
    *("action", "subscription", "card", "tax_id", "field_name", "model_name", "app_label"),
    *("scheduled_at", "_selected_action", "index", "List-Unsubscribe"),
]
# The admin's views are Django's, once per model: fewer values there keep the walk quick.
ADMIN_VALUES = ("nul", "long", "huge-int", "script", "pct-junk")
ADMIN_ANONYMOUS_VALUES = ("script",)  # anonymous visitors are only sent to the login


@dataclass(frozen=True)
class Pattern:
    name: str
    template: str  # the path without its leading slash, converters as SLOT
    i18n: bool
    admin: bool


def _regex_template(regex: str) -> str:
    """A path template from a simple URL regex: groups become SLOT, anchors and escapes go."""
    out: list[str] = []
    depth, i = 0, 0
    regex = regex.removeprefix("^").removesuffix("$")
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            if depth == 0:
                out.append(regex[i + 1])
            i += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                out.append(SLOT)
        elif depth == 0 and char not in "?^$":
            out.append(char)
        i += 1
    return "".join(out)


def _template(pattern: Any) -> str:
    if isinstance(pattern, LocalePrefixPattern):
        return ""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?\w+>", SLOT, str(pattern._route))
    return _regex_template(pattern._regex)


def url_patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def walk(resolver: URLResolver, prefix: str, name: str, i18n: bool, admin: bool) -> None:
        for entry in resolver.url_patterns:
            template = prefix + _template(entry.pattern)
            in_i18n = i18n or isinstance(entry.pattern, LocalePrefixPattern)
            if isinstance(entry, URLResolver):
                namespace = f"{name}{entry.namespace}:" if entry.namespace else name
                walk(entry, template, namespace, in_i18n, admin or entry.namespace == "admin")
            else:
                label = f"{name}{entry.name or template}"
                found.append(Pattern(label, template, in_i18n, admin))

    walk(get_resolver(), "", "", False, False)
    return sorted(set(found), key=lambda p: (p.name, p.template))


URL_PATTERNS = url_patterns()


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        response.close()
        return content
    return bytes(response.content)


def _hostile_requests(pattern: Pattern, values: list[str]) -> Iterator[tuple[str, str, bytes]]:
    """(label, url with query, form body) for each value, in each language the pattern has."""
    prefixes = ["", "en/"] if pattern.i18n else [""]
    for prefix in prefixes:
        for value in values if prefix == "" else ["script", "unicode"]:
            encoded = ENCODED[value]
            query = "&".join(f"{field}={encoded}" for field in FIELDS)
            path = "/" + prefix + pattern.template.replace(SLOT, encoded)
            yield f"{value} {prefix}", f"{path}?{query}", query.encode()


def _drive(client: Client, pattern: Pattern, values: list[str], who: str) -> list[str]:
    failures = []
    for label, url, body in _hostile_requests(pattern, values):
        for method in ("get", "post"):
            if method == "get":
                response = client.get(url)
            else:
                response = client.post(
                    url, data=body, content_type="application/x-www-form-urlencoded"
                )
            where = f"{who} {method.upper()} {pattern.name} [{label}]"
            if response.status_code >= 500:
                failures.append(f"{where} → {response.status_code}")
            if b"<script>alert" in _body(response):
                failures.append(f"{where} reflects the script unescaped")
    return failures


def _is_login_redirect(response: Any) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and ("/login/" in location or "/connexion" in location)


@pytest.fixture
def production(settings: Any) -> None:
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False


@pytest.mark.sqlite_compatible
@pytest.mark.parametrize("pattern", URL_PATTERNS, ids=[p.name for p in URL_PATTERNS])
def test_every_url_answers_hostile_input_without_a_5xx(
    pattern: Pattern, production: None, reader: User, superuser: User
) -> None:
    values = list(ENCODED)
    anonymous = Client(raise_request_exception=False)
    if pattern.admin:
        failures = _drive(anonymous, pattern, list(ADMIN_ANONYMOUS_VALUES), "anonymous")
        staff = Client(raise_request_exception=False)
        staff.force_login(superuser)
        failures += _drive(staff, pattern, list(ADMIN_VALUES), "superuser")
    else:
        failures = _drive(anonymous, pattern, values, "anonymous")
        probe = anonymous.get("/" + pattern.template.replace(SLOT, "x"))
        if _is_login_redirect(probe):
            signed_in = Client(raise_request_exception=False)
            signed_in.force_login(reader)
            failures += _drive(signed_in, pattern, values, "reader")
    assert failures == [], "\n".join(failures)


def test_the_walk_reaches_every_part_of_the_site() -> None:
    names = {pattern.name for pattern in URL_PATTERNS}
    for expected in (
        "events:ticket",
        "events:ticket_ics",
        "events:ticket_cancel",
        "events:waitlist_entry",
        "events:payment_return",
        "newsletters:subscribe",
        "newsletter_tracking_webhook",
        "account_signup",
        "account_confirm_email",
        "magazine:article",
        "admin:index",
        "admin:newsletters_campaign_send_now",
    ):
        assert expected in names
    assert any(pattern.i18n for pattern in URL_PATTERNS)
    events_ticket = next(p for p in URL_PATTERNS if p.name == "events:ticket")
    assert events_ticket.template == f"evenements/billet/{SLOT}/"


# --- the cases issue #12 found, one by one -----------------------------------------------------

NUL_URLS = [
    "/evenements/billet/ab%00c/",
    "/evenements/billet/ab%00c/calendrier.ics",
    "/evenements/billet/ab%00c/annuler/",
    "/evenements/liste-attente/ab%00c/",
    "/evenements/paiement/retour/?session_id=%00",
    "/lettres/?newsletters=1%00",
    "/?q%00=1",
]


@pytest.mark.postgres
@pytest.mark.parametrize("url", NUL_URLS)
def test_nul_in_the_path_or_query_is_a_400_with_a_reason(
    production: None, ticket_type: Any, url: str
) -> None:
    client = Client(raise_request_exception=False)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "caractère NUL" in response.content.decode()


@pytest.mark.postgres
def test_nul_in_a_form_field_is_a_400_before_any_view(
    production: None, ticket_type: Any, newsletter: Any
) -> None:
    client = Client(raise_request_exception=False)
    before = counts()
    register = reverse("events:register", args=[ticket_type.event.slug, ticket_type.pk])
    for data in (
        {"first_name": "Léa", "last_name": "B", "email": "lea@example.com", "consent": "on",
         "company": "Acme\x00"},
        {"email\x00": "lea@example.com"},
    ):  # fmt: skip
        response = client.post(register, data)  # multipart, as the test client sends forms
        assert response.status_code == 400
        assert "Un champ du formulaire contient un caractère NUL." in response.content.decode()
    response = client.post(
        reverse("newsletters:subscribe"),
        "email=lea%40example.com&consent=on&newsletters=1%00",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert counts() == before


def test_the_nul_reason_is_in_the_language_of_the_address(production: None) -> None:
    response = Client().get("/en/evenements/billet/ab%00c/")
    assert response.status_code == 400
    assert "The address contains a NUL character." in response.content.decode()


TOO_LONG = "a" * 250 + "@example.com"  # 262 characters: a valid address, too long to store
TOO_LONG_MESSAGE = "Une adresse e-mail compte au plus 254 caractères (celle-ci en a 262)."


@pytest.mark.sqlite_compatible
def test_the_waiting_list_refuses_an_address_over_254_characters(
    production: None, ticket_type: Any
) -> None:
    from events.models import WaitlistEntry

    client = Client(raise_request_exception=False)
    url = reverse("events:waitlist_join", args=[ticket_type.event.slug, ticket_type.pk])
    response = client.post(url, {"first_name": "Léa", "last_name": "B", "email": TOO_LONG})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"E-mail\u00a0: {TOO_LONG_MESSAGE}" in page
    assert not WaitlistEntry.objects.exists()


@pytest.mark.sqlite_compatible
def test_signup_refuses_addresses_over_254_characters_rather_than_cut_them(
    production: None,
) -> None:
    client = Client(raise_request_exception=False)
    # The second shares the first's 254 first characters: cut, they were the same account.
    for email in (TOO_LONG, TOO_LONG.replace("@example.com", "@example.org")):
        response = client.post(
            reverse("account_signup"),
            {"email": email, "password1": "xx-Solide-42-zz", "password2": "xx-Solide-42-zz"},
        )
        assert response.status_code == 200
        assert TOO_LONG_MESSAGE in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.sqlite_compatible
def test_every_public_email_form_refuses_over_254_characters(
    production: None, ticket_type: Any, newsletter: Any
) -> None:
    client = Client(raise_request_exception=False)
    before = counts()
    register = reverse("events:register", args=[ticket_type.event.slug, ticket_type.pk])
    response = client.post(
        register, {"first_name": "Léa", "last_name": "B", "email": TOO_LONG, "consent": "on"}
    )
    assert response.status_code in (200, 400)
    assert TOO_LONG_MESSAGE in response.content.decode()
    response = client.post(
        reverse("newsletters:subscribe"),
        {"email": TOO_LONG, "newsletters": [newsletter.pk], "consent": "on"},
    )
    assert response.status_code == 400
    assert TOO_LONG_MESSAGE in response.content.decode()
    response = client.post(reverse("account_reset_password"), {"email": TOO_LONG})
    assert response.status_code == 200
    assert TOO_LONG_MESSAGE in response.content.decode()
    assert counts() == before


@pytest.mark.sqlite_compatible
def test_the_csv_import_refuses_an_address_over_254_characters(newsletter: Any) -> None:
    from django.core.exceptions import ValidationError

    from newsletters import services
    from newsletters.models import Subscriber

    with pytest.raises(ValidationError):
        services.subscribers_import(newsletter=newsletter, data=f"email\n{TOO_LONG}\n")
    assert not Subscriber.objects.exists()


HUGE = "9" * 30


@pytest.mark.sqlite_compatible
def test_a_huge_newsletter_id_is_a_form_error(production: None, newsletter: Any) -> None:
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse("newsletters:subscribe"),
        {"email": "lea@example.com", "newsletters": [HUGE], "consent": "on"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["newsletters"]
    assert client.get(reverse("newsletters:subscribe"), {"newsletters": HUGE}).status_code == 200


@pytest.mark.sqlite_compatible
def test_in_lookups_on_integers_ignore_values_no_column_can_hold(newsletter: Any) -> None:
    from newsletters.models import Newsletter

    assert list(Newsletter.objects.filter(pk__in=[int(HUGE)])) == []
    assert list(Newsletter.objects.filter(pk__in=[-int(HUGE), newsletter.pk])) == [newsletter]
    assert list(Newsletter.objects.exclude(pk__in=[int(HUGE)])) == [newsletter]


@pytest.mark.sqlite_compatible
@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "latin-1"])
def test_a_form_post_in_another_charset_is_the_sites_own_400(
    production: None, newsletter: Any, charset: str
) -> None:
    client = Client(raise_request_exception=False)
    for url in (reverse("newsletters:subscribe"), reverse("account_login"), "/nexiste-pas/"):
        response = client.generic(
            "POST",
            url,
            "email=lea@example.com".encode(charset),
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
        )
        assert response.status_code == 400, url
        assert "Requête incorrecte" in response.content.decode()


def test_the_400_page_never_reads_the_request_body(rf: Any) -> None:
    from magazine.views import bad_request

    class UnreadableRequest:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"the 400 page read request.{name}")

    response = bad_request(UnreadableRequest(), Exception("unreadable"))  # type: ignore[arg-type]
    assert response.status_code == 400
    assert "unreadable" not in response.content.decode()
