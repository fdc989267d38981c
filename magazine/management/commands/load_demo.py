"""``manage.py load_demo``: fill an empty site with the demo magazine (run by ``make run``)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from magazine.demo.loader import demo_load


class Command(BaseCommand):
    help = "Create or refresh the demo articles, authors and editor account (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even when DEBUG is off (it creates a staff account whose "
            "password is public).",
        )

    def handle(self, *args: Any, allow_production: bool, **options: Any) -> None:
        # The demo editor's password is printed and committed: never create it by accident.
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                _(
                    "Refusing to load the demo with DEBUG off: it creates a staff account with "
                    "a public password. Pass --allow-production if this really is a demo site."
                )
            )
        result = demo_load(stdout=self.stdout)
        # Apps that build on the magazine add their own demo (an AppConfig's demo_load): the
        # magazine cannot import them, they depend on it.
        extra: dict[str, int] = {}
        for config in apps.get_app_configs():
            load_more = getattr(config, "demo_load", None)
            if load_more is not None:
                extra.update(load_more().created)
        result.created.update(extra)
        kinds = ["rubriques", "tags", "authors", "articles", "editors", "plans"]
        for kind in [*kinds, *sorted(set(extra) - set(kinds))]:
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
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo editor: %(email)s / password: %(password)s")
                % {"email": result.editor_email, "password": result.editor_password}
            )
        )
        self.stdout.write(_("Administration: %(url)s") % {"url": result.admin_url})
