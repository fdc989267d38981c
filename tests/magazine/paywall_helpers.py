"""Shared data for the paywall channel tests: a subscriber article with a marker past its teaser."""

from __future__ import annotations

import json
import re

from django.utils import translation
from django.utils.translation import gettext

from magazine.models import Article
from tests.factories import ArticleFactory

MARKER = "MARQUEURPREMIUM"
TEASER_WORD = "Chalet"
BODY = (
    f"<p>Le {TEASER_WORD} de l'Aurore accueillera le New Biz Forum.</p>"
    "<p>Deuxième paragraphe, encore public.</p>"
    f"<p>La suite réservée : {MARKER} et les chiffres du marché.</p>"
    "<p>Dernier paragraphe, réservé lui aussi.</p>"
)


def premium_article(**kwargs: object) -> Article:
    defaults: dict[str, object] = {
        "title": "Le New Biz Forum à La Féclaz",
        "slug": "new-biz-forum-feclaz",
        "lead": "Le rendez-vous des dirigeants de centres de contact monte en altitude.",
        "body": BODY,
        "access": Article.Access.SUBSCRIBERS,
    }
    defaults.update(kwargs)
    return ArticleFactory(**defaults)


def french(msgid: str) -> str:
    with translation.override("fr"):
        return gettext(msgid)


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]
