"""Regenerate the responsive renditions of every image (after changing sizes or formats)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from magazine.services import renditions_regenerate_all


class Command(BaseCommand):
    help = "Regenerate renditions for all hero images, author photos and library images."

    def handle(self, *args: Any, **options: Any) -> None:
        count = renditions_regenerate_all()
        self.stdout.write(self.style.SUCCESS(_("%(count)d renditions written.") % {"count": count}))
