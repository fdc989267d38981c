"""Marketing's tools: newsletters, subscribers (CSV import/export), segments, campaigns with
preview, test send, scheduling, pause/resume/cancel and live progress."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.http import admin_user
from newsletters import rendering, selectors, services
from newsletters.forms import ImportForm, ScheduleForm
from newsletters.models import (
    Campaign,
    CampaignArticle,
    ConsentRecord,
    Delivery,
    Newsletter,
    Segment,
    Subscriber,
    Suppression,
)
from newsletters.segments import SEGMENTS


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "public", "position")
    list_editable = ("public", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "newsletter", "status", "confirmed_at", "unsubscribed_at")
    list_filter = ("newsletter", "status")
    search_fields = ("email",)
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "confirmed_at", "unsubscribed_at", "status")
    actions = ("export_csv",)
    change_list_template = "admin/newsletters/subscriber/change_list.html"

    def get_urls(self) -> list[Any]:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="newsletters_subscriber_import",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Export the selected subscribers as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> HttpResponse:
        out = io.StringIO()
        services.subscribers_export(queryset, out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = services.subscribers_import(
                    newsletter=form.cleaned_data["newsletter"],
                    data=form.cleaned_data["file"],
                    source_note=form.cleaned_data["source_note"],
                )
            except ValidationError as exc:
                for error in exc.messages[:50]:
                    form.add_error("file", error)
            else:
                messages.success(
                    request,
                    _(
                        "Imported: %(created)d new, %(confirmed)d confirmed, %(already)d already "
                        "subscribed, %(kept)d kept unsubscribed, %(suppressed)d suppressed."
                    )
                    % {
                        "created": report.created,
                        "confirmed": report.confirmed,
                        "already": report.already,
                        "kept": report.kept_unsubscribed,
                        "suppressed": report.suppressed,
                    },
                )
                return redirect("admin:newsletters_subscriber_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Import subscribers"),
        }
        return TemplateResponse(request, "admin/newsletters/subscriber/import.html", context)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ("email", "newsletter", "action", "source", "created_at", "ip_address")
    list_filter = ("newsletter", "action", "source")
    search_fields = ("email",)

    # Proof of consent is append-only.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ("email", "newsletter", "reason", "created_at")
    list_filter = ("reason", "newsletter")
    search_fields = ("email",)


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    change_form_template = "admin/newsletters/segment/change_form.html"

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        context["segment_types"] = sorted(SEGMENTS.values(), key=lambda s: s.key)
        return super().render_change_form(request, context, *args, **kwargs)


class CampaignArticleInline(admin.TabularInline):
    model = CampaignArticle
    extra = 1
    raw_id_fields = ("article",)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "subject",
        "newsletter",
        "status",
        "scheduled_at",
        "started_at",
        "total_recipients",
    )
    list_filter = ("status", "newsletter")
    search_fields = ("subject",)
    inlines = (CampaignArticleInline,)
    fields = (
        "newsletter",
        "segment",
        "subject",
        "preheader",
        "body",
        "status",
        "scheduled_at",
        "started_at",
        "finished_at",
        "total_recipients",
    )
    readonly_fields = ("status", "scheduled_at", "started_at", "finished_at", "total_recipients")
    change_form_template = "admin/newsletters/campaign/change_form.html"
    actions = ("pause_selected", "resume_selected", "cancel_selected")

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        if obj.created_by_id is None:
            obj.created_by = admin_user(request)
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request: HttpRequest, obj: Campaign | None = None) -> Any:
        if obj is not None and not obj.editable:
            return [f for f in self.fields if f != "status"] + ["status"]
        return self.readonly_fields

    def get_urls(self) -> list[Any]:
        def view(func: Any, name: str) -> Any:
            return path(
                f"<int:pk>/{name}/",
                self.admin_site.admin_view(func),
                name=f"newsletters_campaign_{name}",
            )

        return [
            view(self.preview_view, "preview"),
            view(self.progress_view, "progress"),
            view(self.test_send_view, "test_send"),
            view(self.send_now_view, "send_now"),
            view(self.schedule_view, "schedule"),
            view(self.pause_view, "pause"),
            view(self.resume_view, "resume"),
            view(self.cancel_view, "cancel"),
            *super().get_urls(),
        ]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        obj = context.get("original")
        if obj is not None:
            context["progress"] = selectors.campaign_progress(obj)
            context["schedule_form"] = ScheduleForm()
        return super().render_change_form(request, context, *args, **kwargs)

    def _campaign(self, request: HttpRequest, pk: int, *, change: bool = True) -> Campaign:
        campaign = get_object_or_404(Campaign.objects.select_related("newsletter"), pk=pk)
        allowed = (
            self.has_change_permission(request, campaign)
            if change
            else self.has_view_permission(request, campaign)
        )
        if not allowed:
            raise PermissionDenied
        return campaign

    def _back(self, campaign: Campaign) -> HttpResponse:
        return redirect(reverse("admin:newsletters_campaign_change", args=[campaign.pk]))

    @staticmethod
    def _control(request: HttpRequest, campaign: Campaign, action: Any, done: str) -> None:
        try:
            action(campaign=campaign)
        except (services.CampaignStateError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        except services.TaskFailed as exc:
            messages.error(request, _("Sending failed: %(error)s") % {"error": exc})
        else:
            messages.success(request, done)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(request, pk, change=False)
        prepared = rendering.prepare(campaign)
        full = request.GET.get("version") != "teaser"
        entitled = frozenset(a.pk for a in prepared.gated_articles) if full else frozenset()
        try:
            variant = prepared.variant(entitled)
        except rendering.MessageTooLarge as exc:
            return HttpResponse(str(exc), content_type="text/plain; charset=utf-8", status=400)
        if request.GET.get("format") == "text":
            _html, text, _url = prepared.personalise(variant, admin_user(request).email)
            return HttpResponse(text, content_type="text/plain; charset=utf-8")
        body_html, _text, _url = prepared.personalise(variant, admin_user(request).email)
        response = HttpResponse(body_html)
        # The preview shows editor content only; no script of ours runs in it.
        response["Content-Security-Policy"] = "script-src 'none'"
        return response

    @staticmethod
    def progress_view_impl(campaign: Campaign) -> JsonResponse:
        return JsonResponse(selectors.campaign_progress(campaign))

    def progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_GET(lambda r: self.progress_view_impl(self._campaign(r, pk, change=False)))(
            request
        )

    def test_send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._test_send)(request, pk)

    def _test_send(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(request, pk)
        user = admin_user(request)
        try:
            services.campaign_send_test(campaign=campaign, user=user)
        except rendering.MessageTooLarge as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("A test message was sent to %(email)s.") % {"email": user.email}
            )
        return self._back(campaign)

    def send_now_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._send_now)(request, pk)

    def _send_now(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(request, pk)
        self._control(request, campaign, services.campaign_send_now, str(_("Sending has started.")))
        return self._back(campaign)

    def schedule_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._schedule)(request, pk)

    def _schedule(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(request, pk)
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a valid date and time."))
        elif form.cleaned_data["scheduled_at"] <= timezone.now():
            messages.error(request, _("Choose a time in the future, or send now."))
        else:
            at = form.cleaned_data["scheduled_at"]
            self._control(
                request,
                campaign,
                lambda campaign: services.campaign_schedule(campaign=campaign, at=at),
                str(_("The campaign is scheduled.")),
            )  # fmt: skip
        return self._back(campaign)

    def pause_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(
            lambda r, pk: self._simple(r, pk, services.campaign_pause, _("Sending is paused."))
        )(request, pk)

    def resume_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(
            lambda r, pk: self._simple(r, pk, services.campaign_resume, _("Sending has resumed."))
        )(request, pk)

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(
            lambda r, pk: self._simple(
                r, pk, services.campaign_cancel, _("The campaign is cancelled.")
            )
        )(request, pk)

    def _simple(self, request: HttpRequest, pk: int, action: Any, done: Any) -> HttpResponse:
        campaign = self._campaign(request, pk)
        self._control(request, campaign, action, str(done))
        return self._back(campaign)

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Campaign], action: Any) -> None:
        done = 0
        for campaign in queryset:
            try:
                action(campaign=campaign)
                done += 1
            except services.CampaignStateError:
                continue
            except services.TaskFailed as exc:
                messages.error(
                    request,
                    _("%(campaign)s: sending failed: %(error)s")
                    % {"campaign": campaign, "error": exc},
                )
        messages.info(
            request,
            ngettext("%(count)d campaign updated.", "%(count)d campaigns updated.", done)
            % {"count": done},
        )

    @admin.action(description=_("Pause the selected campaigns"), permissions=["change"])
    def pause_selected(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._bulk(request, queryset, services.campaign_pause)

    @admin.action(description=_("Resume the selected campaigns"), permissions=["change"])
    def resume_selected(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._bulk(request, queryset, services.campaign_resume)

    @admin.action(description=_("Cancel the selected campaigns"), permissions=["change"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._bulk(request, queryset, services.campaign_cancel)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("email", "campaign", "status", "attempts", "sent_at", "claimed_by")
    list_filter = ("status",)
    search_fields = ("email",)
    raw_id_fields = ("campaign", "user")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
