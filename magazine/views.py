"""The public reading site: thin views over magazine.selectors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from magazine import selectors
from magazine.models import Article, Author, Rubrique, Tag
from magazine.search import normalize_query, search_snippet

PREVIEW_PERMISSION = "magazine.preview_article"


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
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "magazine/home.html", {"home": selectors.home_page()})


@require_safe
def archive(request: HttpRequest) -> HttpResponse:
    context = _listing(request, selectors.listing_articles())
    return render(request, "magazine/archive.html", context)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = normalize_query(request.GET.get("q"))
    page = _page(request, selectors.search_results(query)) if query else None
    results = [(article, search_snippet(article)) for article in page] if page else []
    return render(
        request, "magazine/search.html", {"query": query, "page": page, "results": results}
    )


@require_safe
def rubrique_detail(request: HttpRequest, slug: str) -> HttpResponse:
    rubrique = get_object_or_404(Rubrique, slug=slug)
    context = _listing(request, selectors.rubrique_articles(rubrique), rubrique=rubrique)
    return render(request, "magazine/rubrique_detail.html", context)


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    context = _listing(request, selectors.tag_articles(tag), tag=tag)
    return render(request, "magazine/tag_detail.html", context)


@require_safe
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    context = _listing(request, selectors.author_articles(author), author=author)
    return render(request, "magazine/author_detail.html", context)


def _render_article(request: HttpRequest, article: Article, *, preview: bool) -> HttpResponse:
    context: dict[str, Any] = {
        "article": article,
        "read_also": selectors.read_also(article),
        "preview": preview,
        "canonical_path": article.get_absolute_url(),
    }
    return render(request, "magazine/article_detail.html", context)


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.published_article(slug=slug)
    if article is None:
        # Drafts and articles scheduled for later do not exist for readers, staff included.
        raise Http404(_("No article found at this address."))
    return _render_article(request, article, preview=False)


@require_safe
def article_preview(request: HttpRequest, pk: int) -> HttpResponse:
    # 404 rather than 403 or a login redirect: the address must not confirm that a draft exists.
    if not request.user.has_perm(PREVIEW_PERMISSION):
        raise Http404(_("No article found at this address."))
    article = selectors.previewable_article(pk=pk)
    if article is None:
        raise Http404(_("No article found at this address."))
    response = _render_article(request, article, preview=True)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /apercu/",
        "Disallow: /en/apercu/",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the database may be the very thing that failed.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"SITE_NAME": settings.SITE_NAME}))
