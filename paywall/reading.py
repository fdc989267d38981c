"""What of an article's body a reader receives, given the paywall's decision.

Every channel that shows body text (article page, print view, JSON) builds a ``Reading`` from
``paywall.access``'s decision; nothing else decides. When the decision refuses, the part
after the teaser is never put into the response at all, so no CSS, script or "view source" can
reveal it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paywall.access import GIFTING_GROUNDS, AccessDecision, Ground
from paywall.levels import AccessLevel, GuardedArticle
from paywall.teaser import split_body

# The editor's paywall cut is a horizontal rule: a marker for us, not a line for readers.
_LEADING_RULE = re.compile(r"^\s*<hr\s*/?>", re.IGNORECASE)

# Readers on these grounds already pay (or are paid for): no subscription offer for them.
_NO_OFFER_GROUNDS = frozenset({*GIFTING_GROUNDS, Ground.STAFF})


@dataclass(frozen=True)
class Reading:
    decision: AccessDecision
    # Shown to everyone: the whole body of a free article, the teaser of any other.
    open_html: str
    # The rest of a non-free body, only when the decision allows it ('' otherwise).
    paywalled_html: str

    @property
    def paywalled(self) -> bool:
        return not self.decision.allowed

    @property
    def can_gift(self) -> bool:
        return self.decision.ground in GIFTING_GROUNDS

    @property
    def shows_reason(self) -> bool:
        """Tell an entitled reader why the article is open to them ("Offered by …")."""
        return self.decision.allowed and bool(self.decision.message)

    @property
    def shows_offer(self) -> bool:
        return self.decision.ground not in _NO_OFFER_GROUNDS


def reading_for(article: GuardedArticle, decision: AccessDecision) -> Reading:
    if article.access == AccessLevel.FREE and decision.allowed:
        return Reading(decision, article.body, "")
    teaser, rest = split_body(article.body)
    if not decision.allowed:
        return Reading(decision, teaser, "")
    return Reading(decision, teaser, _LEADING_RULE.sub("", rest, count=1))
