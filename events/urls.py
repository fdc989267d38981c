from __future__ import annotations

from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("intervenants/<slug:slug>/", views.speaker_detail, name="speaker"),
    path("billet/<str:token>/", views.ticket, name="ticket"),
    path("billet/<str:token>/calendrier.ics", views.ticket_ics, name="ticket_ics"),
    path("billet/<str:token>/annuler/", views.ticket_cancel, name="ticket_cancel"),
    path("billet/<str:token>/payer/", views.ticket_pay, name="ticket_pay"),
    path("paiement/retour/", views.payment_return, name="payment_return"),
    path("liste-attente/<str:token>/", views.waitlist_entry, name="waitlist_entry"),
    path("liste-attente/<str:token>/quitter/", views.waitlist_leave, name="waitlist_leave"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/calendrier.ics", views.event_ics, name="ics"),
    path("<slug:slug>/inscription/<int:ticket_type_id>/", views.register, name="register"),
    path(
        "<slug:slug>/liste-attente/<int:ticket_type_id>/",
        views.waitlist_join,
        name="waitlist_join",
    ),
    path("<slug:slug>/pointage/", views.checkin, name="checkin"),
    path("<slug:slug>/pointage/valider/", views.checkin_scan, name="checkin_scan"),
    path("<slug:slug>/pointage/recherche/", views.checkin_search, name="checkin_search"),
]
