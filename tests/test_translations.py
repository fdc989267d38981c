"""French is the default language: its catalogue covers every UI string, and it is compiled."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
SOURCE_DIRS = ["accounts", "config", "events", "magazine", "newsletters", "subscriptions", "templates"]


def test_french_catalogue_is_complete_and_not_fuzzy() -> None:
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"
    assert len(catalogue.translated_entries()) > 50


def test_catalogue_holds_every_string_marked_in_the_code(tmp_path: Path) -> None:
    """Extract the strings afresh with makemessages and compare with the committed catalogue."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is required (make test installs it): apt-get install gettext")
    for name in [*SOURCE_DIRS, "manage.py"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    shutil.copytree(ROOT / "config", tmp_path / "config", dirs_exist_ok=True)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        env={"DEBUG": "true", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOGUE))}
    missing = sorted(
        e.msgid for e in fresh if (e.msgctxt, e.msgid) not in committed and not e.obsolete
    )
    assert not missing, f"strings missing from the French catalogue: {missing[:30]}"


def test_compiled_catalogue_translates_at_runtime() -> None:
    with translation.override("fr"):
        assert translation.gettext("Articles") != "" and translation.gettext("Search") == "Rechercher"
    with translation.override("en"):
        assert translation.gettext("Search") == "Search"
