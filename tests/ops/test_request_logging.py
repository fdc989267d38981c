"""Request ids, and one JSON log line per request and per Celery task."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client
from django.utils.module_loading import import_string

from accounts.models import User
from config.celery import _stamp_request_id, app
from config.logging import RequestIdFilter, logging_config, request_id_var

HEX_ID = re.compile(r"[0-9a-f]{32}")


class JsonLines:
    """The JSON lines a logger wrote through the project's own formatter."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


@contextmanager
def capture(logger_name: str) -> Iterator[JsonLines]:
    options = dict(logging_config(log_format="json", level="INFO")["formatters"]["json"])
    formatter = import_string(options.pop("()"))(**options)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield JsonLines(stream)
    finally:
        logger.removeHandler(handler)


@pytest.fixture
def request_log() -> Iterator[JsonLines]:
    with capture("kiosque.request") as lines:
        yield lines


@pytest.fixture
def task_log() -> Iterator[JsonLines]:
    with capture("kiosque.task") as lines:
        yield lines


@app.task(name="tests.ops.add")
def add(x: int, y: int) -> int:
    return x + y


@app.task(name="tests.ops.explode")
def explode() -> None:
    raise ValueError("boom")


# --- request ids ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_without_id_gets_a_generated_one(client: Client) -> None:
    response = client.get("/robots.txt")

    assert HEX_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept_and_echoed(client: Client) -> None:
    incoming = "9b2f1c3e-5d4a-4e7b-8c6d-0a1b2c3d4e5f"

    response = client.get("/robots.txt", HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-ID"] == incoming


@pytest.mark.django_db
@pytest.mark.parametrize(
    "junk",
    [
        "short",
        "has spaces in it",
        "evil\r\nSet-Cookie: x=1",
        "<script>alert(1)</script>",
        "a" * 200,
    ],
)
def test_a_junk_incoming_request_id_is_replaced(client: Client, junk: str) -> None:
    response = client.get("/robots.txt", HTTP_X_REQUEST_ID=junk)

    assert response["X-Request-ID"] != junk
    assert HEX_ID.fullmatch(response["X-Request-ID"])


# --- one line per request ---------------------------------------------------------------------


@pytest.mark.django_db
def test_each_request_logs_one_json_line(client: Client, request_log: JsonLines) -> None:
    response = client.get("/robots.txt?utm_source=x", HTTP_X_REQUEST_ID="req-0123456789")

    (line,) = request_log.records()
    assert line["method"] == "GET"
    assert line["path"] == "/robots.txt"
    assert line["status"] == response.status_code == 200
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == "req-0123456789"
    assert line["user_id"] is None
    assert line["level"] == "INFO"
    assert line["logger"] == "kiosque.request"


def test_the_request_line_names_the_user_by_id_only(
    reader_client: Client, reader: User, request_log: JsonLines
) -> None:
    response = reader_client.get("/")

    (line,) = request_log.records()
    assert line["status"] == response.status_code == 200
    assert line["user_id"] == reader.pk
    assert reader.email not in request_log.stream.getvalue()


@pytest.mark.django_db
def test_errors_are_logged_with_their_status(client: Client, request_log: JsonLines) -> None:
    response = client.get("/article-qui-n-existe-pas/")

    (line,) = request_log.records()
    assert line["status"] == response.status_code == 404


# --- one line per task ------------------------------------------------------------------------


def test_a_task_logs_one_line_with_the_enqueuing_request_id(task_log: JsonLines) -> None:
    token = request_id_var.set("req-task-0123456789")
    try:
        result = add.delay(2, 3)
    finally:
        request_id_var.reset(token)

    # Tasks run eagerly here: read the EagerResult directly, since result.get() refuses to run
    # once any earlier test has set Celery's process-wide "inside a worker" flag.
    assert result.successful()
    assert result.result == 5
    (line,) = task_log.records()
    assert line["task"] == "tests.ops.add"
    assert line["task_id"] == result.id
    assert line["state"] == "SUCCESS"
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == "req-task-0123456789"


def test_a_task_takes_its_request_id_from_the_message_headers(task_log: JsonLines) -> None:
    add.apply(args=(1, 1), headers={"request_id": "req-from-header-42"})

    (line,) = task_log.records()
    assert line["request_id"] == "req-from-header-42"
    assert request_id_var.get() is None


def test_a_failed_task_logs_its_failure(task_log: JsonLines) -> None:
    with pytest.raises(ValueError, match="boom"):
        explode.delay()

    (line,) = task_log.records()
    assert line["task"] == "tests.ops.explode"
    assert line["state"] == "FAILURE"


def test_publishing_a_task_stamps_the_current_request_id_in_its_headers() -> None:
    headers: dict[str, Any] = {}
    token = request_id_var.set("req-publish-0123")
    try:
        _stamp_request_id(headers=headers)
    finally:
        request_id_var.reset(token)

    assert headers == {"request_id": "req-publish-0123"}


def test_log_lines_outside_requests_carry_a_dash_for_request_id() -> None:
    with capture("kiosque.ops-test") as lines:
        logging.getLogger("kiosque.ops-test").warning("hello")

    (line,) = lines.records()
    assert line["request_id"] == "-"
    assert line["message"] == "hello"
