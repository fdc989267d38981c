from __future__ import annotations

from typing import Any

from newsletters import services


def on_tracking_event(sender: Any, event: Any, esp_name: str = "", **kwargs: Any) -> None:
    """anymail tracking webhook: hand the event to the service (suppress bounces, complaints)."""
    services.tracking_event_record(event=event)
