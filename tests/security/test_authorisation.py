"""Every URL of the project, tried as every persona, against an explicit allow-list.

A URL name missing from ACCESS fails the first test: a new view must say who may reach it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from tests.factories import OrganisationFactory, PlanFactory

pytestmark = pytest.mark.django_db

# Who may reach a URL:
#   public   anyone, signed in or not
#   login    any signed-in reader (anonymous visitors are sent to the login page)
#   owner    signed-in, and only for their own object: another reader's answers 404 or 403
#   token    reached through a secret token in the address; a forged token answers 4xx
#   perm     staff holding a specific permission (magazine preview, event check-in)
#   admin    staff only, through the admin site
#   webhook  machines authenticated by a signature or HTTP basic auth, never a session
#   sim      the offline Stripe simulator's stand-ins, 404 unless the simulator is on
ACCESS: dict[str, str] = {
    "healthz": "public",
    "set_language": "public",
    "robots_txt": "public",
    "sitemap": "public",
    "newsletter_unsubscribe": "token",
    "stripe_webhook": "webhook",
    "newsletter_tracking_webhook": "webhook",
    "accounts:data": "login",
    "accounts:data_download": "login",
    "accounts:delete": "login",
    "account_login": "public",
    "account_logout": "public",
    "account_inactive": "public",
    "account_signup": "public",
    "account_reauthenticate": "login",
    "account_email": "login",
    "account_email_verification_sent": "public",
    "account_change_password": "login",
    "account_set_password": "login",
    "account_reset_password": "public",
    "account_confirm_login_code": "public",
    "account_confirm_email": "token",
    "account_reset_password_from_key_done": "public",
    "account_reset_password_from_key": "token",
    "account_reset_password_done": "public",
    "mfa_index": "login",
    "mfa_authenticate": "public",
    "mfa_reauthenticate": "login",
    "mfa_activate_totp": "login",
    "mfa_deactivate_totp": "login",
    "mfa_view_recovery_codes": "login",
    "mfa_generate_recovery_codes": "login",
    "mfa_download_recovery_codes": "login",
    "newsletters:subscribe": "public",
    "newsletters:confirm": "token",
    "newsletters:preferences": "login",
    "billing:plans": "public",
    "paywall:gift_links": "login",
    "magazine:gift_create": "login",
    "paywall:gift_detail": "owner",
    "paywall:gift_revoke": "owner",
    "paywall:licences": "login",
    "paywall:licence_seats": "owner",
    "billing:account": "login",
    "billing:checkout": "login",
    "billing:checkout_return": "login",
    "billing:portal": "login",
    "stripe_simulator:portal": "sim",
    "stripe_simulator:invoice": "sim",
    "stripe_simulator:checkout": "sim",
    "events:list": "public",
    "events:speaker": "public",
    "events:ticket": "token",
    "events:ticket_ics": "token",
    "events:ticket_cancel": "token",
    "events:ticket_pay": "token",
    "events:payment_return": "public",
    "events:waitlist_entry": "token",
    "events:waitlist_leave": "token",
    "events:detail": "public",
    "events:ics": "public",
    "events:register": "public",
    "events:waitlist_join": "public",
    "events:checkin": "perm",
    "events:checkin_scan": "perm",
    "events:checkin_search": "perm",
    "magazine:home": "public",
    "magazine:archive": "public",
    "magazine:search": "public",
    "magazine:rubrique": "public",
    "magazine:tag": "public",
    "magazine:author": "public",
    "magazine:article_preview": "perm",
    "magazine:feed_rss": "public",
    "magazine:feed_atom": "public",
    "magazine:feed_rubrique_rss": "public",
    "magazine:feed_rubrique_atom": "public",
    "magazine:article_json": "public",
    "magazine:article_print": "public",
    "magazine:article": "public",
}
# Owner URLs that staff may also open (the seat list of a company licence, for support).
OWNER_OR_STAFF = {"paywall:licence_seats"}
STAFF_PERSONAS = {"editor", "superuser"}
# Whole namespaces: the admin (staff, per-model permissions).
NAMESPACE_ACCESS = {"admin": "admin"}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: URLPattern


def routes() -> Iterator[Route]:
    def walk(resolver: URLResolver, namespace: str | None) -> Iterator[Route]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry, inner)
            elif entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield Route(name, entry)

    yield from walk(get_resolver(), None)


def access_of(name: str) -> str | None:
    namespace = name.split(":", 1)[0] if ":" in name else None
    return NAMESPACE_ACCESS.get(namespace or "") or ACCESS.get(name)


def test_every_url_name_is_in_the_allow_list() -> None:
    missing = sorted({r.name for r in routes() if access_of(r.name) is None})
    assert missing == [], f"say who may reach these views in ACCESS: {missing}"
    stale = sorted(set(ACCESS) - {r.name for r in routes()})
    assert stale == [], f"these names no longer exist: {stale}"


# --- the objects the URLs point at -----------------------------------------------------------


@pytest.fixture
def world(
    reader: User,
    other_reader: User,
    subscriber: User,
    editor: User,
    superuser: User,
    free_article: Any,
    others_gift: Any,
    others_registration: Any,
    others_invoice: Any,
    stripe_sim: Any,
) -> dict[str, Any]:
    organisation = OrganisationFactory(name="Acme Relation", admin_contact=other_reader)
    plan = PlanFactory(name="Mensuel", stripe_price_id="price_mensuel", amount=990)
    return {
        "personas": {
            "anonymous": None,
            "reader": reader,
            "subscriber": subscriber,
            "editor": editor,
            "superuser": superuser,
        },
        "article": free_article,
        "event": others_registration.event,
        "ticket_type": others_registration.ticket_type,
        "gift": others_gift,
        "organisation": organisation,
        "plan": plan,
    }


def kwargs_for(route: Route, world: dict[str, Any]) -> dict[str, Any] | None:
    """Arguments that point at a real object (another reader's, for owner URLs)."""
    converters = route.pattern.pattern.converters
    names = list(converters) or list(route.pattern.pattern.regex.groupindex)
    values: dict[str, Any] = {}
    for arg in names:
        if arg == "slug":
            if route.name.startswith("events:"):
                values[arg] = world["event"].slug
            elif route.name in {
                "magazine:article",
                "magazine:article_print",
                "magazine:article_json",
            }:
                values[arg] = world["article"].slug
            elif route.name.startswith("magazine:rubrique") or "rubrique" in route.name:
                values[arg] = world["article"].rubrique.slug
            else:
                values[arg] = "inconnu"
        elif arg == "pk":
            values[arg] = (
                world["organisation"].pk if route.name == "paywall:licence_seats"
                else world["gift"].pk
            )  # fmt: skip
        elif arg == "ticket_type_id":
            values[arg] = world["ticket_type"].pk
        elif arg == "plan_id":
            values[arg] = world["plan"].pk
        elif arg in {"token", "key", "session_id", "invoice_id"}:
            values[arg] = "forged-0000"
        elif arg == "uidb36" or arg in {"object_id", "content_type_id", "id"}:
            values[arg] = "1"
        elif arg == "app_label":
            values[arg] = "magazine"
        else:
            return None
    return values


def url_of(route: Route, world: dict[str, Any]) -> str | None:
    kwargs = kwargs_for(route, world)
    if kwargs is None:
        return None
    try:
        return reverse(route.name, kwargs=kwargs)
    except Exception:
        return None


def is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and (
        response["Location"].startswith(reverse("account_login"))
        or response["Location"].startswith(reverse("admin:login"))
    )


def test_no_persona_reaches_what_the_allow_list_denies(world: dict[str, Any]) -> None:
    failures: list[str] = []
    for route in routes():
        access = access_of(route.name)
        url = url_of(route, world)
        if url is None or access in {"webhook"}:
            continue
        if route.name in {"account_logout", "admin:logout"}:
            continue  # would end the persona's session mid-test
        for persona, user in world["personas"].items():
            if access == "admin" and persona in {"subscriber", "superuser"}:
                continue  # the reader and the editor already cover both sides of the admin
            client = Client()
            if user is not None:
                client.force_login(user)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                status = response.status_code
                label = f"{persona} {method.upper()} {route.name} {url} → {status}"
                if status >= 500:
                    failures.append(label)
                    continue
                granted = status < 300 or (status in (301, 302) and not is_login_redirect(response))
                if access == "login" and user is None and granted and status < 300:
                    failures.append(label)
                # Every object here belongs to other_reader, who is none of the personas; only
                # the superuser's staff rights reach it.
                staff_may = persona in STAFF_PERSONAS and route.name in OWNER_OR_STAFF
                if access == "owner" and granted and status < 300 and not staff_may:
                    failures.append(label)
                if (
                    access == "admin"
                    and persona not in {"editor", "superuser"}
                    and (status < 300 and route.name != "admin:jsi18n")
                ):
                    failures.append(label)
                if (
                    access == "perm"
                    and persona in {"anonymous", "reader", "subscriber"}
                    and (status < 300)
                ):
                    failures.append(label)
                # allauth shows a forged reset key as a "bad link" page (200, token_fail).
                token_refused = bool(response.context and response.context.get("token_fail"))
                post_granted = status < 300 and method == "post" and not token_refused
                if access in {"token", "sim"} and post_granted:
                    failures.append(label)
    assert failures == [], "\n".join(failures)


def test_another_readers_gift_link_is_a_404(client: Client, reader: User, others_gift: Any) -> None:
    client.force_login(reader)
    assert client.get(reverse("paywall:gift_detail", args=[others_gift.pk])).status_code == 404
    response = client.post(reverse("paywall:gift_revoke", args=[others_gift.pk]))
    assert response.status_code == 404
    others_gift.refresh_from_db()
    assert others_gift.revoked_at is None


def test_another_readers_ticket_is_only_reachable_with_its_secret(
    client: Client, reader: User, others_registration: Any
) -> None:
    client.force_login(reader)
    forged = reverse("events:ticket", args=[f"{others_registration.reference}"])
    assert client.get(forged).status_code == 404
    response = client.post(reverse("events:ticket_cancel", args=["0" * 43]))
    assert response.status_code == 404
    others_registration.refresh_from_db()
    assert others_registration.status == "confirmed"


def test_invoices_and_exports_show_only_ones_own(
    client: Client, reader: User, others_invoice: Any
) -> None:
    client.force_login(reader)
    account = client.get(reverse("billing:account"))
    assert account.status_code == 200
    assert others_invoice.number not in account.content.decode()
    export = client.post(reverse("accounts:data_download")).content.decode()
    assert others_invoice.number not in export and "autre-lecteur" not in export


def test_readers_never_reach_the_admin(client: Client, reader: User, subscriber: User) -> None:
    for user in (reader, subscriber):
        client.force_login(user)
        for name in (
            "admin:index",
            "admin:magazine_article_changelist",
            "admin:accounts_user_changelist",
        ):
            response = client.get(reverse(name))
            assert response.status_code in (302, 403), (user, name)
