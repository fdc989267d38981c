"""core.lru.BoundedLRU: the one bounded map a process keeps copies in."""

from __future__ import annotations

from unittest import mock

import pytest

from core.lru import BoundedLRU


def test_the_memory_is_bounded_and_forgets_the_least_recently_used() -> None:
    memo: BoundedLRU[tuple[str, str, str], object] = BoundedLRU(2)
    memo.set(("urls", "fr", "/0/"), mock.sentinel.popular)
    memo.set(("urls", "fr", "/1/"), mock.sentinel.once)
    assert memo.get(("urls", "fr", "/0/")) is mock.sentinel.popular  # used again

    memo.set(("urls", "fr", "/2/"), mock.sentinel.new)

    assert memo.get(("urls", "fr", "/1/")) is None
    assert memo.get(("urls", "fr", "/0/")) is mock.sentinel.popular
    assert memo.get(("urls", "fr", "/2/")) is mock.sentinel.new


def test_get_or_set_makes_a_missing_entry_once() -> None:
    memo: BoundedLRU[str, int] = BoundedLRU(4)
    made = []

    def make() -> int:
        made.append(1)
        return 42

    assert memo.get_or_set("a", make) == 42
    assert memo.get_or_set("a", make) == 42
    assert made == [1]


def test_an_empty_memory_is_refused() -> None:
    with pytest.raises(ValueError):
        BoundedLRU(0)
