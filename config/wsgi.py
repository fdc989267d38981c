from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# As django.core.wsgi.get_wsgi_application, with Django's handler remembering resolved paths.
django.setup(set_prefix=False)

from config.handlers import KiosqueWSGIHandler  # noqa: E402 - needs the apps loaded

application = KiosqueWSGIHandler()
