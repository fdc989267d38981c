"""Nothing of one reader reaches another through what the site keeps or shares between readers.

Reader X carries everything a page could leak: a name, an email address, a pending message (the
one allauth queues after a login: "Connexion avec x@… réussie."), a meter count, gift links and a
CSRF token. X visits a page first, so that anything kept from X's visit (a shared page, an
article skeleton, a fragment) is there when reader Y (signed in, or an anonymous visitor) comes
next; Y's page must hold none of X's values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from magazine import page_cache, views
from magazine.article_page import SLOTS, Skeleton
from magazine.models import Article
from paywall.models import GiftLink, PaywallSettings
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    EventFactory,
    RubriqueFactory,
    TagFactory,
    UserFactory,
)
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

METER_LIMIT = 5
SEARCH_WORD = "Vercors"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_ACCESS_NOTE = re.compile(r'class="access-note[^"]*"[^>]*>([^<]+)<')


def queue_message(client: Client, text: str) -> None:
    """Leave ``text`` pending for the client's next page, in the cookie Django's storage uses."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(messages.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value


@dataclass
class Reader:
    client: Client
    user: User | None = None
    gift_tokens: list[str] = field(default_factory=list)
    # What this reader was shown that no one else may be: messages, meter notes, CSRF tokens.
    shown: set[str] = field(default_factory=set)

    def get(self, url: str, *, message: str | None = None) -> str:
        if message is not None:
            queue_message(self.client, message)
            self.shown.add(message)
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        self.shown.update(_CSRF_INPUT.findall(html))
        # The access note tells a metered reader their own count ("Il vous reste 3 articles…").
        notes = (note.strip() for note in _ACCESS_NOTE.findall(html))
        self.shown.update(note for note in notes if any(char.isdigit() for char in note))
        if message is not None:
            assert message in html, "the reader's own page shows their message"
        return html

    def secrets(self) -> set[str]:
        assert self.user is not None
        values = {self.user.email, self.user.display_name, self.user.last_name, *self.gift_tokens}
        if "csrftoken" in self.client.cookies:
            values.add(self.client.cookies["csrftoken"].value)
        return values | self.shown


def signed_in(user: User) -> Reader:
    client = Client()
    client.force_login(user)
    return Reader(client, user)


@dataclass
class Site:
    article: Article
    fillers: list[Article]
    pages: dict[str, str]


@pytest.fixture
def site(db: None, weekly_plan: object) -> Site:
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": METER_LIMIT})
    rubrique = RubriqueFactory(name="Relation client", slug="relation-client")
    tag = TagFactory(name="Centres de contact", slug="centres-de-contact")
    author = AuthorFactory(name="Claire Dupont", slug="claire-dupont")
    article = ArticleFactory(
        title=f"Les centres de contact du {SEARCH_WORD}",
        slug="centres-du-vercors",
        lead=f"Dans le {SEARCH_WORD}, les plateaux recrutent.",
        body="<p>Le début, ouvert à tous.</p><hr><p>La suite, pour les abonnés.</p>",
        access=Article.Access.SUBSCRIBERS,
        rubrique=rubrique,
        authors=[author],
        tags=[tag],
    )
    fillers = [
        ArticleFactory(access=Article.Access.SUBSCRIBERS, slug=f"compteur-{n}", rubrique=rubrique)
        for n in range(3)
    ]
    event = EventFactory(name="Forum du Vercors", slug="forum-du-vercors")
    pages = {
        "article": article.get_absolute_url(),
        "home": reverse("magazine:home"),
        "archive": reverse("magazine:archive"),
        "rubrique": rubrique.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "author": author.get_absolute_url(),
        "events": reverse("events:list"),
        "event": event.get_absolute_url(),
        "search": reverse("magazine:search") + f"?q={SEARCH_WORD}",
    }
    return Site(article, fillers, pages)


@pytest.fixture
def reader_x(site: Site) -> Reader:
    """A metered reader with a name, an email address, gift links and a read already counted."""
    user = UserFactory(
        email="ysaline.vautrin@exemple-prive.fr", first_name="Ysaline", last_name="Vautrin-Keller"
    )
    now = timezone.now()
    gifts = [
        GiftLink.objects.create(
            sender=user, article=article, created_at=now, expires_at=now + timedelta(days=30)
        )
        for article in site.fillers[:2]
    ]
    reader = signed_in(user)
    reader.gift_tokens = [gift.token for gift in gifts]
    reader.get(site.fillers[0].get_absolute_url())  # one read of the month's five counted
    return reader


@pytest.fixture
def reader_y(site: Site) -> Reader:
    """Another metered reader, who has spent more of the month's meter than X."""
    user = UserFactory(
        email="bastien.lemoine@example.org", first_name="Bastien", last_name="Lemoine"
    )
    reader = signed_in(user)
    for filler in site.fillers:
        reader.get(filler.get_absolute_url())
    return reader


def login_message(user: User) -> str:
    return f"Connexion avec {user.email} réussie."


PAGES = ("article", "home", "archive", "rubrique", "tag", "author", "events", "event", "search")


@pytest.mark.parametrize("next_visitor", ["signed_in", "anonymous"])
@pytest.mark.parametrize("page", PAGES)
def test_a_page_shows_nothing_of_the_reader_who_came_before(
    page: str, next_visitor: str, site: Site, reader_x: Reader, reader_y: Reader
) -> None:
    url = site.pages[page]
    assert reader_x.user is not None
    # X reads the article (a skeleton is made from X's visit), then opens the page under test.
    x_article = reader_x.get(site.pages["article"], message=login_message(reader_x.user))
    x_page = reader_x.get(url, message=f"Vos préférences, {reader_x.user.email}, sont à jour.")
    assert reader_x.user.display_name in x_article + x_page
    assert any(note.startswith("Il vous reste 3 ") for note in reader_x.shown), reader_x.shown

    visitor = reader_y if next_visitor == "signed_in" else Reader(Client())
    html = visitor.get(url)
    again = visitor.get(url)  # and once more: now from whatever was kept

    leaked = {secret for secret in reader_x.secrets() if secret in html + again}
    assert not leaked
    if visitor is reader_y:
        assert reader_y.user is not None
        assert reader_y.user.display_name in html


