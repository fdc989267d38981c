"""Audience segments: a small registry of named conditions, combined with all / any / not.

A rule is JSON: ``{"segment": "paying"}``, ``{"segment": "newsletter", "slug": "digest"}``,
``{"all": [rule, ...]}``, ``{"any": [rule, ...]}``, ``{"not": rule}``. Each segment turns into a
``Q`` over ``Subscriber`` built from ``Exists`` subqueries, so the whole audience stays one SQL
query that the delivery engine copies with INSERT … SELECT: nothing is loaded into memory.

Other apps add their segments with ``register_segment`` (the events app adds the attendees of an
event) without this module importing them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat, StrIndex, Substr
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from paywall.models import Organisation, OrganisationDomain, Seat
from subscriptions.models import Subscription
from subscriptions.querysets import POSSIBLY_ENTITLED_STATUSES

Builder = Callable[[Mapping[str, Any]], Q]


@dataclass(frozen=True)
class SegmentType:
    key: str
    label: str | Promise
    build: Builder
    params: tuple[str, ...] = field(default=())
    # Raises ValidationError when the rule's parameters name nothing that exists.
    check: Callable[[Mapping[str, Any]], None] | None = None


SEGMENTS: dict[str, SegmentType] = {}


def register_segment(
    key: str,
    label: str | Promise,
    build: Builder,
    params: tuple[str, ...] = (),
    check: Callable[[Mapping[str, Any]], None] | None = None,
) -> None:
    """Add a segment to the registry (another app may call this from its AppConfig.ready)."""
    SEGMENTS[key] = SegmentType(key, label, build, params, check)


MAX_DEPTH = 8


def validate_rule(rule: Any, depth: int = 0) -> None:
    """Raise ValidationError with a clear message when ``rule`` is not a valid rule."""
    if depth > MAX_DEPTH:
        raise ValidationError(_("The rule is nested too deeply."), code="too_deep")
    if not isinstance(rule, dict) or not rule:
        raise ValidationError(
            _('Each rule must be an object such as {"segment": "paying"}.'), code="not_object"
        )
    if "segment" in rule:
        segment = SEGMENTS.get(rule["segment"])
        if segment is None:
            raise ValidationError(
                _("Unknown segment “%(key)s”. Known segments: %(known)s."),
                code="unknown_segment",
                params={"key": rule["segment"], "known": ", ".join(sorted(SEGMENTS))},
            )
        missing = [name for name in segment.params if not rule.get(name)]
        if missing:
            raise ValidationError(
                _("The segment “%(key)s” needs: %(missing)s."),
                code="missing_parameter",
                params={"key": segment.key, "missing": ", ".join(missing)},
            )
        if segment.check is not None:
            segment.check(rule)
        return
    if set(rule) == {"not"}:
        validate_rule(rule["not"], depth + 1)
        return
    if len(rule) == 1 and next(iter(rule)) in ("all", "any"):
        parts = next(iter(rule.values()))
        if not isinstance(parts, list) or not parts:
            raise ValidationError(
                _("“all” and “any” take a non-empty list of rules."), code="empty_list"
            )
        for part in parts:
            validate_rule(part, depth + 1)
        return
    raise ValidationError(
        _("Use one of the keys “segment”, “all”, “any” or “not” in each rule."), code="bad_key"
    )


def rule_q(rule: Mapping[str, Any] | None) -> Q:
    """The condition on ``Subscriber`` rows that ``rule`` describes (empty rule: everyone)."""
    if not rule:
        return Q()
    validate_rule(rule)
    return _build(rule)


def _build(rule: Mapping[str, Any]) -> Q:
    if "segment" in rule:
        return SEGMENTS[rule["segment"]].build(rule)
    if "not" in rule:
        return ~_build(rule["not"])
    key, parts = next(iter(rule.items()))
    combined = _build(parts[0])
    for part in parts[1:]:
        combined = (combined & _build(part)) if key == "all" else (combined | _build(part))
    return combined


# --- the built-in segments --------------------------------------------------------------------


def _subscribers_of(rule: Mapping[str, Any]) -> Q:
    from newsletters.models import Subscriber

    return Q(
        Exists(
            Subscriber.objects.confirmed().filter(
                newsletter__slug=rule["slug"], email=OuterRef("email")
            )
        )
    )


def _paying_exists() -> Exists:
    return Exists(Subscription.objects.possibly_entitled().filter(user_id=OuterRef("user_id")))


def _paying(rule: Mapping[str, Any]) -> Q:
    return Q(user__isnull=False) & Q(_paying_exists())


def _registered_non_payers(rule: Mapping[str, Any]) -> Q:
    return Q(user__isnull=False) & ~Q(_paying_exists())


def _lapsed(rule: Mapping[str, Any]) -> Q:
    # Lapsed: a subscription that ended, none that may still open the paywall or is being paid.
    still_on = (*POSSIBLY_ENTITLED_STATUSES, Subscription.Status.INCOMPLETE)
    ended = Subscription.objects.exclude(status__in=still_on).filter(user_id=OuterRef("user_id"))
    return Q(user__isnull=False) & Q(Exists(ended)) & ~Q(_paying_exists())


def _licence_members(rule: Mapping[str, Any]) -> Q:
    """Readers holding a seat, or whose address is on a licensed domain (or a subdomain)."""
    valid = Organisation.objects.valid_on(timezone.localdate())
    seat = Seat.objects.filter(user_id=OuterRef("user_id"), organisation__in=valid)
    email_domain = Substr(OuterRef("email"), StrIndex(OuterRef("email"), Value("@")) + 1)
    domain = (
        OrganisationDomain.objects.filter(organisation__in=valid)
        .annotate(email_domain=email_domain)
        .filter(
            Q(domain=F("email_domain")) | Q(email_domain__endswith=Concat(Value("."), F("domain")))
        )
    )
    return Q(Exists(seat)) | Q(Exists(domain))


register_segment("newsletter", _("Subscribers of a newsletter (slug)"), _subscribers_of, ("slug",))
register_segment("paying", _("Paying subscribers"), _paying)
register_segment(
    "registered_non_payers", _("Registered readers who do not pay"), _registered_non_payers
)
register_segment("lapsed", _("Lapsed subscribers"), _lapsed)
register_segment("licence_members", _("Company licence members"), _licence_members)
