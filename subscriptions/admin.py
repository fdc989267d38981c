"""Billing's admin: plans, subscriptions and their history, the dashboard, billing settings."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from core.money import format_price
from subscriptions import selectors
from subscriptions.models import BillingSettings, Plan, Subscription, SubscriptionHistory


@admin.register(BillingSettings)
class BillingSettingsAdmin(admin.ModelAdmin):
    fields = ("past_due_grace_days",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One row only: the list would be a detour, go straight to the form.
        settings_row = BillingSettings.load()
        return HttpResponseRedirect(
            reverse("admin:subscriptions_billingsettings_change", args=[settings_row.pk])
        )


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "price",
        "interval",
        "interval_count",
        "weekly_price",
        "trial_days",
        "active",
        "display_order",
    )
    list_filter = ("active", "interval")
    list_editable = ("active", "display_order")
    search_fields = ("name", "stripe_price_id")

    @admin.display(description=_("price"), ordering="amount")
    def price(self, plan: Plan) -> str:
        return format_price(plan.amount, plan.currency)

    @admin.display(description=_("per week"))
    def weekly_price(self, plan: Plan) -> str:
        return format_price(plan.weekly_price_cents, plan.currency)


class SubscriptionHistoryInline(admin.TabularInline):
    """What Stripe said, when and why: written by subscriptions.sync only, never by hand."""

    model = SubscriptionHistory
    extra = 0
    can_delete = False
    fields = ("at", "type", "old_status", "new_status", "details", "stripe_event_id")
    readonly_fields = fields
    ordering = ("-at", "-pk")
    verbose_name_plural = _("history")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "plan",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "past_due_since",
        "updated_at",
    )
    list_filter = ("status", "plan", "plan__interval", "cancel_at_period_end")
    search_fields = (
        "user__email",
        "user__last_name",
        "stripe_subscription_id",
        "stripe_customer_id",
    )
    autocomplete_fields = ("user",)
    list_select_related = ("user", "plan")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
    inlines = (SubscriptionHistoryInline,)

    def get_urls(self) -> list[URLPattern]:
        dashboard = path(
            "dashboard/",
            self.admin_site.admin_view(self.dashboard_view),
            name="subscriptions_subscription_dashboard",
        )
        return [dashboard, *super().get_urls()]

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        figures = selectors.subscription_dashboard()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Subscriptions dashboard"),
            "dashboard": figures,
            "revenue": [
                {
                    "currency": row.currency.upper(),
                    "mrr": format_price(row.mrr_cents, row.currency),
                    "wrr": format_price(row.wrr_cents, row.currency),
                }
                for row in figures.revenue
            ],
            "plans": [
                {
                    "figures": plan,
                    "mrr": format_price(plan.mrr_cents, plan.currency),
                    "wrr": format_price(plan.wrr_cents, plan.currency),
                }
                for plan in figures.plans
            ],
        }
        return TemplateResponse(request, "admin/subscriptions/dashboard.html", context)
