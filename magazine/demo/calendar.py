"""The demo's dates, all relative to the day ``load_demo`` runs (Europe/Paris).

The next New Biz Forum (the second Thursday and Friday of June, at La Féclaz) and the next ECTFF
(the third Tuesday of October, in Paris) are ahead with registration open; the omnichannel
evening debate took place three weeks ago and has its write-ups; the next debate is in a few
weeks. The magazine's text about them is written from these dates (``words``), never with a
month or a year that could be wrong on the day the demo is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

PARIS = ZoneInfo("Europe/Paris")

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# The 13th ECTFF was held on 21 October 2025 (MAGAZINE.md); the forum is yearly.
ECTFF_13TH_YEAR = 2025
NBF_REGISTRATION_CLOSES_DAYS = 6
ECTFF_REGISTRATION_CLOSES_DAYS = 1


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute`` in Paris."""
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def nbf_first_day(year: int) -> date:
    """The New Biz Forum opens on the second Thursday of June (11 June in 2026)."""
    return _nth_weekday(year, 6, 3, 2)


def ectff_day(year: int) -> date:
    """The ECTFF is held on the third Tuesday of October (21 October in 2025)."""
    return _nth_weekday(year, 10, 1, 3)


def french_date(day: date, *, weekday: bool = False) -> str:
    text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def french_days(first: date, last: date) -> str:
    """ "les 10 et 11 juin 2027" (consecutive days of one month)."""
    return f"les {first.day} et {last.day} {MONTHS[last.month - 1]} {last.year}"


def ordinal(number: int) -> str:
    return "1re" if number == 1 else f"{number}e"


@dataclass(frozen=True)
class DemoCalendar:
    now: datetime
    today: date
    nbf_year: int
    ectff_year: int

    @property
    def nbf_days(self) -> tuple[date, date]:
        first = nbf_first_day(self.nbf_year)
        return first, first + timedelta(days=1)

    @property
    def nbf_slug(self) -> str:
        return f"new-biz-forum-{self.nbf_year}"

    @property
    def ectff_day(self) -> date:
        return ectff_day(self.ectff_year)

    @property
    def ectff_edition(self) -> int:
        return 13 + self.ectff_year - ECTFF_13TH_YEAR

    @property
    def ectff_slug(self) -> str:
        return f"ectff-{self.ectff_edition}e-edition"

    @property
    def debate_day(self) -> date:
        """The omnichannel evening debate (past: its write-ups are published)."""
        return self.today - timedelta(days=20)

    @property
    def next_debate_day(self) -> date:
        return self.today + timedelta(days=24)

    def days_ago(self, days: int, hour: int, minute: int = 0) -> datetime:
        return at(self.today - timedelta(days=days), hour, minute)

    def words(self) -> dict[str, str]:
        """What the demo articles say about these dates: ``[[name]]`` in their text."""
        first, last = self.nbf_days
        with translation.override(settings.LANGUAGE_CODE):
            nbf_url = reverse("events:detail", kwargs={"slug": self.nbf_slug})
            ectff_url = reverse("events:detail", kwargs={"slug": self.ectff_slug})
        return {
            "nbf_year": str(self.nbf_year),
            "nbf_days": french_days(first, last),
            "nbf_month": f"{MONTHS[first.month - 1]} {first.year}",
            "nbf_url": nbf_url,
            "ectff_edition": ordinal(self.ectff_edition),
            "ectff_date": french_date(self.ectff_day, weekday=True),
            "ectff_url": ectff_url,
        }


def demo_calendar(now: datetime | None = None) -> DemoCalendar:
    """The demo's dates for a load at ``now`` (default: now)."""
    now = now or timezone.now()
    today = timezone.localtime(now, PARIS).date()
    # An edition whose registration closes within a day is as good as past: take the next one.
    soon = now + timedelta(days=1)
    nbf_year = today.year
    closes = at(nbf_first_day(nbf_year) - timedelta(days=NBF_REGISTRATION_CLOSES_DAYS), 18)
    if closes <= soon:
        nbf_year += 1
    # The 13th edition is the past one the demo keeps; the next is always a later one.
    ectff_year = max(today.year, ECTFF_13TH_YEAR + 1)
    closes = at(ectff_day(ectff_year) - timedelta(days=ECTFF_REGISTRATION_CLOSES_DAYS), 18)
    if closes <= soon:
        ectff_year += 1
    return DemoCalendar(now=now, today=today, nbf_year=nbf_year, ectff_year=ectff_year)
