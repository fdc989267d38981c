"""Every app says what it holds about a person: no foreign key to the user model is forgotten."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model

from accounts import personal_data
from accounts.personal_data import PersonalData


def _user_foreign_keys() -> set[str]:
    """Every column pointing at an account, as "app_label.Model.field" (m2m tables included)."""
    user_model = get_user_model()
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.concrete
        and (field.many_to_one or field.one_to_one)
        and field.related_model is user_model
    }


def test_the_walk_finds_the_foreign_keys_to_the_user_model() -> None:
    found = _user_foreign_keys()
    assert {
        "subscriptions.Invoice.user",
        "events.Registration.user",
        "account.EmailAddress.user",
        "accounts.User_groups.user",
    } <= found


def test_every_foreign_key_to_the_user_model_is_erased_or_kept_on_purpose() -> None:
    erased = {name for entry in personal_data.registered() for name in entry.erases}
    kept = {name for entry in personal_data.registered() for name in entry.keeps}
    forgotten = _user_foreign_keys() - erased - kept
    assert forgotten == set(), "register their erasure (or why they stay) in the app's ready()"


def test_declarations_name_real_fields_once_and_give_a_reason() -> None:
    entries = personal_data.registered()
    declared = [name for e in entries for name in (*e.erases, *e.keeps)]
    assert sorted(set(declared) - _user_foreign_keys()) == [], "stale or misspelt declaration"
    assert len(declared) == len(set(declared)), "one field declared twice"
    assert all(reason.strip() for e in entries for reason in e.keeps.values())


def test_every_app_that_erases_something_has_an_eraser() -> None:
    for entry in personal_data.registered():
        assert entry.eraser is not None or not entry.erases, entry.app_label


def test_registering_again_replaces_the_apps_entry(monkeypatch: Any) -> None:
    monkeypatch.setattr(personal_data, "_registry", dict(personal_data._registry))
    before = [e.app_label for e in personal_data.registered()]
    personal_data.register(PersonalData(app_label="events", exporters={}))

    assert [e.app_label for e in personal_data.registered()] == before
    events = next(e for e in personal_data.registered() if e.app_label == "events")
    assert events.exporters == {}


def test_an_app_that_is_not_installed_is_not_run(settings: Any) -> None:
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "newsletters"]
    assert "newsletters" not in {e.app_label for e in personal_data.registered()}
    assert "events" in {e.app_label for e in personal_data.registered()}
