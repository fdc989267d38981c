from __future__ import annotations

SITEMAPS: dict = {}
