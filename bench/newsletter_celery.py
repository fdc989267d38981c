"""The Celery app for the newsletter benchmark's workers: the project's app, plus the bench
segment (the first N subscribers) registered in the worker processes too."""

from __future__ import annotations

import os

from celery.signals import worker_process_init

from config.celery import app

__all__ = ["app"]


@worker_process_init.connect
def _register_bench_segment(**kwargs: object) -> None:
    from bench.newsletter import _register_bench_segment as register

    register(int(os.environ.get("NEWSLETTER_BENCH_SMALL", "10000")))
