from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import include, path, re_path
from django.views.i18n import set_language
from django.views.static import serve as serve_static

from config import health
from magazine import views as magazine_views

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "Kiosque"

handler400 = "magazine.views.bad_request"
handler404 = "magazine.views.page_not_found"
handler500 = "magazine.views.server_error"
# allauth's rate limits answer through this one too (allauth.core.ratelimit.respond_429).
handler429 = "accounts.views.too_many_requests"

# Staff log in through allauth, so that two-factor authentication applies to the admin too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("robots.txt", magazine_views.robots_txt, name="robots_txt"),
    path("", include("magazine.seo_urls")),
    path("newsletters/", include("newsletters.unsubscribe_urls")),
    path("stripe/", include("subscriptions.stripe_urls")),
]

# The development app stands in for Stripe's hosted pages; installed only with STRIPE_SIMULATOR
# on (config/settings.py), and by the test suite, which turns the simulator on per test.
simulator_pages = (
    [path("abonnement/simulateur/", include("stripe_simulator.urls"))]
    if apps.is_installed("stripe_simulator")
    else []
)

urlpatterns += i18n_patterns(
    *simulator_pages,
    path("compte/", include("accounts.urls")),
    path("compte/", include("allauth.urls")),
    path("lettres/", include("newsletters.urls")),
    # Before the magazine's catch-all article slug, which would otherwise take "abonnement/".
    path("abonnement/", include("subscriptions.billing_urls")),
    path("abonnement/", include("paywall.urls")),
    path("evenements/", include("events.urls")),
    path("", include("magazine.urls")),
    prefix_default_language=False,
)


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded media, in development and tests only (production uses object storage)."""
    try:
        return serve_static(request, path, document_root=str(settings.MEDIA_ROOT))
    except OSError:
        # A name the filesystem refuses (too long, say) names no file either.
        raise Http404(path) from None


if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve_media)]
