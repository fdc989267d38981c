"""Events pages, registration, tickets, waiting list and the check-in desk: thin views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.ratelimits import rate_limit
from events import selectors, services
from events.forms import RegistrationForm, WaitlistForm
from events.ics import event_calendar, ics_filename
from events.models import Event, Registration, Speaker, TicketType, WaitlistEntry
from events.qr import ticket_qr_svg

CHECKIN_PERMISSION = "events.checkin_registration"


def _published_event(request: HttpRequest, slug: str) -> Event:
    staff = request.user.is_authenticated and request.user.is_staff
    event = selectors.event_for_page(slug, staff=staff)
    if event is None:
        raise Http404(_("No event found at this address."))
    return event


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    events = list(selectors.events_listing(now=now))
    cards = selectors.event_cards(events, now=now)
    past = list(selectors.past_events(now=now)[:6])
    return render(request, "events/event_list.html", {"cards": cards, "past_events": past})


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _published_event(request, slug)
    now = timezone.now()
    ticket_types = list(event.ticket_types.all())
    figures = selectors.availability(ticket_types, now=now)
    context = {
        "event": event,
        "programme": selectors.programme(event),
        "speakers": selectors.speakers_of(event),
        "tickets": [figures[t.pk] for t in ticket_types],
        "registration_open": event.registration_is_open(now),
        "registration_pending": now < event.registration_opens_at,
        "is_subscriber": services.reader_is_subscriber(request.user, now),
        "early_booking": any(
            t.subscriber_opens_at and t.subscriber_opens_at <= now < event.registration_opens_at
            for t in ticket_types
        ),
        "past": event.is_past(now),
        "canonical_path": event.get_absolute_url(),
    }
    return render(request, "events/event_detail.html", context)


@require_safe
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = _published_event(request, slug)
    response = HttpResponse(event_calendar(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(event)}"'
    return response


@require_safe
def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    speaker = get_object_or_404(Speaker, slug=slug)
    sessions = list(selectors.speaker_sessions(speaker))
    if not sessions and not (request.user.is_authenticated and request.user.is_staff):
        raise Http404(_("No speaker found at this address."))
    return render(request, "events/speaker_detail.html", {"speaker": speaker, "sessions": sessions})


def _initial_for(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}


def _registration_form(
    request: HttpRequest, event: Event, data: Any = None, initial: dict[str, Any] | None = None
) -> RegistrationForm:
    return RegistrationForm(
        data,
        event=event,
        questions=list(event.questions.all()),
        with_code=event.discount_codes.exists(),
        initial=initial or _initial_for(request),
    )


def _registration_create(
    request: HttpRequest,
    event: Event,
    ticket_type: TicketType,
    form: RegistrationForm,
    entry: WaitlistEntry | None,
) -> services.RegistrationResult:
    data = form.cleaned_data
    return services.registration_create(
        event=event,
        ticket_type=ticket_type,
        user=request.user,
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=entry.email if entry is not None else data["email"],
        company=data["company"],
        job_title=data["job_title"],
        answers=form.answers(),
        consent=data["consent"],
        discount_code=data.get("discount_code", ""),
        waitlist_entry=entry,
        success_url=_success_url(request),
        cancel_url=request.build_absolute_uri(event.get_absolute_url()),
    )


def _registered(request: HttpRequest, result: services.RegistrationResult) -> HttpResponse:
    """Where a registration leads: Stripe's checkout when a payment is due, else the ticket."""
    if result.outcome == services.Outcome.PENDING_PAYMENT:
        if result.checkout_url:
            return redirect(result.checkout_url)
        messages.warning(
            request,
            _("Payment could not start. Your seat is held: try again from this page."),
        )
    return redirect(result.registration.get_absolute_url())


