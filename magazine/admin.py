"""The editors' newsroom: articles, rubriques, tags, authors and the image library."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.http import admin_user
from magazine import services
from magazine.forms import ArticleAdminForm, AuthorAdminForm, LibraryImageAdminForm
from magazine.images import rendition_url
from magazine.models import Article, Author, LibraryImage, Rubrique, Tag

THUMBNAIL_WIDTH = 120
BODY_IMAGE_WIDTH = 1200
THUMBNAIL_SOURCE_WIDTH = 480


def _thumbnail(url: str, alt: str) -> str:
    return format_html(
        '<img src="{}" alt="{}" width="{}" style="height:auto;max-height:90px;object-fit:cover">',
        url,
        alt,
        THUMBNAIL_WIDTH,
    )


@admin.register(Rubrique)
class RubriqueAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ("name", "role", "photo_thumbnail")
    search_fields = ("name", "role")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "role", "bio", "photo", "photo_thumbnail")
    readonly_fields = ("photo_thumbnail",)

    @admin.display(description=_("photo"))
    def photo_thumbnail(self, obj: Author) -> str:
        return _thumbnail(obj.photo.url, obj.name) if obj.photo else "—"

    def save_model(self, request: HttpRequest, obj: Author, form: ModelForm, change: bool) -> None:
        services.author_save(author=obj, form=form)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        # author_save has already saved the form's relations.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(LibraryImage)
class LibraryImageAdmin(admin.ModelAdmin):
    form = LibraryImageAdminForm
    list_display = ("thumbnail", "alt_text", "caption", "credit", "dimensions", "uploaded_at")
    list_display_links = ("thumbnail", "alt_text")
    search_fields = ("alt_text", "caption", "credit")
    date_hierarchy = "uploaded_at"
    fields = ("file", "alt_text", "caption", "credit", "preview", "urls_to_paste")
    readonly_fields = ("preview", "urls_to_paste")

    @admin.display(description=_("image"))
    def thumbnail(self, obj: LibraryImage) -> str:
        # The smallest rendition: the list must not download every original.
        url = rendition_url(obj.file, obj.width, max_width=THUMBNAIL_SOURCE_WIDTH)
        return _thumbnail(url, obj.alt_text) if url else "—"

    @admin.display(description=_("size"))
    def dimensions(self, obj: LibraryImage) -> str:
        return f"{obj.width}×{obj.height}" if obj.width and obj.height else "—"

    @admin.display(description=_("preview"))
    def preview(self, obj: LibraryImage) -> str:
        if not obj.pk or not obj.file:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-width:480px;height:auto">',
            obj.file.url,
            obj.alt_text,
        )

    @admin.display(description=_("URL to paste in the article editor"))
    def urls_to_paste(self, obj: LibraryImage) -> str:
        if not obj.pk or not obj.file:
            return str(_("Save the image first: its address appears here."))
        # A rendition rather than the original: sharp in the article column, and light.
        url = rendition_url(obj.file, obj.width, max_width=BODY_IMAGE_WIDTH) or obj.file.url
        return format_html(
            '<input type="text" readonly value="{}" size="80" class="vTextField" '
            'aria-label="{}"><p class="help">{}</p>'
            '<p class="help">{} <a href="{}">{}</a></p>',
            url,
            _("Image URL"),
            _(
                "In the article body, use the “figure” button and paste this address as "
                "the image URL; repeat the alternative text there and add the caption and "
                "credit."
            ),
            _("Original file:"),
            obj.file.url,
            obj.file.url,
        )

    def save_model(
        self, request: HttpRequest, obj: LibraryImage, form: ModelForm, change: bool
    ) -> None:
        services.library_image_save(image=obj, form=form)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        # library_image_save has already saved the form's relations.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/magazine/article/change_form.html"
    fieldsets = (
        (_("Content"), {"fields": ("title", "slug", "lead", "body")}),
        (
            _("Publication"),
            {"fields": ("status", "published_at", "rubrique", "access", "featured")},
        ),
        (_("People and links"), {"fields": ("authors", "tags", "related")}),
        (
            _("Hero image"),
            {"fields": ("hero_image", "hero_alt", "hero_caption", "hero_credit")},
        ),
        (_("SEO"), {"classes": ("collapse",), "fields": ("seo_title", "seo_description")}),
    )
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("authors", "tags", "related")
    list_display = (
        "title",
        "rubrique",
        "publication_status",
        "published_at",
        "access",
        "featured",
    )
    list_filter = ("status", "access", "rubrique", "featured", "tags")
    list_select_related = ("rubrique",)
    search_fields = ("title", "lead", "slug")
    date_hierarchy = "published_at"
    actions = ("publish_now", "unpublish")
    save_on_top = True

    @admin.display(description=_("status"), ordering="status")
    def publication_status(self, obj: Article) -> str:
        return obj.display_status

    def view_on_site(self, obj: Article) -> str | None:  # type: ignore[override]
        # Readers get a 404 until the article is live: offer the preview instead (see template).
        return obj.get_absolute_url() if obj.is_live else None

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Article], search_term: str
    ) -> tuple[QuerySet[Article], bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if own_pk := self._article_being_edited(request):
            queryset = queryset.exclude(pk=own_pk)
        return queryset, may_have_duplicates

    @staticmethod
    def _article_being_edited(request: HttpRequest) -> str | None:
        # The "related articles" autocomplete must not offer the article itself. Its AJAX request
        # only names the field, so the article comes from the change page that sent it; the
        # form's clean_related enforces the rule whatever is posted.
        if request.GET.get("field_name") != "related" or request.GET.get("model_name") != "article":
            return None
        try:
            match = resolve(urlsplit(request.headers.get("referer", "")).path)
        except Resolver404:
            return None
        if match.url_name == "magazine_article_change":
            return str(match.kwargs.get("object_id"))
        return None

    def save_model(self, request: HttpRequest, obj: Article, form: ModelForm, change: bool) -> None:
        services.article_save(article=obj, form=form, user=admin_user(request))

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        # article_save has already saved the form's relations, in the same transaction.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # The delete page and the "delete selected" action: what readers were given goes too.
    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        services.article_delete(articles=Article.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        services.article_delete(articles=queryset)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = extra_context or {}
        # The id comes from the address: a forged one finds no article (the admin then says so)
        # rather than break reverse().
        article = self.get_object(request, unquote(object_id))
        if article is not None and request.user.has_perm("magazine.preview_article"):
            extra_context["preview_url"] = reverse(
                "magazine:article_preview", kwargs={"pk": article.pk}
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Publish now"), permissions=["change"])
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = services.article_publish(articles=queryset)
        self.message_user(
            request,
            ngettext("%(count)d article published.", "%(count)d articles published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = services.article_unpublish(articles=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d article sent back to draft.",
                "%(count)d articles sent back to draft.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
