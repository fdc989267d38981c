from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import EmailField
from core.network import client_ip
from newsletters.models import Newsletter


def _public_newsletters() -> Any:
    return Newsletter.objects.filter(public=True)


class SubscribeForm(forms.Form):
    email = EmailField(label=_("Email address"))
    newsletters = forms.ModelMultipleChoiceField(
        label=_("Newsletters"),
        queryset=Newsletter.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one newsletter.")},
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please tick the box to agree to receive the newsletters.")},
    )

    def __init__(self, *args: Any, consent_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].queryset = _public_newsletters()  # type: ignore[attr-defined]
        self.fields["consent"].label = consent_label


class PreferencesForm(forms.Form):
    newsletters = forms.ModelMultipleChoiceField(
        label=_("I want to receive"),
        queryset=Newsletter.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].queryset = _public_newsletters()  # type: ignore[attr-defined]


class SignupNewslettersForm(forms.Form):
    """Extra fields of allauth's signup form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    newsletters = forms.ModelMultipleChoiceField(
        label=_("Newsletters (optional)"),
        queryset=Newsletter.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("We will email you a link to confirm. You can unsubscribe at any time."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].queryset = _public_newsletters()  # type: ignore[attr-defined]

    def signup(self, request: Any, user: Any) -> None:
        from newsletters import services

        chosen = list(self.cleaned_data.get("newsletters") or [])
        if chosen:
            services.subscription_request(
                email=user.email,
                newsletters=chosen,
                source="signup",
                ip=client_ip(request),
                user=user,
            )


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Send at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ImportForm(forms.Form):
    newsletter = forms.ModelChoiceField(label=_("Newsletter"), queryset=Newsletter.objects.all())
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email (required), consent_at and consent_ip (optional). Only import "
            "addresses whose owners agreed to receive this newsletter."
        ),
    )
    source_note = forms.CharField(
        label=_("Where the consent was collected"),
        max_length=500,
        help_text=_("Kept with each consent record, e.g. “ECTFF 2025 registration form”."),
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; split it."))
        raw = upload.read()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("Save the file as UTF-8 CSV and try again.")) from exc