def _register(
    request: HttpRequest,
    event: Event,
    ticket_type: TicketType,
    *,
    entry: WaitlistEntry | None,
    template: str,
    extra: dict[str, Any],
) -> HttpResponse:
    initial = _initial_for(request)
    if entry is not None:
        initial = {
            **initial,
            "first_name": entry.first_name,
            "last_name": entry.last_name,
            "email": entry.email,
        }
    form = _registration_form(
        request, event, request.POST if request.method == "POST" else None, initial
    )
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            result = _registration_create(request, event, ticket_type, form, entry)
        except services.RegistrationRefused as exc:
            refusal = exc
        else:
            return _registered(request, result)
    figures = selectors.availability([ticket_type])
    context = {
        "event": event,
        "ticket_type": ticket_type,
        "ticket": figures[ticket_type.pk],
        "is_subscriber": services.reader_is_subscriber(request.user),
        "form": form,
        "refusal": refusal,
        "waitlist_form": WaitlistForm(initial=initial)
        if refusal and refusal.code == "full"
        else None,
        **extra,
    }
    return render(request, template, context, status=409 if refusal else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("event_registration")
def register(request: HttpRequest, slug: str, ticket_type_id: int) -> HttpResponse:
    event = _published_event(request, slug)
    ticket_type = get_object_or_404(TicketType, pk=ticket_type_id, event=event, is_active=True)
    return _register(
        request, event, ticket_type, entry=None, template="events/register.html", extra={}
    )


def _ticket(token: str) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("event", "event__venue", "ticket_type__session"),
        token=token,
        anonymised_at__isnull=True,
    )


