"""The public reading site: thin views over magazine.selectors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.site import site_url
from magazine import page_cache, selectors
from magazine.models import Article, Author, Rubrique, Tag
from magazine.reading import Reading, reading_for
from magazine.search import normalize_query, search_snippet
from magazine.slots import SLOT_TEMPLATES, reader_slots
from magazine.templatetags.magazine_tags import absolute_url, sanitize
from subscriptions.paywall import (
    PREVIEW_PERMISSION,
    AccessDecision,
    Ground,
    article_access,
    reader_access,
    subscription_offer,
)


def _page(request: HttpRequest, queryset: QuerySet[Article]) -> Page:
    paginator = Paginator(queryset, settings.KIOSQUE_ARTICLES_PER_PAGE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404(_("This page of results does not exist.")) from exc


def _listing(request: HttpRequest, queryset: QuerySet[Article], **context: Any) -> dict[str, Any]:
    page = _page(request, queryset)
    # Each page of a list is its own canonical document; page 1 has no query string.
    canonical_path = request.path if page.number == 1 else f"{request.path}?page={page.number}"
    return {"page": page, "canonical_path": canonical_path, **context}


@require_safe
@page_cache.anonymous_page()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "magazine/home.html", {"home": selectors.home_page()})


@require_safe
@page_cache.anonymous_page(params=("page",))
def archive(request: HttpRequest) -> HttpResponse:
    context = _listing(request, selectors.listing_articles())
    return render(request, "magazine/archive.html", context)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = normalize_query(request.GET.get("q"))
    page = _page(request, selectors.search_results(query, request=request)) if query else None
    results = [(article, search_snippet(article)) for article in page] if page else []
    response = render(
        request, "magazine/search.html", {"query": query, "page": page, "results": results}
    )
    # Subscribers find articles by words of their body: such a result list is theirs alone.
    return page_cache.make_private(response)


@require_safe
@page_cache.anonymous_page(params=("page",))
def rubrique_detail(request: HttpRequest, slug: str) -> HttpResponse:
    rubrique = get_object_or_404(Rubrique, slug=slug)
    context = _listing(request, selectors.rubrique_articles(rubrique), rubrique=rubrique)
    return render(request, "magazine/rubrique_detail.html", context)


@require_safe
@page_cache.anonymous_page(params=("page",))
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    context = _listing(request, selectors.tag_articles(tag), tag=tag)
    return render(request, "magazine/tag_detail.html", context)


@require_safe
@page_cache.anonymous_page(params=("page",))
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    context = _listing(request, selectors.author_articles(author), author=author)
    return render(request, "magazine/author_detail.html", context)


def _article_context(
    request: HttpRequest, article: Article, reading: Reading, *, preview: bool
) -> dict[str, Any]:
    return {
        "article": article,
        "reading": reading,
        "decision": reading.decision,
        # Sanitised once per body (the filter keeps recent results): what the page shows.
        "body_open": mark_safe(sanitize(reading.open_html)),
        "body_paywalled": mark_safe(sanitize(reading.paywalled_html)),
        # Only a wall shows the priced offer (one query); other pages carry the plain invitation.
        "offer": subscription_offer() if reading.paywalled else None,
        "read_also": selectors.read_also(article),
        "preview": preview,
        "canonical_path": article.get_absolute_url(),
    }


def _anonymous_decision(article: Article) -> AccessDecision:
    # The caller has checked that no licensed IP range covers this visitor and that there is no
    # gift token or session: the answer is the one every anonymous visitor gets.
    return article_access(article=article, user=None, client_ip=None)


# Rendered per reader into an article page's skeleton (magazine.slots).
SKELETON_SLOTS = tuple(SLOT_TEMPLATES)
# Only ``allowed`` matters to reading_for: the parts an entitled reader gets, to keep for later.
_ENTITLED = AccessDecision(True, Ground.NONE, None, "skeleton")


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    lookup = page_cache.anonymous_lookup(request)
    if lookup is None:
        return _reader_article_detail(request, slug)
    if lookup.page is not None:
        return lookup.page
    article = _live_article(slug)
    decision = _anonymous_decision(article)
    reading = reading_for(article, decision)
    response = render(
        request,
        "magazine/article_detail.html",
        _article_context(request, article, reading, preview=False),
    )
    if decision.cacheable_for_anonymous:
        return page_cache.store_page(lookup, request, response)
    return page_cache.make_private(response)


def _reader_article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A page nobody else may receive: what every reader sees comes from a skeleton."""
    head = page_cache.published_article_head(slug=slug)
    if head is None:
        # Drafts and articles scheduled for later do not exist for readers, staff included.
        raise Http404(_("No article found at this address."))
    lookup = page_cache.skeleton_lookup(article_id=head.pk, updated_at=head.updated_at)
    skeleton = lookup.skeleton if lookup is not None else None
    article = head
    if skeleton is None:
        article = _live_article(slug)
        skeleton = _article_skeleton(request, article)
        if lookup is not None and article.updated_at == head.updated_at:
            page_cache.skeleton_store(lookup, skeleton)
    # Decided on the very version the skeleton was made from. The article page is the only
    # channel that spends (or reports) the monthly meter.
    decision = reader_access(request, article, consume_meter=True)
    # As reading_for: the paywalled part only when the decision allows it.
    paywalled_html = skeleton.paywalled_html if decision.allowed else ""
    reading = Reading(decision, skeleton.open_html, paywalled_html)
    slots = reader_slots(
        request,
        article=article,
        reading=reading,
        body_open=skeleton.open_html,
        body_paywalled=paywalled_html,
        offer=subscription_offer() if reading.paywalled else None,
        canonical_path=skeleton.canonical_path or article.get_absolute_url(),
    )
    html = skeleton.fill(slots)
    return page_cache.make_private(HttpResponse(html))


