from __future__ import annotations

import logging
import os
import time
from contextvars import Token
from dataclasses import dataclass
from typing import Any

from celery import Celery, bootsteps
from celery.signals import before_task_publish, task_postrun, task_prerun

from config.logging import REQUEST_ID_PATTERN, request_id_var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kiosque")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

task_logger = logging.getLogger("kiosque.task")
REQUEST_ID_HEADER = "request_id"


@dataclass
class _Run:
    started: float
    # Restores the request id of whoever ran the task inline (eager mode).
    token: Token[str | None]


_running: dict[str, _Run] = {}


@before_task_publish.connect
def _stamp_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """Carry the enqueuing request's id to the worker in the message headers."""
    request_id = request_id_var.get()
    if headers is not None and request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id


def _incoming_request_id(task: Any) -> str | None:
    request = task.request
    value = getattr(request, REQUEST_ID_HEADER, None) or (request.headers or {}).get(
        REQUEST_ID_HEADER
    )
    if isinstance(value, str) and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    # Run inline (eager mode, or a task calling another): the caller's id is still current.
    return request_id_var.get()


@task_prerun.connect
def _task_started(task_id: str, task: Any, **_: Any) -> None:
    _running[task_id] = _Run(time.perf_counter(), request_id_var.set(_incoming_request_id(task)))


@task_postrun.connect
def _task_finished(task_id: str, task: Any, state: str | None = None, **_: Any) -> None:
    run = _running.pop(task_id, None)
    duration_ms = round((time.perf_counter() - run.started) * 1000, 2) if run else None
    # Only a task that raised through (eager mode propagates errors) arrives without a state.
    state = state or "FAILURE"
    task_logger.info(
        "task %s %s",
        task.name,
        state,
        extra={
            "task": task.name,
            "task_id": task_id,
            "state": state,
            "duration_ms": duration_ms,
            "request_id": request_id_var.get(),
        },
    )
    if run is not None:
        request_id_var.reset(run.token)


class HeartbeatStep(bootsteps.StartStopStep):
    """Write this worker's heartbeat to Redis on the worker's own timer (read by /healthz).

    The timer runs in the worker's event loop, so a worker that hangs stops beating.
    """

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.timer_ref: Any = None

    def start(self, worker: Any) -> None:
        from django.conf import settings

        interval = settings.HEALTH_CHECK["CELERY_HEARTBEAT_INTERVAL"]
        self._beat(worker)
        self.timer_ref = worker.timer.call_repeatedly(interval, self._beat, (worker,), priority=10)

    def stop(self, worker: Any) -> None:
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None

    def _beat(self, worker: Any) -> None:
        from config.health import heartbeat_record

        try:
            heartbeat_record(worker=worker.hostname)
        except Exception:
            # Redis being away is what /healthz reports; the worker must keep working.
            logging.getLogger(__name__).warning("Could not record the worker heartbeat")


app.steps["worker"].add(HeartbeatStep)
