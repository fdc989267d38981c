"""Forms of the editors' newsroom (used by magazine.admin)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from magazine.images import validate_image_upload
from magazine.models import Article, Author, LibraryImage


class SafeImageField(forms.ImageField):
    """An image upload checked by magazine.images before Pillow decodes it for Django.

    Django's own ImageField opens the file first and answers every problem with one vague
    message; running our validator first gives editors the precise reason (too heavy, too many
    pixels, SVG, truncated…).
    """

    def to_python(self, data: Any) -> Any:
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        validate_image_upload(upload)
        return super().to_python(data)


def _wide_input() -> forms.TextInput:
    # The admin's default text input is 20em wide: titles, alt texts and captions are sentences.
    return forms.TextInput(attrs={"class": "vTextField vLargeTextField"})


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 -- the admin chooses the fields (fieldsets)
        field_classes = {"hero_image": SafeImageField}
        widgets = {
            name: _wide_input()
            for name in ("title", "slug", "hero_alt", "hero_caption", "hero_credit", "seo_title")
        }
        error_messages = {
            "authors": {
                "required": _("Choose at least one author (the newsroom itself can be an author)."),
            },
        }

    # Django's autocomplete widget re-renders submitted ids with a raw queryset filter, so a
    # forged non-numeric id would crash the page instead of giving a form error.
    RELATION_FIELDS = ("rubrique", "authors", "tags", "related")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._forged_fields: list[str] = []
        # Submitted data is a QueryDict (a MultiValueDict); a plain dict has no lists to clean.
        if self.is_bound and isinstance(self.data, MultiValueDict):
            data = self.data.copy()
            for name in self.RELATION_FIELDS:
                values = data.getlist(name)
                numeric = [value for value in values if value.strip().isdigit()]
                if numeric != values:
                    data.setlist(name, numeric)
                    self._forged_fields.append(name)
            self.data = data

    def clean_related(self) -> Any:
        related = self.cleaned_data.get("related")
        if (
            related is not None
            and self.instance.pk
            and any(article.pk == self.instance.pk for article in related)
        ):
            raise forms.ValidationError(
                _("An article cannot be listed among its own related articles.")
            )
        return related

    def clean(self) -> dict[str, Any]:
        for name in self._forged_fields:
            self.add_error(name, _("Select a valid choice: this one does not exist."))
        cleaned = super().clean() or self.cleaned_data
        self._clean_publication(cleaned)
        self._clean_hero_alt(cleaned)
        return cleaned

    def _clean_publication(self, cleaned: dict[str, Any]) -> None:
        status = cleaned.get("status")
        published_at = cleaned.get("published_at")
        if status != Article.Status.SCHEDULED or "published_at" in self.errors:
            # A published article without a time is published now: see services.article_save.
            return
        if published_at is None:
            self.add_error(
                "published_at", _("A scheduled article needs a publication date and time.")
            )
        elif published_at <= timezone.now() and (
            "published_at" in self.changed_data or "status" in self.changed_data
        ):
            # Only when the editor sets it: a scheduled piece whose time has come is live, and
            # fixing a typo in it must not demand a new date.
            self.add_error(
                "published_at",
                _(
                    "A scheduled article must have a publication time in the future; "
                    "choose “Published” to publish it now."
                ),
            )

    def _clean_hero_alt(self, cleaned: dict[str, Any]) -> None:
        hero_image = cleaned.get("hero_image")
        # False means "clear" was ticked; None with an instance file means "keep the current one".
        has_image = bool(hero_image) if hero_image is not None else bool(self.instance.hero_image)
        if (
            has_image
            and not (cleaned.get("hero_alt") or "").strip()
            and not self.errors.get("hero_image")
        ):
            self.add_error(
                "hero_alt",
                _(
                    "Describe the hero image for readers who cannot see it "
                    "(required when there is an image)."
                ),
            )


class AuthorAdminForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = "__all__"  # noqa: DJ007 -- the admin chooses the fields (fieldsets)
        field_classes = {"photo": SafeImageField}


class LibraryImageAdminForm(forms.ModelForm):
    class Meta:
        model = LibraryImage
        fields = "__all__"  # noqa: DJ007 -- the admin chooses the fields (fieldsets)
        field_classes = {"file": SafeImageField}
        widgets = {name: _wide_input() for name in ("alt_text", "caption", "credit")}
        error_messages = {
            "alt_text": {
                "required": _("Describe the image for readers who cannot see it."),
            },
        }
