"""The paywall's admin: its settings, complimentary access, licences, gift links, meters."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from paywall import services
from paywall.models import (
    ComplimentaryAccess,
    GiftLink,
    MeterPeriod,
    MeterRead,
    Organisation,
    OrganisationDomain,
    OrganisationIPRange,
    PaywallSettings,
    Seat,
)


@admin.register(PaywallSettings)
class PaywallSettingsAdmin(admin.ModelAdmin):
    fields = ("meter_limit", "gifts_per_month", "gift_link_days")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One row only: the list would be a detour, go straight to the form.
        settings_row = PaywallSettings.load()
        return HttpResponseRedirect(
            reverse("admin:paywall_paywallsettings_change", args=[settings_row.pk])
        )


class CurrentFilter(admin.SimpleListFilter):
    title = _("period")
    parameter_name = "period"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("current", str(_("current"))),
            ("upcoming", str(_("upcoming"))),
            ("ended", str(_("ended"))),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() == "current":
            return queryset.filter(starts_at__lte=now, ends_at__gt=now)
        if self.value() == "upcoming":
            return queryset.filter(starts_at__gt=now)
        if self.value() == "ended":
            return queryset.filter(ends_at__lte=now)
        return queryset


@admin.register(ComplimentaryAccess)
class ComplimentaryAccessAdmin(admin.ModelAdmin):
    list_display = ("user", "reason", "offered_by", "starts_at", "ends_at", "granted_by")
    list_filter = (CurrentFilter,)
    search_fields = ("user__email", "user__last_name", "reason", "offered_by")
    autocomplete_fields = ("user", "granted_by")
    list_select_related = ("user", "granted_by")
    readonly_fields = ("created_at",)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        initial.setdefault("granted_by", request.user.pk)
        initial.setdefault("starts_at", timezone.now())
        return initial


class OrganisationDomainInline(admin.TabularInline):
    model = OrganisationDomain
    extra = 1


class OrganisationIPRangeInline(admin.TabularInline):
    model = OrganisationIPRange
    extra = 1


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    autocomplete_fields = ("user",)
    readonly_fields = ("claimed_at",)


class LicenceValidFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "valid"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", str(_("valid today"))), ("no", str(_("not valid today")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        valid = Organisation.objects.valid_on(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(pk__in=valid)
        if self.value() == "no":
            return queryset.exclude(pk__in=valid)
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "seats_usage", "starts_on", "ends_on", "admin_contact")
    list_filter = (LicenceValidFilter,)
    search_fields = ("name", "domains__domain", "admin_contact__email")
    autocomplete_fields = ("admin_contact",)
    inlines = (OrganisationDomainInline, OrganisationIPRangeInline, SeatInline)
    readonly_fields = ("created_at", "seats_usage")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return (
            super()
            .get_queryset(request)
            .select_related("admin_contact")
            .annotate(seats_used=Count("seat_set", distinct=True))
        )

    # The reading site caches the licensed IP ranges; saving here is what invalidates them.
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.licence_ranges_changed()

    def delete_model(self, request: HttpRequest, obj: Organisation) -> None:
        super().delete_model(request, obj)
        services.licence_ranges_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        super().delete_queryset(request, queryset)
        services.licence_ranges_changed()

    @admin.display(description=_("seats used"), ordering="seats_used")
    def seats_usage(self, organisation: Organisation) -> str:
        used = getattr(organisation, "seats_used", None)
        if used is None:
            used = organisation.seat_set.count() if organisation.pk else 0
        return f"{used} / {organisation.seats}"


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "claimed_at")
    list_filter = ("organisation",)
    search_fields = ("user__email", "organisation__name")
    autocomplete_fields = ("user", "organisation")
    list_select_related = ("user", "organisation")


@admin.register(GiftLink)
class GiftLinkAdmin(admin.ModelAdmin):
    list_display = ("article", "sender", "created_at", "expires_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("sender__email", "article__title")
    autocomplete_fields = ("sender",)
    raw_id_fields = ("article",)
    list_select_related = ("sender", "article")
    readonly_fields = ("created_at", "expires_at")
    date_hierarchy = "created_at"
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Links are made by subscribers through paywall.services.gift_link_create.
        return False

    @admin.action(description=_("Revoke the selected gift links"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[GiftLink]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d gift link revoked.", "%(count)d gift links revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class MeterReadInline(admin.TabularInline):
    model = MeterRead
    extra = 0
    can_delete = False
    readonly_fields = ("article", "read_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MeterPeriod)
class MeterPeriodAdmin(admin.ModelAdmin):
    list_display = ("user", "month", "reads_count")
    list_filter = ("month",)
    search_fields = ("user__email",)
    autocomplete_fields = ("user",)
    list_select_related = ("user",)
    inlines = (MeterReadInline,)
    readonly_fields = ("month", "reads_count")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
