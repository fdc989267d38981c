"""Company licences: seats for verified domains, IP ranges, validity, the admin's checks."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from accounts.models import User
from magazine.models import Article
from paywall.access import Ground
from paywall.models import (
    Organisation,
    OrganisationDomain,
    OrganisationIPRange,
    PaywallSettings,
    Seat,
)
from paywall.selectors import organisation_seats_for_contact
from tests.factories import ArticleFactory, OrganisationFactory, UserFactory, verified_email
from tests.paywall.page import page_access

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _meter_off(db: None) -> None:
    """Licences are what these tests are about: on the article page the meter would open too."""
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 0})


def member(email: str, *, verified: bool = True) -> User:
    return verified_email(UserFactory(email=email), verified=verified)


def test_company_member_reads_under_the_licence_and_takes_a_seat(
    company_member: User, subscriber_article: Article
) -> None:
    decision = page_access(article=subscriber_article, user=company_member)
    assert decision.allowed
    assert decision.ground is Ground.LICENCE
    assert decision.reason_code == "licence_seat"
    assert decision.message == gettext("%(organisation)s licence") % {
        "organisation": "Acme Relation"
    }
    assert Seat.objects.filter(user=company_member).count() == 1


def test_a_member_keeps_one_seat_however_much_they_read(
    company_member: User, subscriber_article: Article, django_assert_max_num_queries
) -> None:
    page_access(article=subscriber_article, user=company_member)
    with django_assert_max_num_queries(5):
        assert page_access(article=subscriber_article, user=company_member).allowed
    assert Seat.objects.count() == 1


def test_unverified_address_on_the_domain_gives_no_licence(subscriber_article: Article) -> None:
    OrganisationFactory(domains=["acme-relation.fr"])
    user = member("stagiaire@acme-relation.fr", verified=False)
    decision = page_access(article=subscriber_article, user=user)
    assert not decision.allowed
    assert decision.reason_code == "subscription_required"
    assert not Seat.objects.exists()


def test_verified_secondary_address_on_the_domain_counts(subscriber_article: Article) -> None:
    OrganisationFactory(domains=["acme-relation.fr"])
    user = UserFactory(email="nora.perso@example.com")
    verified_email(user, "nora@acme-relation.fr")
    assert page_access(article=subscriber_article, user=user).ground is Ground.LICENCE


def test_subdomains_belong_to_the_licensed_domain(subscriber_article: Article) -> None:
    OrganisationFactory(domains=["acme-relation.fr"])
    user = member("agent@lyon.acme-relation.fr")
    assert page_access(article=subscriber_article, user=user).ground is Ground.LICENCE
    lookalike = member("agent@notacme-relation.fr")
    assert not page_access(article=subscriber_article, user=lookalike).allowed


def test_members_beyond_the_seat_count_are_told_all_seats_are_taken(
    subscriber_article: Article,
) -> None:
    OrganisationFactory(name="Petit Centre", seats=2, domains=["petit-centre.fr"])
    first, second, third = (member(f"agent{i}@petit-centre.fr") for i in range(3))
    assert page_access(article=subscriber_article, user=first).allowed
    assert page_access(article=subscriber_article, user=second).allowed
    decision = page_access(article=subscriber_article, user=third)
    assert not decision.allowed
    assert decision.reason_code == "licence_seats_taken"
    assert decision.message == gettext("All seats of the %(organisation)s licence are taken.") % {
        "organisation": "Petit Centre"
    }
    assert Seat.objects.count() == 2
    # The seat holders keep reading.
    assert page_access(article=subscriber_article, user=first).allowed


def test_member_without_a_seat_may_still_use_the_meter_on_the_article_page(
    subscriber_article: Article,
) -> None:
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 3})
    OrganisationFactory(seats=1, domains=["petit-centre.fr"])
    page_access(article=subscriber_article, user=member("a@petit-centre.fr"))
    decision = page_access(article=subscriber_article, user=member("b@petit-centre.fr"))
    assert decision.ground is Ground.METER


def test_expired_licence_gives_no_access_and_says_why(subscriber_article: Article) -> None:
    today = timezone.localdate()
    OrganisationFactory(
        name="Ancien Client",
        domains=["ancien-client.fr"],
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=1),
    )
    decision = page_access(article=subscriber_article, user=member("a@ancien-client.fr"))
    assert not decision.allowed
    assert decision.reason_code == "licence_expired"
    assert not Seat.objects.exists()


def test_licence_not_yet_started_gives_no_access(subscriber_article: Article) -> None:
    today = timezone.localdate()
    OrganisationFactory(
        domains=["futur-client.fr"],
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=365),
    )
    assert not page_access(article=subscriber_article, user=member("a@futur-client.fr")).allowed


@pytest.mark.parametrize(
    "client_ip",
    ["203.0.113.77", "2001:db8:42::1", "::ffff:203.0.113.5"],
    ids=["ipv4", "ipv6", "ipv4-mapped-ipv6"],
)
def test_readers_from_the_organisation_network_read_everything_without_a_seat(
    client_ip: str, subscriber_article: Article
) -> None:
    OrganisationFactory(name="Acme", ip_ranges=["203.0.113.0/24", "2001:db8:42::/48"])
    decision = page_access(article=subscriber_article, user=AnonymousUser(), client_ip=client_ip)
    assert decision.allowed
    assert decision.ground is Ground.LICENCE
    assert decision.reason_code == "licence_ip"
    assert decision.message == gettext("%(organisation)s licence") % {"organisation": "Acme"}
    assert not decision.cacheable_for_anonymous


def test_office_network_spares_the_member_seat(
    company_member: User, subscriber_article: Article
) -> None:
    organisation = Organisation.objects.get(name="Acme Relation")
    organisation.ip_ranges.create(cidr="198.51.100.0/24")
    decision = page_access(
        article=subscriber_article, user=company_member, client_ip="198.51.100.20"
    )
    assert decision.reason_code == "licence_ip"
    assert not Seat.objects.exists()


@pytest.mark.parametrize("client_ip", ["203.0.114.1", "2001:db8:43::1", None, "pas-une-ip"])
def test_readers_outside_the_ranges_get_the_wall(
    client_ip: str | None, subscriber_article: Article
) -> None:
    OrganisationFactory(ip_ranges=["203.0.113.0/24", "2001:db8:42::/48"])
    decision = page_access(article=subscriber_article, user=AnonymousUser(), client_ip=client_ip)
    assert not decision.allowed


def test_expired_licence_ip_ranges_open_nothing(subscriber_article: Article) -> None:
    today = timezone.localdate()
    OrganisationFactory(
        ip_ranges=["203.0.113.0/24"],
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=1),
    )
    decision = page_access(
        article=subscriber_article, user=AnonymousUser(), client_ip="203.0.113.1"
    )
    assert not decision.allowed


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("10.0.0.0/33", "invalid", "is not an IP address or range"),
        ("réseau-bureau", "invalid", "is not an IP address or range"),
        ("192.0.2.1/24", "host_bits", "did you mean 192.0.2.0/24?"),
        ("2001:db8::1/32", "host_bits", "did you mean 2001:db8::/32?"),
    ],
)
def test_bad_ip_ranges_get_a_clear_error(value: str, code: str, message: str) -> None:
    organisation = OrganisationFactory()
    ip_range = OrganisationIPRange(organisation=organisation, cidr=value)
    # The wording is checked in English, the language of the msgids.
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            ip_range.full_clean()
        assert message in " ".join(excinfo.value.message_dict["cidr"])
    assert code in {error.code for error in excinfo.value.error_dict["cidr"]}


def test_ip_ranges_are_stored_in_canonical_form() -> None:
    ip_range = OrganisationIPRange(organisation=OrganisationFactory(), cidr=" 2001:DB8:0::/48 ")
    ip_range.full_clean()
    assert ip_range.cidr == "2001:db8::/48"


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("contact@acme.fr", "email", "not an email address"),
        ("acme", "invalid", "not a valid domain"),
        ("acme..fr", "invalid", "not a valid domain"),
        ("-acme.fr", "invalid", "not a valid domain"),
        ("gmail.com", "public", "public email provider"),
        ("192.0.2.1", "ip", "looks like an IP address"),
    ],
)
def test_bad_domains_get_a_clear_error(value: str, code: str, message: str) -> None:
    domain = OrganisationDomain(organisation=OrganisationFactory(), domain=value)
    # The wording is checked in English, the language of the msgids.
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            domain.full_clean()
        assert message in " ".join(excinfo.value.message_dict["domain"])
    assert code in {error.code for error in excinfo.value.error_dict["domain"]}


def test_domains_are_stored_lower_case() -> None:
    domain = OrganisationDomain(organisation=OrganisationFactory(), domain=" Acme-Relation.FR. ")
    domain.full_clean()
    assert domain.domain == "acme-relation.fr"


def test_licence_cannot_end_before_it_starts() -> None:
    today = timezone.localdate()
    organisation = OrganisationFactory.build(
        admin_contact=UserFactory(), starts_on=today, ends_on=today - timedelta(days=1)
    )
    with pytest.raises(ValidationError) as excinfo:
        organisation.full_clean()
    assert "ends_on" in excinfo.value.message_dict


def test_admin_contact_sees_who_uses_the_seats(subscriber_article: Article) -> None:
    contact = UserFactory(email="drh@petit-centre.fr")
    organisation = OrganisationFactory(admin_contact=contact, domains=["petit-centre.fr"])
    first, second = member("a@petit-centre.fr"), member("b@petit-centre.fr")
    page_access(article=subscriber_article, user=second)
    page_access(article=subscriber_article, user=first)
    seats = organisation_seats_for_contact(organisation=organisation, viewer=contact)
    assert [seat.user.email for seat in seats] == ["b@petit-centre.fr", "a@petit-centre.fr"]


def test_other_readers_cannot_see_who_uses_the_seats(company_member: User) -> None:
    organisation = Organisation.objects.get(name="Acme Relation")
    with pytest.raises(PermissionDenied):
        organisation_seats_for_contact(organisation=organisation, viewer=company_member)


def test_admin_lists_organisations_with_seats_used_over_total(
    admin_client: Client, company_member: User, subscriber_article: Article
) -> None:
    page_access(article=subscriber_article, user=company_member)
    response = admin_client.get(reverse("admin:paywall_organisation_changelist"))
    assert response.status_code == 200
    assert "1 / 5" in response.content.decode()


def test_admin_refuses_a_bad_cidr_with_a_clear_error_and_saves_nothing(
    admin_client: Client,
) -> None:
    contact = UserFactory(email="drh@acme.fr")
    today = timezone.localdate()
    data = {
        "name": "Acme",
        "seats": "10",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=365)).isoformat(),
        "admin_contact": str(contact.pk),
        "domains-TOTAL_FORMS": "1",
        "domains-INITIAL_FORMS": "0",
        "domains-0-domain": "acme.fr",
        "ip_ranges-TOTAL_FORMS": "1",
        "ip_ranges-INITIAL_FORMS": "0",
        "ip_ranges-0-cidr": "192.0.2.300/24",
        "seat_set-TOTAL_FORMS": "0",
        "seat_set-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:paywall_organisation_add"), data)
    assert response.status_code == 200
    # The admin has no /en/ prefix: it answers in the site's language, French.
    with translation.override(response.headers["Content-Language"]):
        expected = gettext(
            "“%(value)s” is not an IP address or range: use the CIDR notation, "
            "e.g. 192.0.2.0/24 or 2001:db8::/32."
        ) % {"value": "192.0.2.300/24"}
    assert escape(expected) in response.content.decode()
    assert not Organisation.objects.exists()
    data["ip_ranges-0-cidr"] = "192.0.2.0/24"
    response = admin_client.post(reverse("admin:paywall_organisation_add"), data)
    assert response.status_code == 302
    assert Organisation.objects.get().ip_ranges.get().cidr == "192.0.2.0/24"


def _open_at_once(article: Article, racers: list[User]) -> list[bool]:
    barrier = threading.Barrier(len(racers))
    results: list[bool] = [False] * len(racers)

    def open_article(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = page_access(article=article, user=racers[index]).allowed
        finally:
            connection.close()  # each thread has its own connection; free it for teardown

    threads = [threading.Thread(target=open_article, args=(i,)) for i in range(len(racers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_members_racing_for_the_last_seat_get_exactly_one() -> None:
    article = ArticleFactory(access=Article.Access.SUBSCRIBERS)
    for attempt in range(5):
        organisation = OrganisationFactory(seats=1, domains=[f"course{attempt}.fr"])
        racers = [member(f"agent{i}@course{attempt}.fr") for i in range(3)]
        results = _open_at_once(article, racers)
        assert sorted(results) == [False, False, True], f"attempt {attempt}: {results}"
        assert Seat.objects.filter(organisation=organisation).count() == 1