def _article_skeleton(request: HttpRequest, article: Article) -> page_cache.Skeleton:
    entitled = reading_for(article, _ENTITLED)
    marker = page_cache.new_marker()
    canonical_path = article.get_absolute_url()
    context = {
        "article": article,
        "read_also": selectors.read_also(article),
        "preview": False,
        "canonical_path": canonical_path,
        "skeleton_slots": {name: page_cache.slot(marker, name) for name in SKELETON_SLOTS},
    }
    return page_cache.Skeleton(
        html=render_to_string("magazine/article_detail.html", context, request),
        marker=marker,
        open_html=sanitize(entitled.open_html),
        paywalled_html=sanitize(entitled.paywalled_html),
        canonical_path=canonical_path,
    )


def _live_article(slug: str) -> Article:
    article = selectors.published_article(slug=slug)
    if article is None:
        # Drafts and articles scheduled for later do not exist for readers, staff included.
        raise Http404(_("No article found at this address."))
    return article


@require_safe
def article_print(request: HttpRequest, slug: str) -> HttpResponse:
    """The article page laid out for paper: same decision (the page's, meter included)."""
    article = _live_article(slug)
    reading = reading_for(article, reader_access(request, article, consume_meter=True))
    context = _article_context(request, article, reading, preview=False)
    response = render(request, "magazine/article_print.html", context)
    return page_cache.make_private(response)


@require_safe
def article_json(request: HttpRequest, slug: str) -> JsonResponse:
    """Title, lead, link and access; the body only when the paywall allows this reader."""
    article = _live_article(slug)
    decision = reader_access(request, article, consume_meter=False)
    reading = reading_for(article, decision)
    data: dict[str, Any] = {
        "title": article.title,
        "lead": article.lead,
        "url": absolute_url(article.get_absolute_url()),
        "access": article.access,
        "paywalled": reading.paywalled,
        "reason": decision.reason_code,
        "message": decision.message,
    }
    if reading.paywalled:
        data["teaser_html"] = sanitize(reading.open_html)
    else:
        data["body_html"] = sanitize(article.body)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    page_cache.make_private(response)
    return response


@require_safe
def article_preview(request: HttpRequest, pk: int) -> HttpResponse:
    # 404 rather than 403 or a login redirect: the address must not confirm that a draft exists.
    if not request.user.has_perm(PREVIEW_PERMISSION):
        raise Http404(_("No article found at this address."))
    article = selectors.previewable_article(pk=pk)
    if article is None:
        raise Http404(_("No article found at this address."))
    reading = reading_for(article, reader_access(request, article, consume_meter=False))
    response = render(
        request,
        "magazine/article_detail.html",
        _article_context(request, article, reading, preview=True),
    )
    return page_cache.make_private(response)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /apercu/",
        "Disallow: /en/apercu/",
        f"Sitemap: {site_url()}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the database may be the very thing that failed.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"SITE_NAME": settings.SITE_NAME}))
