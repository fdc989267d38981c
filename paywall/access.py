"""The access decision: whether a reader may read an article in full, and on what ground.

Every channel asks ``article_access`` (or ``reader_access`` from a view): the article page, feeds,
search, sitemaps, newsletters, event pricing, JSON. The decision is a pure read: it never writes.
Two grounds need a write, and only the article page makes it (``paywall.services.
article_page_access``), after the decision has named it in ``AccessDecision.pending``:

- a company licence's seat is taken on the member's first article page. Elsewhere a member with
  a seat free to take reads as a licensee (it is theirs the moment they open an article), but no
  channel other than the article page takes it;
- one of the month's free reads is spent on the article page only; on every other channel the
  meter opens nothing, so a feed, an email or a search cannot spend (or bypass) it.

Order of the grounds: free article, staff preview, registered-only article, subscription,
complimentary access, company licence by IP range (no seat), company licence by verified email
domain (a seat), gift link, monthly meter.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.core import signing
from django.db import connection
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.backends import AccountFacts, session_user_with
from core import network
from core.db import prepared_cursor
from paywall.levels import AccessLevel, GuardedArticle
from paywall.models import (
    GIFT_LINK_SALT,
    GIFT_QUERY_PARAMETER,
    ComplimentaryAccess,
    GiftLink,
    MeterPeriod,
    MeterRead,
    Organisation,
    OrganisationDomain,
    OrganisationIPRange,
    PaywallSettings,
    Seat,
    month_bounds,
    month_start,
)
from subscriptions.models import BillingSettings, Subscription
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
class Pending:
    """The writes the article page makes on a decision before showing it (see module doc)."""

    # Licences with a seat free for this reader, in the order to try them; the decision is
    # the licence's, ``otherwise`` the answer should every one of those seats go meanwhile.
    seat_organisation_ids: tuple[int, ...] = ()
    otherwise: AccessDecision | None = None
    # The meter's monthly limit when one of the month's free reads would open the article: the
    # decision is then the answer once they are spent.
    meter_limit: int | None = None


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
    # What the article page writes before it shows this decision (see Pending).
    pending: Pending | None = None


def _granted(ground: Ground, reason: Reason, message: str = "", **extra: Any) -> AccessDecision:
    return AccessDecision(True, ground, None, reason.value, message, **extra)


def _refused(wall: Wall, reason: Reason, message: str, **extra: Any) -> AccessDecision:
    return AccessDecision(False, Ground.NONE, wall, reason.value, message, **extra)


class _Context:
    """Per-decision state: the clock and the settings rows, read at most once and only if needed."""

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


# --- the account's facts, read in one query ---------------------------------------------------


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


# One column per fact over {account} (the account's id: a column or a parameter); table names
# are filled in from the models' metadata.
_FACTS_COLUMNS = (
    # The statuses are literals from our own constant (SQLite has no ANY(array) parameter).
    "EXISTS (SELECT 1 FROM {subscription} WHERE user_id = {account}"  # noqa: S608
    f" AND status IN ({', '.join(repr(status) for status in SUBSCRIBED_STATUSES)}))",
    "EXISTS (SELECT 1 FROM {subscription} WHERE user_id = {account} AND status = 'past_due')",
    # Never NULL in a row (blank is ''): NULL means no current grant. Ordered as .first() is.
    "(SELECT offered_by FROM {complimentary} WHERE user_id = {account}"
    " AND starts_at <= %(now)s AND ends_at > %(now)s ORDER BY starts_at DESC, id LIMIT 1)",
    "EXISTS (SELECT 1 FROM {email} WHERE user_id = {account} AND verified)",
)
# OrganisationQuerySet.valid_on, in the SQL of the one query.
_IP_RANGES_COLUMN = (
    "EXISTS (SELECT 1 FROM {ip_range} AS r JOIN {organisation} AS o ON o.id = r.organisation_id"
    " WHERE o.starts_on <= %(today)s AND o.ends_on >= %(today)s)"
)
_METER_COLUMNS = (
    "(SELECT meter_limit FROM {paywall_settings} WHERE id = 1)",
    "(SELECT p.reads_count FROM {meter_read} AS m JOIN {meter_period} AS p ON p.id = m.period_id"
    " WHERE p.user_id = {account} AND p.month = %(month)s AND m.article_id = %(article)s LIMIT 1)",
)


@cache
def _facts_columns(account: str, *, with_ip_ranges: bool, with_meter: bool) -> tuple[str, ...]:
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
    return tuple(column.format(account=account, **tables) for column in columns)


@dataclass(frozen=True)
class _FactsQuery(AccountFacts[_AccountFacts]):
    """The paywall's facts about the account, as read along with it (accounts.backends)."""

    with_ip_ranges: bool
    meter_article_id: int | None
    now: datetime
    today: date

    def columns(self, account: str) -> tuple[str, ...]:
        with_meter = self.meter_article_id is not None
        return _facts_columns(account, with_ip_ranges=self.with_ip_ranges, with_meter=with_meter)

    def params(self) -> dict[str, Any]:
        ops = connection.ops
        return {
            "now": ops.adapt_datetimefield_value(self.now),
            "today": ops.adapt_datefield_value(self.today),
            "month": ops.adapt_datefield_value(month_start(self.now)),
            "article": self.meter_article_id,
        }

    def from_row(self, row: Sequence[Any]) -> _AccountFacts:
        subscribed, past_due, offered_by, has_verified_email = row[:4]
        rest = list(row[4:])
        ip_ranges_exist = bool(rest.pop(0)) if self.with_ip_ranges else False
        with_meter = self.meter_article_id is not None
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


