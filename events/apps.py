from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    from events.roles import events_group_sync

    events_group_sync(using=kwargs.get("using", "default"))


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        # Permissions only exist once every app has migrated: post_migrate is Django's hook for it.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="events_sync_roles")
        # Paid tickets are confirmed by the Stripe webhook, which dispatches payment-mode
        # checkouts by their metadata purpose.
        from events.payments import CHECKOUT_PURPOSE, on_checkout_completed
        from subscriptions.webhooks import PAYMENT_CHECKOUT_HANDLERS

        PAYMENT_CHECKOUT_HANDLERS[CHECKOUT_PURPOSE] = on_checkout_completed

        # Newsletters can go to the attendees of an event.
        from events.segments import attendees, attendees_check
        from newsletters.segments import register_segment

        register_segment(
            "event_attendees",
            _("Attendees of an event (slug)"),
            attendees,
            ("event",),
            attendees_check,
        )

        # What events hold about a reader, for "download my data" and account deletion.
        from accounts import personal_data
        from events.personal_data import PERSONAL_DATA

        personal_data.register(PERSONAL_DATA)
