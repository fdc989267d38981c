"""``manage.py load_demo``: fill an empty site with the demo magazine (run by ``make run``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from events.demo import events_demo_load
from events.roles import events_group_sync
from magazine.demo.calendar import demo_calendar
from magazine.demo.content import DEMO_PASSWORD
from magazine.demo.loader import demo_load
from magazine.roles import editors_group_sync
from newsletters.demo import newsletters_demo_load
from newsletters.roles import marketing_group_sync


class Command(BaseCommand):
    help = (
        "Create or refresh the demo articles, events, newsletters and one account per role "
        "(idempotent; dates follow the day it runs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even when DEBUG is off (it creates staff accounts whose "
            "password is public).",
        )

    def handle(self, *args: Any, allow_production: bool, **options: Any) -> None:
        # The demo accounts' password is printed and committed: never create them by accident.
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                _(
                    "Refusing to load the demo with DEBUG off: it creates a staff account with "
                    "a public password. Pass --allow-production if this really is a demo site."
                )
            )
        # Each app declares its staff role; this command is where they meet.
        groups = {
            "editor": editors_group_sync(),
            "marketer": marketing_group_sync(),
            "events": events_group_sync(),
        }
        # Every date of the demo follows the day it is loaded.
        calendar = demo_calendar()
        result = demo_load(stdout=self.stdout, groups=groups, calendar=calendar)
        for other in (
            events_demo_load(calendar=calendar),
            newsletters_demo_load(now=calendar.now),
        ):
            result.created.update(other.created)
        kinds = ["rubriques", "tags", "authors", "articles", "editors", "accounts", "plans"]
        for kind in [*kinds, *sorted(set(result.created) - set(kinds))]:
            self.stdout.write(
                _("%(kind)s: %(created)s created, %(updated)s updated")
                % {
                    "kind": kind,
                    "created": result.created.get(kind, 0),
                    "updated": result.updated.get(kind, 0),
                }
            )
        self.stdout.write(
            _("%(count)s images drawn, %(renditions)s renditions written.")
            % {"count": result.images_drawn, "renditions": result.renditions_written}
        )
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo accounts (password for all: %(password)s):") % {"password": DEMO_PASSWORD}
            )
        )
        width = max(len(account.email) for account in result.accounts)
        for account in result.accounts:
            self.stdout.write(f"  {account.email.ljust(width)}  {account.role} — {account.opens}")
        self.stdout.write(_("Site: %(url)s") % {"url": result.site_url})
        self.stdout.write(_("Administration: %(url)s") % {"url": result.admin_url})