@require_safe
def ticket(request: HttpRequest, token: str) -> HttpResponse:
    registration = _ticket(token)
    now = timezone.now()
    context = {
        "registration": registration,
        "event": registration.event,
        "qr_svg": ticket_qr_svg(registration)
        if registration.status == Registration.Status.CONFIRMED
        else "",
        "hold_live": registration.holds_seat(now)
        and registration.status == Registration.Status.PENDING_PAYMENT,
        "can_cancel": registration.attendee_may_cancel(now),
        "refund_cents": services.refund_due(registration, full_refund=False, now=now),
    }
    response = render(request, "events/ticket.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def ticket_ics(request: HttpRequest, token: str) -> HttpResponse:
    registration = _ticket(token)
    response = HttpResponse(
        event_calendar(registration.event, registration=registration),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(registration.event)}"'
    return response


@require_POST
def ticket_cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = _ticket(token)
    try:
        registration = services.registration_cancel(registration=registration, actor=request.user)
    except services.RegistrationRefused as exc:
        messages.error(request, exc.message)
    else:
        if registration.refunded_cents:
            messages.success(request, _("Your registration is cancelled and will be refunded."))
        else:
            messages.success(request, _("Your registration is cancelled."))
    return redirect(registration.get_absolute_url())


@require_POST
def ticket_pay(request: HttpRequest, token: str) -> HttpResponse:
    registration = _ticket(token)
    if not (
        registration.status == Registration.Status.PENDING_PAYMENT and registration.holds_seat()
    ):
        messages.error(request, _("This seat is no longer held for payment."))
        return redirect(registration.get_absolute_url())
    url = services.payment_start(
        registration=registration,
        success_url=_success_url(request),
        cancel_url=request.build_absolute_uri(registration.get_absolute_url()),
    )
    if not url:
        messages.error(request, _("Payment could not start. Please try again in a moment."))
        return redirect(registration.get_absolute_url())
    return redirect(url)


def _success_url(request: HttpRequest) -> str:
    # Stripe replaces the placeholder with the session id when it sends the payer back.
    return (
        request.build_absolute_uri(reverse("events:payment_return"))
        + "?session_id={CHECKOUT_SESSION_ID}"
    )


@require_safe
def payment_return(request: HttpRequest) -> HttpResponse:
    # Only the webhook confirms a payment; this page just says the confirmation is on its way.
    session_id = request.GET.get("session_id", "")
    if not session_id:
        raise Http404(_("No payment found at this address."))
    registration = get_object_or_404(
        Registration, stripe_checkout_session_id=session_id, anonymised_at__isnull=True
    )
    if registration.status == Registration.Status.PENDING_PAYMENT:
        messages.info(request, _("Thank you: your payment is being confirmed."))
    return redirect(registration.get_absolute_url())


@require_POST
@rate_limit("event_registration")
def waitlist_join(request: HttpRequest, slug: str, ticket_type_id: int) -> HttpResponse:
    event = _published_event(request, slug)
    ticket_type = get_object_or_404(TicketType, pk=ticket_type_id, event=event, is_active=True)
    form = WaitlistForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give your name and a valid email address."))
        return redirect(reverse("events:register", args=[event.slug, ticket_type.pk]))
    try:
        entry = services.waitlist_join(
            ticket_type=ticket_type, user=request.user, **form.cleaned_data
        )
    except services.RegistrationRefused as exc:
        messages.error(request, exc.message)
        return redirect(event.get_absolute_url())
    return redirect(entry.get_absolute_url())


def _entry(token: str) -> WaitlistEntry:
    return get_object_or_404(
        WaitlistEntry.objects.select_related("ticket_type__event__venue", "ticket_type__session"),
        token=token,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def waitlist_entry(request: HttpRequest, token: str) -> HttpResponse:
    entry = _entry(token)
    event = entry.ticket_type.event
    position = None
    if entry.status == WaitlistEntry.Status.WAITING:
        position = (
            list(
                WaitlistEntry.objects.in_line()
                .filter(ticket_type=entry.ticket_type)
                .values_list("pk", flat=True)
            ).index(entry.pk)
            + 1
        )
    if entry.offer_is_live():
        return _register(
            request,
            event,
            entry.ticket_type,
            entry=entry,
            template="events/waitlist_entry.html",
            extra={"entry": entry, "position": None},
        )
    if request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "events/waitlist_entry.html",
        {"entry": entry, "event": event, "position": position, "ticket_type": entry.ticket_type},
    )


@require_POST
def waitlist_leave(request: HttpRequest, token: str) -> HttpResponse:
    entry = services.waitlist_leave(entry=_entry(token))
    messages.success(request, _("You have left the waiting list."))
    return redirect(entry.get_absolute_url())


# --- check-in desk ----------------------------------------------------------------------------


def _checkin_event(request: HttpRequest, slug: str) -> Event:
    if not request.user.has_perm(CHECKIN_PERMISSION):
        raise PermissionDenied
    return get_object_or_404(Event.objects.select_related("venue"), slug=slug)


@login_required
@require_safe
def checkin(request: HttpRequest, slug: str) -> HttpResponse:
    event = _checkin_event(request, slug)
    counts = {
        "confirmed": Registration.objects.confirmed().filter(event=event).count(),
        "checked_in": Registration.objects.filter(event=event, checked_in_at__isnull=False).count(),
    }
    response = render(request, "events/checkin.html", {"event": event, "counts": counts})
    response["Cache-Control"] = "private, no-store"
    return response


def _attendee(registration: Registration) -> dict[str, Any]:
    return {
        "reference": registration.reference,
        "name": registration.full_name,
        "company": registration.company,
        "ticket": registration.ticket_type.name,
        "status": registration.get_status_display(),
        "checked_in_at": timezone.localtime(registration.checked_in_at).strftime("%H:%M")
        if registration.checked_in_at
        else None,
    }


@login_required
@require_POST
def checkin_scan(request: HttpRequest, slug: str) -> HttpResponse:
    event = _checkin_event(request, slug)
    result = services.registration_check_in(
        event=event, code=request.POST.get("code", ""), actor=request.user
    )
    messages_by_status = {
        services.CheckIn.OK: _("Welcome! Checked in."),
        services.CheckIn.ALREADY: _("Already checked in at %(time)s: entry refused."),
        services.CheckIn.NOT_FOUND: _("No ticket with this code for this event."),
        services.CheckIn.NOT_CONFIRMED: _("This registration is not confirmed (%(status)s)."),
    }
    data: dict[str, Any] = {"status": result.status.value}
    attendee = _attendee(result.registration) if result.registration else None
    data["message"] = messages_by_status[result.status] % {
        "time": attendee["checked_in_at"] if attendee else "",
        "status": attendee["status"] if attendee else "",
    }
    data["attendee"] = attendee
    if "application/json" not in request.headers.get("Accept", ""):
        # Without JavaScript the desk still works: a plain form post and a message.
        level = messages.SUCCESS if result.status == services.CheckIn.OK else messages.ERROR
        who = f" — {attendee['name']}" if attendee else ""
        messages.add_message(request, level, data["message"] + who)
        return redirect(reverse("events:checkin", args=[event.slug]))
    return JsonResponse(data, status=200 if result.status == services.CheckIn.OK else 409)


@login_required
@require_safe
def checkin_search(request: HttpRequest, slug: str) -> JsonResponse:
    event = _checkin_event(request, slug)
    found = selectors.checkin_search(event, request.GET.get("q", ""))
    return JsonResponse({"results": [_attendee(registration) for registration in found]})
