"""Helpers of the operations tests."""

from __future__ import annotations

# The real Redis, on a database of its own so that these tests never see other data.
TEST_REDIS_URL = "redis://127.0.0.1:6379/7"