def test_a_login_message_stays_with_the_reader_who_logged_in(site: Site, reader_y: Reader) -> None:
    """The issue's report: A signs in from the paywall's link, B opens the same article next."""
    alice = UserFactory(email="alice.discrete@exemple-prive.fr", first_name="Alice")
    article_url = site.pages["article"]
    a = Client()
    login = a.post(
        reverse("account_login") + f"?next={article_url}",
        {"login": alice.email, "password": PASSWORD},
    )
    assert login.status_code == 302 and login["Location"] == article_url

    a_page = a.get(article_url).content.decode()
    b_page = reader_y.get(article_url)
    a_again = a.get(article_url).content.decode()

    assert alice.email in a_page  # allauth's "Connexion avec … réussie."
    assert alice.email not in b_page
    assert 'class="messages' not in b_page
    assert 'class="messages' not in a_again  # shown once, then gone


# --- the anonymous page cache -----------------------------------------------------------------


@pytest.mark.parametrize("cache_state", ["empty", "filled"])
def test_a_logged_out_visitor_sees_their_message_and_nobody_else_does(
    site: Site, reader_x: Reader, cache_state: str
) -> None:
    home = site.pages["home"]
    if cache_state == "filled":
        Client().get(home)
        assert Client().get(home)["X-Kiosque-Cache"] == "hit"

    logout = reader_x.client.post(reverse("account_logout"))
    assert logout.status_code == 302
    # As a browser does, forget the cookies the response expired (the session's).
    jar = reader_x.client.cookies
    for name in [name for name, morsel in jar.items() if not morsel.value]:
        del jar[name]
    assert "sessionid" not in jar and CookieStorage.cookie_name in jar
    after = reader_x.client.get(logout["Location"])
    stranger = Client().get(home)

    assert 'class="messages' in after.content.decode()  # allauth's "Vous êtes déconnecté."
    assert "no-store" in after["Cache-Control"]
    assert 'class="messages' not in stranger.content.decode()


@pytest.mark.parametrize("page", ["article", "home", "archive", "rubrique", "tag", "author"])
def test_a_pending_message_never_enters_the_shared_page(site: Site, page: str) -> None:
    url = site.pages[page]
    visitor = Client()
    queue_message(visitor, "Votre inscription à la lettre est confirmée.")

    own = visitor.get(url)
    strangers = [Client().get(url), Client().get(url)]

    assert "Votre inscription à la lettre est confirmée." in own.content.decode()
    assert "no-store" in own["Cache-Control"]
    for response in strangers:
        assert 'class="messages' not in response.content.decode()
    assert strangers[1]["X-Kiosque-Cache"] == "hit"


@pytest.mark.parametrize("view_name", ["home", "archive"])
def test_a_kept_page_holds_nothing_of_the_request_it_was_made_for(
    site: Site, reader_x: Reader, view_name: str
) -> None:
    """Rendered without the request: even a reader the cookie checks missed leaves no trace."""
    assert reader_x.user is not None
    request = RequestFactory().get(reverse(f"magazine:{view_name}"))
    request.user = reader_x.user  # signed in by some means other than the session cookie
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    messages.info(request, login_message(reader_x.user))

    made = getattr(views, view_name)(request)
    served = Client().get(reverse(f"magazine:{view_name}"))

    assert served["X-Kiosque-Cache"] == "hit"
    for html in (made.content.decode(), served.content.decode()):
        assert reader_x.user.email not in html
        assert reader_x.user.display_name not in html
        assert "csrfmiddlewaretoken" not in html


# --- the article skeleton: the same bytes whoever's visit made it --------------------------------


def _kept_skeleton(article: Article) -> str:
    """The skeleton kept from the last visit, with its random marker made a fixed one."""
    lookup = page_cache.skeleton_lookup(name=f"{article.slug}|fr")
    assert lookup is not None and isinstance(lookup.skeleton, Skeleton)
    skeleton = lookup.skeleton
    return skeleton.html.replace(skeleton.marker, "<!--slot-->")


def test_every_reader_makes_the_same_skeleton(
    site: Site, reader_x: Reader, reader_y: Reader, editor: User, subscriber: User
) -> None:
    assert reader_x.user is not None
    now = timezone.now()
    GiftLink.objects.create(
        sender=subscriber, article=site.article, created_at=now, expires_at=now + timedelta(30)
    )
    staff, gifting = signed_in(editor), signed_in(subscriber)
    visits: list[tuple[Reader, str | None]] = [
        (reader_x, login_message(reader_x.user)),  # a pending message, and gift links
        (staff, None),
        (reader_y, None),  # metered, with another count
        (gifting, f"Lien cadeau créé pour {subscriber.email}."),  # offers gift links
    ]
    skeletons = []
    for reader, message in visits:
        cache.clear()
        page_cache.forget_process_copies()
        reader.get(site.pages["article"], message=message)
        skeletons.append(_kept_skeleton(site.article))

    assert all(skeleton == skeletons[0] for skeleton in skeletons[1:])
    # Every per-reader part is a slot, each once: the skeleton holds no reader's version of it.
    assert skeletons[0].split("<!--slot-->")[1::2] == list(SLOTS)
    for reader, _message in visits:
        assert not {secret for secret in reader.secrets() if secret in skeletons[0]}
