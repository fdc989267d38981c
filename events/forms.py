"""Registration and waiting-list forms; custom questions come from the event."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Event, Question

AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "email": "email",
    "company": "organization",
    "job_title": "organization-title",
}


class RegistrationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Email"))
    company = forms.CharField(label=_("Company"), max_length=150, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    discount_code = forms.CharField(
        label=_("Discount or invitation code"), max_length=40, required=False
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the organisers process these details to manage my registration. "
            "They are erased after the event."
        ),
        error_messages={"required": _("Please accept the processing of your data to register.")},
    )

    def __init__(
        self, *args: Any, event: Event, questions: list[Question], with_code: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.questions = questions
        if not with_code:
            del self.fields["discount_code"]
        consent = self.fields.pop("consent")
        for question in questions:
            self.fields[self.question_field(question)] = self._question_field(question)
        self.fields["consent"] = consent
        for name, hint in AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = hint

    @staticmethod
    def question_field(question: Question) -> str:
        return f"question_{question.pk}"

    @staticmethod
    def _question_field(question: Question) -> forms.Field:
        if question.kind == Question.Kind.CHOICE:
            return forms.ChoiceField(
                label=question.label,
                required=question.required,
                choices=[("", "—"), *[(choice, choice) for choice in question.choice_list]],
            )
        if question.kind == Question.Kind.CHECKBOX:
            return forms.BooleanField(label=question.label, required=question.required)
        return forms.CharField(
            label=question.label,
            required=question.required,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def answers(self) -> dict[str, Any]:
        """Answers keyed by question id, with the label kept for exports after edits."""
        return {
            str(question.pk): {
                "label": question.label,
                "value": self.cleaned_data.get(self.question_field(question)),
            }
            for question in self.questions
        }

    def question_fields(self) -> list[forms.BoundField]:
        return [self[self.question_field(question)] for question in self.questions]


class WaitlistForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Email"))


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("Ticket code"), max_length=20)


class CancellationForm(forms.Form):
    """Why staff cancel registrations (kept in each one's audit trail)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept in the audit trail of each registration and erased with the attendee's data. "
            "Write no personal data here."
        ),
    )