def _facts_query(
    ctx: _Context, *, with_ip_ranges: bool, meter_article: GuardedArticle | None
) -> _FactsQuery:
    return _FactsQuery(
        with_ip_ranges=with_ip_ranges,
        meter_article_id=meter_article.pk if meter_article is not None else None,
        now=ctx.now,
        today=ctx.today,
    )


@cache
def _facts_sql(columns: tuple[str, ...]) -> str:
    return "SELECT " + ", ".join(columns)


def _account_facts(
    user: Any, ctx: _Context, *, with_ip_ranges: bool, meter_article: GuardedArticle | None
) -> _AccountFacts:
    """Subscriptions, complimentary access, verified email and meter in one round trip.

    Under load every query's round trip costs more than its work: the article page of a reader
    with an account used to spend five of them before the meter's.
    """
    query = _facts_query(ctx, with_ip_ranges=with_ip_ranges, meter_article=meter_article)
    with prepared_cursor() as cursor:
        cursor.execute(_facts_sql(query.columns("%(user)s")), {**query.params(), "user": user.pk})
        row = cursor.fetchone()
    return query.from_row(row)


# --- what opens every subscriber article: subscription, complimentary access, licences -------


def _subscription_access(user: Any, facts: _AccountFacts, ctx: _Context) -> AccessDecision | None:
    granted = _granted(Ground.SUBSCRIPTION, Reason.SUBSCRIPTION, _("Subscriber"))
    if facts.subscribed:
        return granted
    if facts.past_due:
        # Rare: the grace (billing's settings row) and each subscription's arrears are read now.
        grace = BillingSettings.load().past_due_grace
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
            organisation__in=Organisation.objects.valid_on(ctx.today)
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


@dataclass(frozen=True)
class _DomainLicence:
    granted: AccessDecision | None = None  # a seat held
    refusal: AccessDecision | None = None  # worth telling the reader
    free_seats_in: tuple[Organisation, ...] = ()  # licences with a seat free to take


def _domain_licence(user: Any, ctx: _Context) -> _DomainLicence:
    """Licence through a verified email domain: a seat held, one free to take, or a refusal."""
    emails = list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    if not emails:
        return _DomainLicence()
    domains = list(
        OrganisationDomain.objects.matching_emails(emails).select_related("organisation")
    )
    if not domains:
        return _DomainLicence()
    valid = list(
        Organisation.objects.valid_on(ctx.today)
        .filter(pk__in={domain.organisation_id for domain in domains})
        .annotate(seats_taken=Count("seat_set"))
        .order_by("pk")
    )
    if not valid:
        return _DomainLicence(
            refusal=_refused(
                Wall.SUBSCRIPTION,
                Reason.LICENCE_EXPIRED,
                _("The %(organisation)s licence is not valid at the moment.")
                % {"organisation": domains[0].organisation.name},
            )
        )
    seat = Seat.objects.filter(user=user, organisation__in=valid).select_related("organisation")
    held = seat.first()
    if held is not None:
        return _DomainLicence(granted=seat_granted(held.organisation))
    free = tuple(org for org in valid if org.seats_taken < org.seats)  # type: ignore[attr-defined]
    # With seats free, the refusal is the answer should they all go before this member's.
    return _DomainLicence(refusal=seats_taken_refusal(valid[0]), free_seats_in=free)


def seat_granted(organisation: Organisation) -> AccessDecision:
    return _granted(
        Ground.LICENCE,
        Reason.LICENCE_SEAT,
        _("%(organisation)s licence") % {"organisation": organisation.name},
    )


