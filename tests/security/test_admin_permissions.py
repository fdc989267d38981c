"""Staff act only within their permissions: every admin action and every custom admin view.

Actions are discovered from the admin site's registry, site-wide ones included, so a new action
is walked without touching this file; one that declares no ``permissions=`` fails the first
test. Each is posted by a member of staff who may only *view* the model, on real rows in states
the action would change, and the whole database must come out as it went in.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client, RequestFactory
from django.urls import URLPattern, reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Session, User
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ComplimentaryAccessFactory,
    EventFactory,
    OrganisationFactory,
    PlanFactory,
    RubriqueFactory,
    SpeakerFactory,
    SubscriptionFactory,
    TagFactory,
    TicketTypeFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

STANDARD_PERMISSIONS = {"view", "add", "change", "delete"}
# Written by the requests themselves (logging in, messages), never by an action.
UNWATCHED = {Session, LogEntry, apps.get_model("sessions", "Session")}


def _superuser_request() -> Any:
    request = RequestFactory().get("/admin/")
    request.user = User(email="registry@example.com", is_active=True, is_superuser=True)
    return request


def registered_actions() -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """(model label, action name, function) of every action a superuser is offered."""
    request = _superuser_request()
    for model, model_admin in admin.site._registry.items():
        for name, (func, _name, _description) in model_admin.get_actions(request).items():
            yield model._meta.label, name, func


ACTIONS = sorted((label, name) for label, name, _func in registered_actions())


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (many-to-many tables too), in primary-key order."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model in UNWATCHED:
            continue
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
    return rows


def staff_with(model: type[models.Model], *actions: str, email: str) -> User:
    user = UserFactory(email=email, is_staff=True)
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    codenames = [get_permission_codename(action, model._meta) for action in actions]
    user.user_permissions.set(
        Permission.objects.filter(content_type=content_type, codename__in=codenames)
    )
    assert user.user_permissions.count() == len(set(codenames)), codenames
    return User.objects.get(pk=user.pk)  # no permission cache


# --- a database where every registered model has rows an action would change ------------------


def _png() -> ContentFile[bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="carre.png")


@pytest.fixture
def world(db: Any) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from events.models import EventMessage, Registration, WaitlistEntry
    from magazine.models import Article, LibraryImage
    from newsletters.models import (
        Campaign,
        ConsentRecord,
        Delivery,
        Newsletter,
        Segment,
        Subscriber,
        Suppression,
    )
    from paywall.models import GiftLink, MeterPeriod, PaywallSettings, Seat

    now = timezone.now()
    reader = UserFactory(email="lectrice-admin@example.com")
    Group.objects.get_or_create(name="Accueil")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=False, primary=True)
    Authenticator.objects.create(user=reader, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"})

    rubrique = RubriqueFactory()
    TagFactory()
    AuthorFactory()
    LibraryImage.objects.create(file=_png(), alt_text="Un carré rouge")
    draft = ArticleFactory(rubrique=rubrique, status=Article.Status.DRAFT, published_at=None)
    live = ArticleFactory(rubrique=rubrique)

    PaywallSettings.load()
    plan = PlanFactory()
    SubscriptionFactory(user=reader, plan=plan)
    ComplimentaryAccessFactory()
    organisation = OrganisationFactory(admin_contact=reader)
    Seat.objects.create(organisation=organisation, user=reader)
    for article in (draft, live):
        GiftLink.objects.create(
            sender=reader, article=article, created_at=now, expires_at=now + timedelta(days=30)
        )
    MeterPeriod.objects.create(user=reader, month=date(now.year, now.month, 1), reads_count=2)

    VenueFactory()
    SpeakerFactory()
    event = EventFactory()
    ticket = TicketTypeFactory(event=event, capacity=1)
    people = {
        "pending_approval": {},
        "confirmed": {},
        "cancelled": {"paid_at": now, "price_cents": 9000, "cancelled_at": now},
    }
    for n, (status, extra) in enumerate(people.items()):
        Registration.objects.create(
            event=event,
            ticket_type=ticket,
            first_name="Invité",
            last_name=f"N{n}",
            email=f"invite{n}@example.com",
            status=status,
            **extra,
        )
    WaitlistEntry.objects.create(
        ticket_type=ticket, first_name="Attente", last_name="Un", email="attente@example.com"
    )
    EventMessage.objects.create(
        event=event, audience="attendees", subject="Infos pratiques", body="Venez tôt."
    )

    newsletter = Newsletter.objects.create(name="La quotidienne", slug="quotidienne")
    Subscriber.objects.create(
        newsletter=newsletter, email="abonnee@example.com", status="subscribed"
    )
    ConsentRecord.objects.create(
        newsletter=newsletter,
        email="abonnee@example.com",
        action="requested",
        source="site_form",
        created_at=now,
    )
    Suppression.objects.create(email="rebond@example.com", reason="hard_bounce")
    segment = Segment.objects.create(name="Tous", rule={})
    sending = Campaign.objects.create(
        newsletter=newsletter, segment=segment, subject="En cours", status="sending"
    )
    Campaign.objects.create(newsletter=newsletter, subject="En pause", status="paused")
    Campaign.objects.create(newsletter=newsletter, subject="Brouillon", body="<p>Édito</p>")
    Delivery.objects.create(campaign=sending, email="abonnee@example.com")


# --- actions -----------------------------------------------------------------------------------


def test_the_walk_covers_every_app_with_actions() -> None:
    names = {name for _label, name in ACTIONS}
    # The ones the issue named, so that a broken discovery cannot pass with an empty list.
    assert {
        "approve",
        "reject",
        "retry_refund",
        "cancel_events",
        "offer_free_seats",
        "remove_from_list",
        "send_now",
        "revoke",
        "publish_now",
        "pause_selected",
        "make_verified",
        "delete_selected",
    } <= names


@pytest.mark.parametrize(("label", "name"), ACTIONS)
def test_every_admin_action_declares_permissions(label: str, name: str) -> None:
    model_admin = admin.site._registry[apps.get_model(label)]
    func = model_admin.get_actions(_superuser_request())[name][0]
    permissions = getattr(func, "allowed_permissions", ())
    assert permissions, f"{label} action {name!r} declares no permissions=[...]"
    for permission in permissions:
        assert hasattr(model_admin, f"has_{permission}_permission"), (label, name, permission)


def _spy(
    monkeypatch: pytest.MonkeyPatch, model_admin: admin.ModelAdmin[Any], name: str
) -> tuple[list[list[Any]], Callable[[bool], None]]:
    """Record each call of the action; it runs for real only when ``call_through`` is on."""
    calls: list[list[Any]] = []
    state = {"call_through": True}
    on_class = hasattr(type(model_admin), name)
    func = getattr(type(model_admin), name) if on_class else admin.site.get_action(name)

    @functools.wraps(func)
    def spy(modeladmin: Any, request: Any, queryset: Any) -> Any:
        calls.append(sorted(queryset.values_list("pk", flat=True)))
        return func(modeladmin, request, queryset) if state["call_through"] else None

    if on_class:
        monkeypatch.setattr(type(model_admin), name, spy)
    else:
        monkeypatch.setitem(admin.site._actions, name, spy)

    def call_through(value: bool) -> None:
        state["call_through"] = value

    return calls, call_through


@pytest.mark.parametrize(("label", "name"), ACTIONS)
def test_view_only_staff_cannot_run_the_action(
    label: str,
    name: str,
    world: None,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    stripe_sim: Any,
) -> None:
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    pks = sorted(model._default_manager.values_list("pk", flat=True))
    assert pks, f"the world has no {label}: add rows so that its actions are walked"
    func = model_admin.get_actions(_superuser_request())[name][0]
    permissions = set(getattr(func, "allowed_permissions", ()))
    read_only = bool(permissions) and permissions <= {"view"}
    calls, call_through = _spy(monkeypatch, model_admin, name)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    data = {"action": name, "_selected_action": pks}

    viewer = Client(raise_request_exception=True)
    viewer.force_login(staff_with(model, "view", email="lecture-seule@example.com"))
    before = snapshot()
    with django_capture_on_commit_callbacks() as callbacks:
        response = viewer.post(url, data)

    assert response.status_code in (200, 302), response.status_code
    if read_only:
        assert calls == [pks], f"{name} needs only view, yet did not run"
    else:
        assert calls == [], f"a view-only staff member ran {label} action {name!r}"
    assert snapshot() == before
    assert callbacks == [] and mail.outbox == []

    # The same request with the declared permissions runs it: the refusal above is the
    # permission's doing, not a malformed post.
    call_through(False)
    standard = permissions <= STANDARD_PERMISSIONS
    granted = (
        staff_with(model, "view", *permissions, email="habilitee@example.com")
        if standard
        else UserFactory(email="habilitee@example.com", is_staff=True, is_superuser=True)
    )
    allowed = Client(raise_request_exception=True)
    allowed.force_login(granted)
    allowed.post(url, data)
    assert calls[-1] == pks and len(calls) == (2 if read_only else 1)


# --- custom admin views (buttons, imports, dashboards) -----------------------------------------

# Custom admin views that only read: a view-only member of staff may open them.
READ_ONLY_VIEWS = {
    "newsletters_campaign_preview",
    "newsletters_campaign_progress",
    "subscriptions_subscription_dashboard",
}
STANDARD_VIEWS = ("changelist", "add", "history", "delete", "change")


def custom_views() -> Iterator[tuple[str, URLPattern]]:
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        standard = {prefix + suffix for suffix in STANDARD_VIEWS}
        for pattern in model_admin.get_urls():
            if isinstance(pattern, URLPattern) and pattern.name and pattern.name not in standard:
                yield model._meta.label, pattern


CUSTOM_VIEWS = sorted((label, pattern.name) for label, pattern in custom_views())


def test_custom_admin_views_are_discovered() -> None:
    names = {name for _label, name in CUSTOM_VIEWS}
    assert {"newsletters_campaign_send_now", "newsletters_campaign_cancel"} <= names
    assert names >= READ_ONLY_VIEWS


@pytest.mark.parametrize(("label", "name"), CUSTOM_VIEWS)
def test_view_only_staff_cannot_use_custom_admin_views(
    label: str, name: str, world: None, django_capture_on_commit_callbacks: Any
) -> None:
    model = apps.get_model(label)
    pattern = {str(p.name): p for _label, p in custom_views()}[name]
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the world has no {label}"
    kwargs = dict.fromkeys(pattern.pattern.converters, obj.pk)
    url = reverse(f"admin:{name}", kwargs=kwargs)
    viewer = Client(raise_request_exception=True)
    viewer.force_login(staff_with(model, "view", email="lecture-seule@example.com"))

    before = snapshot()
    with django_capture_on_commit_callbacks() as callbacks:
        get, post = viewer.get(url), viewer.post(url, {"scheduled_at": "2099-01-01T10:00"})
    assert snapshot() == before
    assert callbacks == [] and mail.outbox == []
    if name in READ_ONLY_VIEWS:
        assert get.status_code == 200
        assert post.status_code in (200, 405)
    else:
        assert post.status_code == 403, f"a view-only staff member posted to {name}"
        assert get.status_code in (403, 405)
