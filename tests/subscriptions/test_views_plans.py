"""The public plans page lists what is on sale, each with its weekly price."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.money import format_price
from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def test_plans_page_lists_active_plans_with_their_weekly_price(client: Client) -> None:
    PlanFactory(name="Hebdo", amount=249, interval="week")
    PlanFactory(name="Annuel", amount=9900, interval="year")
    PlanFactory(name="Ancienne offre", amount=199, interval="week", active=False)

    html = client.get(reverse("billing:plans")).content.decode()

    with translation.override("fr"):
        weekly, yearly_per_week = format_price(249), format_price(190)
    assert "Hebdo" in html and weekly in html
    assert "Annuel" in html and yearly_per_week in html
    assert "Ancienne offre" not in html


def test_plans_page_says_when_nothing_is_on_sale(client: Client) -> None:
    response = client.get(reverse("billing:plans"))

    assert response.status_code == 200
    assert 'class="plan"' not in response.content.decode()
