from __future__ import annotations

import pytest

from magazine.models import Article
from paywall.models import PaywallSettings
from tests.factories import ArticleFactory


@pytest.fixture
def free_article(db) -> Article:  # type: ignore[no-untyped-def]
    return ArticleFactory(access=Article.Access.FREE)


@pytest.fixture
def registered_article(db) -> Article:  # type: ignore[no-untyped-def]
    return ArticleFactory(access=Article.Access.REGISTERED)


@pytest.fixture
def subscriber_article(db) -> Article:  # type: ignore[no-untyped-def]
    return ArticleFactory(access=Article.Access.SUBSCRIBERS)


@pytest.fixture
def paywall_settings(db) -> PaywallSettings:  # type: ignore[no-untyped-def]
    return PaywallSettings.load()


# Stripe simulator fixtures (tests/subscriptions/test_stripe_*, test_webhooks*, test_checkout*).
from tests.subscriptions.stripe_fixtures import stripe_sim  # noqa: E402, F401
