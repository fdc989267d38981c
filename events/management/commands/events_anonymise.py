"""``manage.py events_anonymise``: erase attendees' data a set time after their event."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from events.services import registrations_anonymise


class Command(BaseCommand):
    help = "Anonymise registrations of events that ended EVENTS_ANONYMISE_AFTER_DAYS ago."

    def handle(self, *args: Any, **options: Any) -> None:
        count = registrations_anonymise()
        self.stdout.write(
            f"{count} registration(s) anonymised "
            f"(events ended more than {settings.EVENTS_ANONYMISE_AFTER_DAYS} days ago)."
        )
