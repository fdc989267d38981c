"""The move of the access models from subscriptions to paywall keeps every row and permission.

The database is taken back to the schema before the move (the last migrations of
``subscriptions`` before it, no ``paywall``), filled through that schema's own models, then
migrated forward: the rows are read back through the paywall's models.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import User
from paywall.models import (
    ComplimentaryAccess,
    GiftLink,
    MeterPeriod,
    MeterRead,
    Organisation,
    PaywallSettings,
    Seat,
)
from subscriptions.models import BillingSettings
from tests.factories import ArticleFactory, UserFactory

BEFORE_THE_MOVE = [("subscriptions", "0003_subscriptionhistory"), ("paywall", None)]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest() -> list[tuple[str, str | None]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_rows_written_by_the_old_schema_are_read_by_the_paywall() -> None:
    article = ArticleFactory()  # the magazine's tables do not move
    reader = UserFactory(email="lectrice@example.com")
    contact = UserFactory(email="contact@acme.fr")
    staff = UserFactory(email="staff@example.com", is_staff=True)
    now = timezone.now()

    executor = _migrate(BEFORE_THE_MOVE)
    old = executor.loader.project_state(BEFORE_THE_MOVE[0]).apps
    assert "paywallsettings" in old.all_models["subscriptions"]
    old.get_model("subscriptions", "PaywallSettings").objects.create(
        pk=1, meter_limit=5, gifts_per_month=2, gift_link_days=10, past_due_grace_days=11
    )
    organisation = old.get_model("subscriptions", "Organisation").objects.create(
        name="Acme", seats=3, starts_on=date(2026, 1, 1), ends_on=date(2027, 1, 1),
        admin_contact_id=contact.pk,
    )  # fmt: skip
    organisation.domains.create(domain="acme.fr")
    organisation.ip_ranges.create(cidr="192.0.2.0/24")
    old.get_model("subscriptions", "Seat").objects.create(
        organisation=organisation, user_id=reader.pk
    )
    old.get_model("subscriptions", "GiftLink").objects.create(
        sender_id=reader.pk, article_id=article.pk, created_at=now,
        expires_at=now + timedelta(days=10),
    )  # fmt: skip
    period = old.get_model("subscriptions", "MeterPeriod").objects.create(
        user_id=reader.pk, month=date(2026, 12, 1), reads_count=1
    )
    period.reads.create(article_id=article.pk, read_at=now)
    old.get_model("subscriptions", "ComplimentaryAccess").objects.create(
        user_id=reader.pk, granted_by_id=staff.pk, reason="Partenaire",
        starts_at=now, ends_at=now + timedelta(days=30),
    )  # fmt: skip

    _migrate(_latest())

    settings_row = PaywallSettings.load()
    assert (settings_row.meter_limit, settings_row.gifts_per_month) == (5, 2)
    assert BillingSettings.load().past_due_grace_days == 11  # billing's setting now
    moved = Organisation.objects.get()
    assert moved.name == "Acme"
    assert list(moved.domains.values_list("domain", flat=True)) == ["acme.fr"]
    assert list(moved.ip_ranges.values_list("cidr", flat=True)) == ["192.0.2.0/24"]
    assert Seat.objects.get().user == reader
    gift = GiftLink.objects.get()
    assert (gift.sender, gift.article_id) == (reader, article.pk)
    assert MeterPeriod.objects.get().reads_count == 1
    assert MeterRead.objects.get().article_id == article.pk
    assert ComplimentaryAccess.objects.get().reason == "Partenaire"
    # New rows go on from the old ones (same tables, same sequences).
    again = Organisation.objects.create(
        name="Bêta", seats=1, starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1),
        admin_contact=contact,
    )  # fmt: skip
    assert again.pk > moved.pk


@pytest.mark.django_db(transaction=True)
def test_groups_keep_their_permissions_on_the_moved_models() -> None:
    executor = _migrate(BEFORE_THE_MOVE)
    old = executor.loader.project_state(BEFORE_THE_MOVE[0]).apps
    old_permission = old.get_model("auth", "Permission").objects.get(
        content_type__app_label="subscriptions", codename="change_organisation"
    )
    group = old.get_model("auth", "Group").objects.create(name="Licences")
    group.permissions.add(old_permission)
    member = UserFactory(email="licences@example.com", is_staff=True)

    _migrate(_latest())

    assert not Permission.objects.filter(
        content_type__app_label="subscriptions", codename="change_organisation"
    ).exists()
    member.groups.add(Group.objects.get(name="Licences"))
    member = User.objects.get(pk=member.pk)  # no cached permissions
    assert member.has_perm("paywall.change_organisation")
