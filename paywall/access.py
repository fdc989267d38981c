"""The paywall: the one function that decides whether a reader may read an article in full.

Every channel asks ``article_access`` (or ``reader_access`` from a view): the article page, feeds,
search, sitemaps, newsletters, JSON. Only the article page passes ``consume_meter=True``; on every
other channel the monthly meter never grants access, so a feed or an email cannot spend (or
bypass) a reader's free articles.

Order of the grounds: free article, staff preview, registered-only article, subscription,
complimentary access, company licence by IP range (no seat), company licence by verified email
domain (takes a seat), gift link, monthly meter.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.core import signing
from django.db import connection
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.backends import session_user_with
from core.db import prepared_cursor
from magazine.models import Article
from subscriptions import network, services
from subscriptions.models import (
    WEEKLY_HEADLINE_LIMIT_CENTS,
    ComplimentaryAccess,
    GiftLink,
    MeterPeriod,
    MeterRead,
    Organisation,
    OrganisationDomain,
    OrganisationIPRange,
    PaywallSettings,
    Plan,
    Seat,
    Subscription,
)
from subscriptions.querysets import SUBSCRIBED_STATUSES

if TYPE_CHECKING:
    from django.http import HttpRequest

PREVIEW_PERMISSION = "magazine.preview_article"


class Ground(StrEnum):
    FREE = "free"
    REGISTERED = "registered"
    SUBSCRIPTION = "subscription"
    COMPLIMENTARY = "complimentary"
    LICENCE = "licence"
    GIFT = "gift"
    METER = "meter"
    STAFF = "staff"
    NONE = "none"


class Wall(StrEnum):
    REGISTRATION = "registration"
    SUBSCRIPTION = "subscription"


class Reason(StrEnum):
    """Stable codes for templates, analytics and tests; messages are translated separately."""

    FREE = "free"
    STAFF = "staff"
    REGISTERED = "registered"
    SUBSCRIPTION = "subscription"
    COMPLIMENTARY = "complimentary"
    LICENCE_IP = "licence_ip"
    LICENCE_SEAT = "licence_seat"
    GIFT = "gift"
    METER = "meter"
    REGISTRATION_REQUIRED = "registration_required"
    SUBSCRIPTION_REQUIRED = "subscription_required"
    METER_EXHAUSTED = "meter_exhausted"
    LICENCE_SEATS_TAKEN = "licence_seats_taken"
    LICENCE_EXPIRED = "licence_expired"
    GIFT_TAMPERED = "gift_tampered"
    GIFT_EXPIRED = "gift_expired"
    GIFT_REVOKED = "gift_revoked"
    GIFT_OVER_QUOTA = "gift_over_quota"
    GIFT_OTHER_ARTICLE = "gift_other_article"


# Whoever reads through one of these may offer gift links.
GIFTING_GROUNDS = frozenset({Ground.SUBSCRIPTION, Ground.COMPLIMENTARY, Ground.LICENCE})


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    ground: Ground
    wall: Wall | None
    reason_code: str
    message: str = ""
    meter_remaining: int | None = None
    # True only when every anonymous visitor gets this very answer (no IP licence, no gift
    # token involved), so a shared cache may serve it to all of them.
    cacheable_for_anonymous: bool = False


def _granted(ground: Ground, reason: Reason, message: str = "", **extra: Any) -> AccessDecision:
    return AccessDecision(True, ground, None, reason.value, message, **extra)


def _refused(wall: Wall, reason: Reason, message: str, **extra: Any) -> AccessDecision:
    return AccessDecision(False, Ground.NONE, wall, reason.value, message, **extra)


class _Context:
    """Per-decision state: the clock and the settings row, read at most once and only if needed."""

    def __init__(self, now: datetime, paywall_settings: PaywallSettings | None) -> None:
        self.now = now
        self._settings = paywall_settings
        # The meter's limit, when the account's query has read it along (saves a round trip).
        self.known_meter_limit: int | None = (
            paywall_settings.meter_limit if paywall_settings is not None else None
        )

    @property
    def meter_limit(self) -> int:
        if self.known_meter_limit is None:
            self.known_meter_limit = self.settings.meter_limit
        return self.known_meter_limit

    @property
    def settings(self) -> PaywallSettings:
        if self._settings is None:
            self._settings = PaywallSettings.load()
        return self._settings

    @property
    def today(self) -> date:
        return timezone.localtime(self.now, timezone.get_default_timezone()).date()


@dataclass(frozen=True)
class _AccountFacts:
    """What the paywall needs to know about one account, read in a single query."""

    subscribed: bool  # an active or trialing subscription
    past_due: bool  # a past_due subscription, whose grace _subscription_access then checks
    complimentary_offered_by: str | None  # None without a current complimentary access
    has_verified_email: bool
    ip_ranges_exist: bool  # any valid licence with IP ranges (read only for a parsable IP)
    meter_limit: int | None  # read only for the article page; None without a settings row
    meter_reads_count: int | None  # the month's count, if this article is already counted


_NO_FACTS = _AccountFacts(False, False, None, False, False, None, None)


# One column per fact; table names are filled in from the models' metadata.
_FACTS_COLUMNS = (
    # The statuses are literals from our own constant (SQLite has no ANY(array) parameter).
    "EXISTS (SELECT 1 FROM {subscription} WHERE user_id = %(user)s"  # noqa: S608
    f" AND status IN ({', '.join(repr(status) for status in SUBSCRIBED_STATUSES)}))",
    "EXISTS (SELECT 1 FROM {subscription} WHERE user_id = %(user)s AND status = 'past_due')",
    # Never NULL in a row (blank is ''): NULL means no current grant. Ordered as .first() is.
    "(SELECT offered_by FROM {complimentary} WHERE user_id = %(user)s"
    " AND starts_at <= %(now)s AND ends_at > %(now)s ORDER BY starts_at DESC, id LIMIT 1)",
    "EXISTS (SELECT 1 FROM {email} WHERE user_id = %(user)s AND verified)",
)
_IP_RANGES_COLUMN = (
    "EXISTS (SELECT 1 FROM {ip_range} AS r JOIN {organisation} AS o ON o.id = r.organisation_id"
    " WHERE o.starts_on <= %(today)s AND o.ends_on >= %(today)s)"
)
_METER_COLUMNS = (
    "(SELECT meter_limit FROM {paywall_settings} WHERE id = 1)",
    "(SELECT p.reads_count FROM {meter_read} AS m JOIN {meter_period} AS p ON p.id = m.period_id"
    " WHERE p.user_id = %(user)s AND p.month = %(month)s AND m.article_id = %(article)s LIMIT 1)",
)


@cache
def _facts_columns(*, with_ip_ranges: bool, with_meter: bool) -> tuple[str, ...]:
    """Plain SQL, built once: the ORM would spend more time composing it than the query takes."""
    models = {
        "subscription": Subscription,
        "complimentary": ComplimentaryAccess,
        "email": EmailAddress,
        "ip_range": OrganisationIPRange,
        "organisation": Organisation,
        "paywall_settings": PaywallSettings,
        "meter_read": MeterRead,
        "meter_period": MeterPeriod,
    }
    quote = connection.ops.quote_name
    tables = {name: quote(model._meta.db_table) for name, model in models.items()}
    columns = [
        *_FACTS_COLUMNS,
        *((_IP_RANGES_COLUMN,) if with_ip_ranges else ()),
        *(_METER_COLUMNS if with_meter else ()),
    ]
    return tuple(column.format(**tables) for column in columns)


@cache
def _facts_sql(columns: tuple[str, ...]) -> str:
    return "SELECT " + ", ".join(columns)


def _facts_params(user_id: Any, ctx: _Context, meter_article: Article | None) -> dict[str, Any]:
    ops = connection.ops
    return {
        "user": user_id,
        "now": ops.adapt_datetimefield_value(ctx.now),
        "today": ops.adapt_datefield_value(ctx.today),
        "month": ops.adapt_datefield_value(services.month_start(ctx.now)),
        "article": meter_article.pk if meter_article is not None else None,
    }


def _facts_from_row(row: Sequence[Any], *, with_ip_ranges: bool, with_meter: bool) -> _AccountFacts:
    subscribed, past_due, offered_by, has_verified_email = row[:4]
    rest = list(row[4:])
    ip_ranges_exist = bool(rest.pop(0)) if with_ip_ranges else False
    meter_limit, meter_reads_count = rest if with_meter else (None, None)
    return _AccountFacts(
        subscribed=bool(subscribed),
        past_due=bool(past_due),
        complimentary_offered_by=offered_by,
        has_verified_email=bool(has_verified_email),
        ip_ranges_exist=ip_ranges_exist,
        meter_limit=meter_limit,
        meter_reads_count=meter_reads_count,
    )


def _account_facts(
    user: Any, ctx: _Context, *, with_ip_ranges: bool, meter_article: Article | None
) -> _AccountFacts:
    """Subscriptions, complimentary access, verified email and meter in one round trip.

    Under load every query's round trip costs more than its work: the article page of a reader
    with an account used to spend five of them before the meter's.
    """
    with_meter = meter_article is not None
    columns = _facts_columns(with_ip_ranges=with_ip_ranges, with_meter=with_meter)
    with prepared_cursor() as cursor:
        cursor.execute(_facts_sql(columns), _facts_params(user.pk, ctx, meter_article))
        row = cursor.fetchone()
    return _facts_from_row(row, with_ip_ranges=with_ip_ranges, with_meter=with_meter)


def _subscription_access(user: Any, facts: _AccountFacts, ctx: _Context) -> AccessDecision | None:
    granted = _granted(Ground.SUBSCRIPTION, Reason.SUBSCRIPTION, _("Subscriber"))
    if facts.subscribed:
        return granted
    if facts.past_due:
        # Rare: the grace (the settings row) and each subscription's arrears are read only now.
        grace = ctx.settings.past_due_grace
        past_due = Subscription.objects.filter(user=user, status=Subscription.Status.PAST_DUE)
        if any(subscription.grants_access(ctx.now, grace) for subscription in past_due):
            return granted
    return None


def _complimentary_access(facts: _AccountFacts) -> AccessDecision | None:
    if facts.complimentary_offered_by is None:
        return None
    grant = ComplimentaryAccess(offered_by=facts.complimentary_offered_by)
    return _granted(
        Ground.COMPLIMENTARY,
        Reason.COMPLIMENTARY,
        _("Offered by %(name)s") % {"name": grant.offered_by_label},
    )


def _ip_licence(client_ip: str | None, ctx: _Context) -> tuple[AccessDecision | None, bool]:
    """The licence covering ``client_ip``, and whether any valid licence has IP ranges at all."""
    address = network.parse_ip(client_ip)
    if address is None:
        return None, False
    ranges = list(
        OrganisationIPRange.objects.filter(
            organisation__starts_on__lte=ctx.today, organisation__ends_on__gte=ctx.today
        ).select_related("organisation")
    )
    for ip_range in ranges:
        try:
            net = ipaddress.ip_network(ip_range.cidr, strict=False)
        except ValueError:  # a row written around the admin's validation: ignore it, never crash
            continue
        if address.version == net.version and address in net:
            message = _("%(organisation)s licence") % {"organisation": ip_range.organisation.name}
            return _granted(Ground.LICENCE, Reason.LICENCE_IP, message), True
    return None, bool(ranges)


def _domain_licence(
    user: Any, ctx: _Context
) -> tuple[AccessDecision | None, AccessDecision | None]:
    """Licence through a verified email domain: (granted, refusal worth telling the reader)."""
    emails = list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    if not emails:
        return None, None
    organisations = {
        domain.organisation_id: domain.organisation
        for domain in OrganisationDomain.objects.matching_emails(emails).select_related(
            "organisation"
        )
    }
    if not organisations:
        return None, None
    valid = [org for org in organisations.values() if org.starts_on <= ctx.today <= org.ends_on]
    if not valid:
        name = next(iter(organisations.values())).name
        return None, _refused(
            Wall.SUBSCRIPTION,
            Reason.LICENCE_EXPIRED,
            _("The %(organisation)s licence is not valid at the moment.") % {"organisation": name},
        )
    seat = (
        Seat.objects.filter(user=user, organisation__in=valid)
        .select_related("organisation")
        .first()
    )
    if seat is None:
        for organisation in sorted(valid, key=lambda org: org.pk):
            seat = services.seat_claim(organisation=organisation, user=user)
            if seat is not None:
                break
    if seat is None:
        return None, _refused(
            Wall.SUBSCRIPTION,
            Reason.LICENCE_SEATS_TAKEN,
            _("All seats of the %(organisation)s licence are taken.")
            % {"organisation": valid[0].name},
        )
    return _granted(
        Ground.LICENCE,
        Reason.LICENCE_SEAT,
        _("%(organisation)s licence") % {"organisation": seat.organisation.name},
    ), None


def entitlement(
    *,
    user: Any,
    client_ip: str | None,
    now: datetime,
    paywall_settings: PaywallSettings | None = None,
) -> tuple[AccessDecision | None, AccessDecision | None]:
    """What opens every subscriber article for this reader, whatever the article.

    Returns (granted decision or None, the most telling refusal or None).
    """
    ctx = _Context(now, paywall_settings)
    granted, _refusal, _ip_ranges_exist, _facts = _entitlement(user, client_ip, ctx)
    return granted, _refusal


def _entitlement(
    user: Any,
    client_ip: str | None,
    ctx: _Context,
    *,
    meter_article: Article | None = None,
    prefetched: _AccountFacts | None = None,
) -> tuple[AccessDecision | None, AccessDecision | None, bool, _AccountFacts]:
    """(granted, most telling refusal, whether valid IP ranges exist, the account's facts)."""
    authenticated = user is not None and user.is_authenticated
    ip_parses = network.parse_ip(client_ip) is not None
    facts = _NO_FACTS
    if authenticated:
        facts = prefetched or _account_facts(
            user, ctx, with_ip_ranges=ip_parses, meter_article=meter_article
        )
        if facts.meter_limit is not None:
            ctx.known_meter_limit = facts.meter_limit
        granted = _subscription_access(user, facts, ctx) or _complimentary_access(facts)
        if granted is not None:
            return granted, None, False, facts
    if authenticated and not facts.ip_ranges_exist:
        # The account's query found no valid licence with IP ranges: none can cover this IP.
        granted, ip_ranges_exist = None, False
    else:
        granted, ip_ranges_exist = _ip_licence(client_ip, ctx)
    if granted is not None:
        return granted, None, True, facts
    refusal = None
    if authenticated and facts.has_verified_email:
        granted, refusal = _domain_licence(user, ctx)
        if granted is not None:
            return granted, None, ip_ranges_exist, facts
    return None, refusal, ip_ranges_exist, facts


def _gift_access(token: str, article: Article, ctx: _Context) -> AccessDecision:
    try:
        payload = signing.loads(token, salt=services.GIFT_LINK_SALT)
        gift_id = int(payload["g"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        gift_id = None
    gift = GiftLink.objects.filter(pk=gift_id).first() if gift_id is not None else None
    if gift is None:
        return _refused(
            Wall.SUBSCRIPTION,
            Reason.GIFT_TAMPERED,
            _("This gift link is not valid. Check that it was copied in full."),
        )
    if gift.article_id != article.pk:
        return _refused(
            Wall.SUBSCRIPTION,
            Reason.GIFT_OTHER_ARTICLE,
            _("This gift link opens another article, not this one."),
        )
    if gift.revoked_at is not None:
        return _refused(
            Wall.SUBSCRIPTION,
            Reason.GIFT_REVOKED,
            _("The subscriber who shared this article has withdrawn the gift link."),
        )
    if ctx.now >= gift.expires_at:
        return _refused(
            Wall.SUBSCRIPTION,
            Reason.GIFT_EXPIRED,
            _("This gift link expired on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(gift.expires_at), "DATE_FORMAT")},
        )
    # The quota is enforced when links are made; checking again here also catches links made
    # around the service (or before the admin lowered the quota).
    start, end = services.month_bounds(gift.created_at)
    earlier = (
        GiftLink.objects.filter(
            sender_id=gift.sender_id,
            created_at__gte=start,
            created_at__lt=end,
            revoked_at__isnull=True,
        )
        .filter(Q(created_at__lt=gift.created_at) | Q(created_at=gift.created_at, pk__lt=gift.pk))
        .count()
    )
    if earlier >= ctx.settings.gifts_per_month:
        return _refused(
            Wall.SUBSCRIPTION,
            Reason.GIFT_OVER_QUOTA,
            _("This gift link is over its sender's monthly allowance of gifts."),
        )
    return _granted(Ground.GIFT, Reason.GIFT, _("Offered by a subscriber"))


def _meter_message(remaining: int) -> str:
    if remaining == 0:
        return _("This is your last free article this month.")
    return ngettext(
        "You have %(count)d free article left this month.",
        "You have %(count)d free articles left this month.",
        remaining,
    ) % {"count": remaining}


_FREE_DECISION = AccessDecision(
    True, Ground.FREE, None, Reason.FREE.value, "", None, cacheable_for_anonymous=True
)


def article_access(
    *,
    article: Article,
    user: Any,
    client_ip: str | None = None,
    gift_token: str | None = None,
    consume_meter: bool = False,
    now: datetime | None = None,
    paywall_settings: PaywallSettings | None = None,
    _prefetched_facts: _AccountFacts | None = None,
) -> AccessDecision:
    """May ``user`` read ``article`` in full, and on what ground? The paywall's only answer.

    ``consume_meter`` is for the article page alone; elsewhere the meter never grants access.
    ``_prefetched_facts`` is reader_access's: the account's facts read with the account itself.
    """
    if article.access == Article.Access.FREE:
        return _FREE_DECISION
    ctx = _Context(now or timezone.now(), paywall_settings)
    authenticated = user is not None and user.is_authenticated
    if authenticated and user.is_staff and user.has_perm(PREVIEW_PERMISSION):
        return _granted(Ground.STAFF, Reason.STAFF, _("Staff access"))
    if authenticated and article.access == Article.Access.REGISTERED:
        return _granted(Ground.REGISTERED, Reason.REGISTERED)

    granted, refusal, ip_ranges_exist, facts = _entitlement(
        user,
        client_ip,
        ctx,
        meter_article=article if consume_meter else None,
        prefetched=_prefetched_facts,
    )
    if granted is not None:
        return granted

    wall = Wall.SUBSCRIPTION if authenticated else Wall.REGISTRATION
    if gift_token:
        gift = _gift_access(gift_token, article, ctx)
        if gift.allowed:
            return gift
        return _refused(wall, Reason(gift.reason_code), gift.message)

    # From here the answer depends on the account only, and on the IP if a licence has ranges.
    cacheable = not authenticated and not ip_ranges_exist
    if not authenticated:
        if article.access == Article.Access.REGISTERED:
            return _refused(
                Wall.REGISTRATION,
                Reason.REGISTRATION_REQUIRED,
                _("Create a free account or log in to read this article."),
                cacheable_for_anonymous=cacheable,
            )
        limit = ctx.settings.meter_limit
        if limit:
            return _refused(
                Wall.REGISTRATION,
                Reason.REGISTRATION_REQUIRED,
                ngettext(
                    "Create a free account to read %(count)d subscriber article a month.",
                    "Create a free account to read %(count)d subscriber articles a month.",
                    limit,
                )
                % {"count": limit},
                cacheable_for_anonymous=cacheable,
            )
        return _refused(
            Wall.SUBSCRIPTION,
            Reason.SUBSCRIPTION_REQUIRED,
            _("This article is reserved for subscribers."),
            cacheable_for_anonymous=cacheable,
        )

    if consume_meter and ctx.meter_limit:
        outcome = services.meter_consume(
            user=user,
            article=article,
            limit=ctx.meter_limit,
            now=ctx.now,
            counted_reads=facts.meter_reads_count,
        )
        if outcome.allowed:
            return _granted(
                Ground.METER,
                Reason.METER,
                _meter_message(outcome.remaining),
                meter_remaining=outcome.remaining,
            )
        if refusal is not None:
            return _refused(wall, Reason(refusal.reason_code), refusal.message, meter_remaining=0)
        return _refused(
            Wall.SUBSCRIPTION,
            Reason.METER_EXHAUSTED,
            ngettext(
                "You have read your %(count)d free article this month.",
                "You have read your %(count)d free articles this month.",
                ctx.meter_limit,
            )
            % {"count": ctx.meter_limit},
            meter_remaining=0,
        )
    if refusal is not None:
        return refusal
    return _refused(
        Wall.SUBSCRIPTION,
        Reason.SUBSCRIPTION_REQUIRED,
        _("This article is reserved for subscribers."),
    )


def reader_access(request: HttpRequest, article: Article, *, consume_meter: bool) -> AccessDecision:
    """``article_access`` for the reader behind ``request`` (user, client IP, gift token).

    On a subscriber article, a session's account and its facts are read in one query.
    """
    client_ip = network.client_ip(request)
    now = timezone.now()
    user = getattr(request, "user", None)
    prefetched = None
    if article.access == Article.Access.SUBSCRIBERS:
        with_ip_ranges = network.parse_ip(client_ip) is not None
        meter_article = article if consume_meter else None
        columns = _facts_columns(with_ip_ranges=with_ip_ranges, with_meter=consume_meter)
        params = _facts_params(None, _Context(now, None), meter_article)
        user, row = session_user_with(request, columns, params)
        if row is not None:
            prefetched = _facts_from_row(
                row, with_ip_ranges=with_ip_ranges, with_meter=consume_meter
            )
    return article_access(
        article=article,
        user=user,
        client_ip=client_ip,
        gift_token=request.GET.get(services.GIFT_QUERY_PARAMETER) or None,
        consume_meter=consume_meter,
        now=now,
        _prefetched_facts=prefetched,
    )


@dataclass(frozen=True)
class Offer:
    """The subscription offer shown under every teaser."""

    plan: Plan
    weekly_price_cents: int
    headline: str
    weekly_price: str
    call_to_action: str

    @property
    def text(self) -> str:
        return f"{self.headline} — {self.call_to_action}"


def format_price(cents: int, currency: str = "eur") -> str:
    amount = formats.number_format(Decimal(cents) / 100, decimal_pos=2, use_l10n=True)
    if currency.lower() == "eur":
        # Translators: a price in euros; French puts the sign after the number ("2,49 €").
        return _("€%(amount)s") % {"amount": amount}
    return f"{amount} {currency.upper()}"


def subscription_offer() -> Offer | None:
    """The cheapest active plan, priced per week; None when nothing is on sale."""
    plans = list(Plan.objects.active())
    if not plans:
        return None
    plan = min(plans, key=lambda candidate: (candidate.weekly_price_cents, candidate.display_order))
    weekly = plan.weekly_price_cents
    price = format_price(weekly, plan.currency)
    if weekly < WEEKLY_HEADLINE_LIMIT_CENTS and plan.currency.lower() == "eur":
        headline = _("Unlimited access for less than €3 a week")
    else:
        headline = _("Unlimited access from %(price)s a week") % {"price": price}
    return Offer(
        plan=plan,
        weekly_price_cents=weekly,
        headline=headline,
        weekly_price=price,
        call_to_action=_("Subscribe"),
    )