def seats_taken_refusal(organisation: Organisation) -> AccessDecision:
    return _refused(
        Wall.SUBSCRIPTION,
        Reason.LICENCE_SEATS_TAKEN,
        _("All seats of the %(organisation)s licence are taken.")
        % {"organisation": organisation.name},
    )


@dataclass(frozen=True)
class _Entitlement:
    granted: AccessDecision | None
    refusal: AccessDecision | None  # the most telling one
    ip_ranges_exist: bool
    facts: _AccountFacts
    free_seats_in: tuple[Organisation, ...] = ()


def entitlement(
    *,
    user: Any,
    client_ip: str | None,
    now: datetime,
    paywall_settings: PaywallSettings | None = None,
) -> tuple[AccessDecision | None, AccessDecision | None]:
    """What opens every subscriber article for this reader, whatever the article (a pure read).

    Returns (granted decision or None, the most telling refusal or None). A licence seat free to
    take counts, untaken: only the article page takes seats.
    """
    found = _entitlement(user, client_ip, _Context(now, paywall_settings))
    if found.granted is None and found.free_seats_in:
        return seat_granted(found.free_seats_in[0]), None
    return found.granted, found.refusal


def _entitlement(
    user: Any,
    client_ip: str | None,
    ctx: _Context,
    *,
    meter_article: GuardedArticle | None = None,
    prefetched: _AccountFacts | None = None,
) -> _Entitlement:
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
            return _Entitlement(granted, None, False, facts)
    if authenticated and not facts.ip_ranges_exist:
        # The account's query found no valid licence with IP ranges: none can cover this IP.
        granted, ip_ranges_exist = None, False
    else:
        granted, ip_ranges_exist = _ip_licence(client_ip, ctx)
    if granted is not None:
        return _Entitlement(granted, None, True, facts)
    if authenticated and facts.has_verified_email:
        licence = _domain_licence(user, ctx)
        return _Entitlement(
            licence.granted, licence.refusal, ip_ranges_exist, facts, licence.free_seats_in
        )
    return _Entitlement(None, None, ip_ranges_exist, facts)


# --- gift links --------------------------------------------------------------------------


def _gift_access(token: str, article: GuardedArticle, ctx: _Context) -> AccessDecision:
    try:
        payload = signing.loads(token, salt=GIFT_LINK_SALT)
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
    if _gifts_sent_before(gift) >= ctx.settings.gifts_per_month:
        return _refused(
            Wall.SUBSCRIPTION,
            Reason.GIFT_OVER_QUOTA,
            _("This gift link is over its sender's monthly allowance of gifts."),
        )
    return _granted(Ground.GIFT, Reason.GIFT, _("Offered by a subscriber"))


def _gifts_sent_before(gift: GiftLink) -> int:
    """Live links its sender made earlier in its month.

    The quota is enforced when links are made; checking again here also catches links made
    around the service (or before the admin lowered the quota).
    """
    start, end = month_bounds(gift.created_at)
    return (
        GiftLink.objects.filter(
            sender_id=gift.sender_id,
            created_at__gte=start,
            created_at__lt=end,
            revoked_at__isnull=True,
        )
        .filter(Q(created_at__lt=gift.created_at) | Q(created_at=gift.created_at, pk__lt=gift.pk))
        .count()
    )


# --- the walls -----------------------------------------------------------------------------


def meter_granted(remaining: int) -> AccessDecision:
    if remaining == 0:
        message = _("This is your last free article this month.")
    else:
        message = ngettext(
            "You have %(count)d free article left this month.",
            "You have %(count)d free articles left this month.",
            remaining,
        ) % {"count": remaining}
    return _granted(Ground.METER, Reason.METER, message, meter_remaining=remaining)


def _anonymous_wall(article: GuardedArticle, ctx: _Context, *, cacheable: bool) -> AccessDecision:
    if article.access == AccessLevel.REGISTERED:
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


def _subscriber_wall(refusal: AccessDecision | None) -> AccessDecision:
    if refusal is not None:
        return refusal
    return _refused(
        Wall.SUBSCRIPTION,
        Reason.SUBSCRIPTION_REQUIRED,
        _("This article is reserved for subscribers."),
    )


def meter_wall(refusal: AccessDecision | None, limit: int) -> AccessDecision:
    """The answer once the month's free reads are spent: a licence's refusal tells more."""
    if refusal is not None:
        return replace(refusal, meter_remaining=0)
    return _refused(
        Wall.SUBSCRIPTION,
        Reason.METER_EXHAUSTED,
        ngettext(
            "You have read your %(count)d free article this month.",
            "You have read your %(count)d free articles this month.",
            limit,
        )
        % {"count": limit},
        meter_remaining=0,
    )


