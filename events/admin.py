"""Organisers' admin: events, programme, tickets, attendees, waiting lists and messages."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.http import admin_user
from events import selectors, services
from events.forms import CancellationForm
from events.models import (
    DiscountCode,
    Event,
    EventMessage,
    Question,
    Registration,
    RegistrationLog,
    Session,
    Speaker,
    TicketType,
    Venue,
    WaitlistEntry,
)
from events.templatetags.events_tags import price

NOTIFIED_FIELDS = ("starts_at", "ends_at", "venue", "status")


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "address")
    search_fields = ("name", "city", "address")


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ("name", "role", "company")
    search_fields = ("name", "company", "role")
    prepopulated_fields = {"slug": ("name",)}


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    autocomplete_fields = ("speakers", "writeup_article")
    fields = (
        ("title", "kind"),
        ("starts_at", "ends_at"),
        ("room", "track", "capacity"),
        "speakers",
        "description",
        "writeup_article",
    )


class TicketTypeInline(admin.StackedInline):
    model = TicketType
    extra = 0
    fields = (
        ("name", "position", "is_active"),
        "description",
        ("session", "capacity"),
        ("price_cents", "subscriber_price_cents", "currency"),
        ("access", "subscriber_opens_at"),
    )


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("position", "label", "kind", "choices", "required")


class DiscountCodeInline(admin.TabularInline):
    model = DiscountCode
    extra = 0
    fields = (
        "code",
        "percent_off",
        "unlocks_invitation",
        "max_uses",
        "valid_until",
        "ticket_types",
    )
    filter_horizontal = ("ticket_types",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("__str__", "starts_at", "venue", "status", "is_published", "attendees_link")
    list_filter = ("status", "is_published")
    search_fields = ("name", "edition", "summary")
    prepopulated_fields = {"slug": ("name", "edition")}
    autocomplete_fields = ("venue", "announced_in")
    date_hierarchy = "starts_at"
    list_select_related = ("venue",)
    inlines = (SessionInline, TicketTypeInline, QuestionInline, DiscountCodeInline)
    readonly_fields = ("fill_rates", "desk_links")
    actions = ("cancel_events", "offer_free_seats")
    fieldsets = (
        (None, {"fields": ("name", "slug", "edition", "summary", "description")}),
        (_("Image"), {"fields": ("image", "image_alt")}),
        (_("Date and place"), {"fields": (("starts_at", "ends_at"), "venue", "status")}),
        (
            _("Registration"),
            {
                "fields": (
                    "is_published",
                    ("registration_opens_at", "registration_closes_at"),
                    "refund_days_before",
                    "organiser_email",
                )
            },
        ),
        (_("Announced in"), {"fields": ("announced_in",)}),
        (_("Seats and desk"), {"fields": ("fill_rates", "desk_links")}),
    )

    @admin.display(description=_("attendees"))
    def attendees_link(self, event: Event) -> str:
        url = reverse("admin:events_registration_changelist") + f"?event__id__exact={event.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Attendees"))

    @admin.display(description=_("desk"))
    def desk_links(self, event: Event) -> str:
        if not event.pk:
            return "—"
        attendees = (
            reverse("admin:events_registration_changelist") + f"?event__id__exact={event.pk}"
        )
        waitlist = (
            reverse("admin:events_waitlistentry_changelist")
            + f"?ticket_type__event__id__exact={event.pk}"
        )
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            attendees,
            _("Attendee list"),
            waitlist,
            _("Waiting list"),
            reverse("events:checkin", args=[event.slug]),
            _("Check-in desk"),
            event.get_absolute_url(),
            _("Public page"),
        )

    @admin.display(description=_("fill rates"))
    def fill_rates(self, event: Event) -> str:
        if not event.pk:
            return "—"
        rows = selectors.fill_rates(event)
        if not rows:
            return str(_("No ticket type yet."))
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>{}</th></tr>",
            _("Ticket"),
            _("Capacity"),
            _("Confirmed"),
            _("Held"),
            _("Awaiting approval"),
            _("Waiting list"),
            _("Checked in"),
            _("Fill rate"),
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td></tr>",
            (
                (
                    row["ticket_type"].name,
                    row["capacity"] if row["capacity"] is not None else "∞",
                    row["confirmed"],
                    row["held"],
                    row["pending"],
                    row["waiting"],
                    row["checked_in"],
                    f"{row['fill_rate']} %" if row["fill_rate"] is not None else "—",
                )
                for row in rows
            ),
        )
        return format_html("<table>{}{}</table>", header, body)

    def save_model(self, request: HttpRequest, obj: Event, form: ModelForm, change: bool) -> None:
        changed = [name for name in NOTIFIED_FIELDS if change and name in form.changed_data]
        cancelling = "status" in changed and obj.status == Event.Status.CANCELLED
        if cancelling:
            obj.status = form.initial.get("status", Event.Status.SCHEDULED)
        super().save_model(request, obj, form, change)
        if cancelling:
            # Cancelling refunds and tells everyone: the service does it, once, after saving.
            transaction.on_commit(lambda: services.event_cancel(event=obj, actor=request.user))
            messages.warning(request, _("The event is cancelled: attendees are told and refunded."))
        elif changed:
            # Owed in the admin's transaction with the change itself (core.outbox).
            services.event_change_notify(event=obj, changes=changed)
            messages.info(request, _("Registered attendees are told of the change by email."))

    @admin.action(description=_("Cancel the selected events (refund and tell attendees)"))
    def cancel_events(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            services.event_cancel(event=event, actor=request.user)
        self.message_user(request, _("Events cancelled."), messages.WARNING)

    @admin.action(description=_("Offer free seats to the waiting list now"))
    def offer_free_seats(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        offered = 0
        for event in queryset:
            for ticket_type in event.ticket_types.all():
                offered += len(services.waitlist_offers_make(ticket_type=ticket_type))
        self.message_user(request, _("%(count)d offers sent.") % {"count": offered})


class CheckedInFilter(admin.SimpleListFilter):
    title = _("checked in")
    parameter_name = "checked_in"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", str(_("Yes"))), ("no", str(_("No")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(checked_in_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(checked_in_at__isnull=True)
        return queryset


class RegistrationLogInline(admin.TabularInline):
    model = RegistrationLog
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_status", "to_status", "actor", "detail")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


CSV_COLUMNS = (
    ("reference", _("Reference")),
    ("status", _("Status")),
    ("ticket", _("Ticket")),
    ("first_name", _("First name")),
    ("last_name", _("Last name")),
    ("email", _("Email")),
    ("company", _("Company")),
    ("job_title", _("Job title")),
    ("price", _("Price")),
    ("subscriber", _("Subscriber")),
    ("registered_at", _("Registered at")),
    ("checked_in_at", _("Checked in at")),
)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "full_name",
        "email",
        "company",
        "ticket_type",
        "status",
        "amount",
        "checked_in_at",
        "created_at",
    )
    list_filter = ("event", "status", "ticket_type", CheckedInFilter, "is_subscriber")
    search_fields = ("reference", "first_name", "last_name", "email", "company")
    list_select_related = ("ticket_type", "event")
    date_hierarchy = "created_at"
    inlines = (RegistrationLogInline,)
    actions = (
        "export_csv",
        "approve",
        "reject",
        "cancel_per_policy",
        "cancel_with_refund",
        "retry_refund",
    )
    fields = (
        ("reference", "status"),
        ("event", "ticket_type"),
        ("first_name", "last_name"),
        ("email", "user"),
        ("company", "job_title"),
        "answers",
        ("price_cents", "currency", "discount_code", "is_subscriber"),
        ("hold_expires_at", "paid_at"),
        ("refunded_cents", "refunded_at"),
        ("consent_at", "checked_in_at", "checked_in_by"),
        ("created_at", "cancelled_at", "anonymised_at"),
    )
    readonly_fields = (
        "reference",
        "status",
        "event",
        "ticket_type",
        "user",
        "price_cents",
        "currency",
        "discount_code",
        "is_subscriber",
        "hold_expires_at",
        "paid_at",
        "refunded_cents",
        "refunded_at",
        "consent_at",
        "checked_in_at",
        "checked_in_by",
        "created_at",
        "cancelled_at",
        "anonymised_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Seats are only taken through the service, under its lock.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, registration: Registration) -> str:
        return registration.full_name

    @admin.display(description=_("price"), ordering="price_cents")
    def amount(self, registration: Registration) -> str:
        return (
            price(registration.price_cents, registration.currency)
            if registration.price_cents
            else "—"
        )

    def save_model(
        self, request: HttpRequest, obj: Registration, form: ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            services.log_change(
                obj,
                action="edited",
                from_status=obj.status,
                actor=request.user,
                detail="fields=" + ",".join(form.changed_data),
            )

    @admin.action(description=_("Export to CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Registration]) -> HttpResponse:
        registrations = list(queryset.select_related("ticket_type").order_by("last_name"))
        questions: dict[str, str] = {}
        for registration in registrations:
            for key, answer in (registration.answers or {}).items():
                if isinstance(answer, dict):
                    questions.setdefault(key, str(answer.get("label", key)))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="inscrits-{stamp}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 correctly only with the BOM
        writer = csv.writer(response)
        writer.writerow([str(label) for _key, label in CSV_COLUMNS] + list(questions.values()))
        for registration in registrations:
            answers = registration.answers or {}
            writer.writerow(
                [
                    registration.reference,
                    registration.get_status_display(),
                    registration.ticket_type.name,
                    registration.first_name,
                    registration.last_name,
                    registration.email,
                    registration.company,
                    registration.job_title,
                    f"{registration.price_cents / 100:.2f}",
                    _("yes") if registration.is_subscriber else _("no"),
                    timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(registration.checked_in_at).strftime("%Y-%m-%d %H:%M")
                    if registration.checked_in_at
                    else "",
                ]
                + [_csv_answer(answers.get(key)) for key in questions]
            )
        return response

    @admin.action(description=_("Approve the selected requests"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        done, full = 0, 0
        for registration in queryset.filter(status=Registration.Status.PENDING_APPROVAL):
            try:
                services.registration_approve(registration=registration, actor=request.user)
                done += 1
            except services.RegistrationRefused:
                full += 1
        self.message_user(
            request,
            _("%(done)d approved, %(full)d refused: no seat left.") % {"done": done, "full": full},
        )

    @admin.action(description=_("Reject the selected requests"))
    def reject(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        for registration in queryset.filter(status=Registration.Status.PENDING_APPROVAL):
            services.registration_reject(registration=registration, actor=request.user)
        self.message_user(request, _("Requests rejected."))

    @admin.action(
        description=_("Cancel (refund according to the event's policy)"), permissions=["change"]
    )
    def cancel_per_policy(
        self, request: HttpRequest, queryset: QuerySet[Registration]
    ) -> HttpResponse | None:
        return self._cancel(request, queryset, full_refund=False)

    @admin.action(description=_("Cancel and refund in full"), permissions=["change"])
    def cancel_with_refund(
        self, request: HttpRequest, queryset: QuerySet[Registration]
    ) -> HttpResponse | None:
        return self._cancel(request, queryset, full_refund=True)

    def _cancel(
        self, request: HttpRequest, queryset: QuerySet[Registration], *, full_refund: bool
    ) -> HttpResponse | None:
        """Ask for the reason first (an intermediate page), then cancel and refund."""
        form = CancellationForm(request.POST if "reason" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Cancel registrations"),
                "form": form,
                "registrations": list(queryset.select_related("ticket_type")),
                "action": request.POST.get("action", ""),
                "select_across": request.POST.get("select_across", "0"),
                "full_refund": full_refund,
            }
            return TemplateResponse(request, "admin/events/registration/cancel.html", context)
        count, refused = 0, []
        for registration in queryset.filter(status__in=Registration.ACTIVE_STATUSES):
            try:
                services.registration_cancel(
                    registration=registration,
                    actor=request.user,
                    by_organiser=True,
                    full_refund=full_refund,
                    reason=form.cleaned_data["reason"],
                )
            except services.RegistrationRefused as exc:
                refused.append(f"{registration.reference}: {exc.message}")
                continue
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d registration cancelled.", "%(count)d registrations cancelled.", count
            )
            % {"count": count},
        )
        for message in refused:
            self.message_user(request, message, messages.ERROR)
        return None

    @admin.action(description=_("Retry failed refunds"))
    def retry_refund(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        failed = 0
        for registration in queryset.filter(
            status=Registration.Status.CANCELLED, paid_at__isnull=False, refunded_cents=0
        ):
            amount = services.refund_due(registration, full_refund=True, now=timezone.now())
            if not services.registration_refund(
                registration=registration, amount_cents=amount, actor=request.user
            ):
                failed += 1
        level = messages.ERROR if failed else messages.SUCCESS
        self.message_user(
            request, _("Refunds retried; %(failed)d failed.") % {"failed": failed}, level
        )


def _csv_answer(answer: Any) -> str:
    value = answer.get("value") if isinstance(answer, dict) else answer
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    return "" if value is None else str(value)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "email",
        "ticket_type",
        "priority",
        "status",
        "offer_expires_at",
        "created_at",
    )
    list_filter = ("ticket_type__event", "status", "ticket_type")
    list_editable = ("priority",)
    search_fields = ("first_name", "last_name", "email")
    list_select_related = ("ticket_type__event",)
    readonly_fields = ("status", "offer_expires_at", "ticket_type", "user", "created_at")
    fields = (
        "ticket_type",
        ("first_name", "last_name"),
        ("email", "user"),
        "priority",
        ("status", "offer_expires_at"),
        "created_at",
    )
    actions = ("remove_from_list",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Remove from the waiting list"))
    def remove_from_list(self, request: HttpRequest, queryset: QuerySet[WaitlistEntry]) -> None:
        for entry in queryset:
            services.waitlist_leave(entry=entry)
        self.message_user(request, _("Removed from the waiting list."))


@admin.register(EventMessage)
class EventMessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "event", "audience", "sent_at", "recipients_count")
    list_filter = ("event", "audience")
    fields = ("event", "audience", "subject", "body", "sent_at", "recipients_count")
    readonly_fields = ("sent_at", "recipients_count")
    actions = ("send_now",)

    def save_model(
        self, request: HttpRequest, obj: EventMessage, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = admin_user(request)
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None and obj.sent_at:
            return ("event", "audience", "subject", "body", "sent_at", "recipients_count")
        return self.readonly_fields

    @admin.action(description=_("Send the selected messages now"))
    def send_now(self, request: HttpRequest, queryset: QuerySet[EventMessage]) -> None:
        pending = list(queryset.filter(sent_at__isnull=True))
        for message in pending:
            services.event_message_send(message=message)
        self.message_user(
            request,
            ngettext("%(count)d message queued.", "%(count)d messages queued.", len(pending))
            % {"count": len(pending)},
        )