def _meter_wall(found: _Entitlement, ctx: _Context) -> AccessDecision:
    """The article page's answer to a reader with an account and no ground but the meter."""
    refusal = found.refusal
    limit = ctx.meter_limit
    if not limit:
        return _subscriber_wall(refusal)
    if found.facts.meter_reads_count is not None:
        # This article is already counted this month: reading it again costs nothing.
        return meter_granted(max(limit - found.facts.meter_reads_count, 0))
    return replace(meter_wall(refusal, limit), pending=Pending(meter_limit=limit))


def _seat_to_take(found: _Entitlement, otherwise: AccessDecision) -> AccessDecision:
    """The licence, for the article page to take a seat of; ``otherwise`` if they all go."""
    seat_ids = tuple(organisation.pk for organisation in found.free_seats_in)
    pending = Pending(seat_organisation_ids=seat_ids, otherwise=otherwise)
    return replace(seat_granted(found.free_seats_in[0]), pending=pending)


_FREE_DECISION = AccessDecision(
    True, Ground.FREE, None, Reason.FREE.value, "", None, cacheable_for_anonymous=True
)


def article_access(
    *,
    article: GuardedArticle,
    user: Any,
    client_ip: str | None = None,
    gift_token: str | None = None,
    on_article_page: bool = False,
    now: datetime | None = None,
    paywall_settings: PaywallSettings | None = None,
    _prefetched_facts: _AccountFacts | None = None,
) -> AccessDecision:
    """May ``user`` read ``article`` in full, and on what ground? The paywall's only answer.

    A pure read. ``on_article_page``: the meter counts, and the decision names the writes that
    would open the article (``pending``) for ``paywall.services.article_page_access`` to make.
    ``_prefetched_facts`` is reader_access's: the account's facts read with the account itself.
    """
    if article.access == AccessLevel.FREE:
        return _FREE_DECISION
    ctx = _Context(now or timezone.now(), paywall_settings)
    authenticated = user is not None and user.is_authenticated
    if authenticated and user.is_staff and user.has_perm(PREVIEW_PERMISSION):
        return _granted(Ground.STAFF, Reason.STAFF, _("Staff access"))
    if authenticated and article.access == AccessLevel.REGISTERED:
        return _granted(Ground.REGISTERED, Reason.REGISTERED)

    meter_article = article if on_article_page else None
    found = _entitlement(
        user, client_ip, ctx, meter_article=meter_article, prefetched=_prefetched_facts
    )
    if found.granted is not None:
        return found.granted
    if found.free_seats_in and meter_article is None:
        return seat_granted(found.free_seats_in[0])  # to be taken on the article page
    if not authenticated and not gift_token:
        # The answer depends on nothing but the IP, and on it only if a licence has ranges.
        return _anonymous_wall(article, ctx, cacheable=not found.ip_ranges_exist)
    if gift_token:
        decision = _gift_access(gift_token, article, ctx)
        if not decision.allowed:
            wall = Wall.SUBSCRIPTION if authenticated else Wall.REGISTRATION
            decision = _refused(wall, Reason(decision.reason_code), decision.message)
    elif meter_article is not None:
        decision = _meter_wall(found, ctx)
    else:
        decision = _subscriber_wall(found.refusal)
    if found.free_seats_in:
        return _seat_to_take(found, otherwise=decision)
    return decision


def reader_access(
    request: HttpRequest, article: GuardedArticle, *, on_article_page: bool = False
) -> AccessDecision:
    """``article_access`` for the reader behind ``request`` (user, client IP, gift token).

    On a subscriber article, a session's account and its facts are read in one query.
    """
    client_ip = network.client_ip(request)
    now = timezone.now()
    user = getattr(request, "user", None)
    prefetched: _AccountFacts | None = None
    if article.access == AccessLevel.SUBSCRIBERS:
        query = _facts_query(
            _Context(now, None),
            with_ip_ranges=network.parse_ip(client_ip) is not None,
            meter_article=article if on_article_page else None,
        )
        user, prefetched = session_user_with(request, query)
    return article_access(
        article=article,
        user=user,
        client_ip=client_ip,
        gift_token=request.GET.get(GIFT_QUERY_PARAMETER) or None,
        on_article_page=on_article_page,
        now=now,
        _prefetched_facts=prefetched,
    )
