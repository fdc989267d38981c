"""French is the default language: its catalogue covers every UI string, and it is compiled."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
NBSP = "\u00a0"
# The project's own directories that makemessages scans (it is run with --ignore=.venv
# --ignore=tests --ignore=bench); every Python package is taken so a new app is not forgotten.
NOT_SCANNED = {"tests", "bench", "locale", "static", "staticfiles", "media", "scripts"}


def _source_dirs() -> list[Path]:
    return sorted(
        path
        for path in ROOT.iterdir()
        if path.is_dir()
        and not path.name.startswith(".")
        and path.name not in NOT_SCANNED
        and ((path / "__init__.py").exists() or path.name == "templates")
    )


def test_french_catalogue_is_complete_and_not_fuzzy() -> None:
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"
    assert not catalogue.metadata_is_fuzzy, "the header is still marked fuzzy"
    assert catalogue.metadata["Language"] == "fr"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]
    assert len(catalogue.translated_entries()) > 50


def test_catalogue_holds_every_string_marked_in_the_code(tmp_path: Path) -> None:
    """Extract the strings afresh with makemessages and compare with the committed catalogue."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is required (make test installs it): apt-get install gettext")
    for source in _source_dirs():
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(source, tmp_path / source.name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    assert len(fresh) > 50, "makemessages found almost nothing: was the source copied?"
    committed = {(e.msgctxt, e.msgid, e.msgid_plural) for e in polib.pofile(str(CATALOGUE))}
    missing = sorted(
        e.msgid
        for e in fresh
        if (e.msgctxt, e.msgid, e.msgid_plural) not in committed and not e.obsolete
    )
    assert not missing, f"strings missing from the French catalogue: {missing[:30]}"


def test_compiled_catalogue_translates_at_runtime() -> None:
    assert COMPILED.exists(), "compile the catalogue: make messages"
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(COMPILED))}
    stale = [
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE)).translated_entries()
        if not entry.msgid_plural and compiled.get((entry.msgctxt, entry.msgid)) != entry.msgstr
    ]
    assert not stale, f"the .mo is older than the .po (make messages): {stale[:10]}"

    with translation.override("fr"):
        assert (
            translation.gettext(
                "Unlimited access to the magazine for less than €3 a week — Subscribe"
            )
            == f"Accès illimité au magazine pour moins de 3{NBSP}€ par semaine — Abonnez-vous"
        )
        assert translation.gettext("Read also") == "À lire aussi"
        assert translation.gettext("Search") == "Rechercher"
        assert translation.gettext("Credit: %(credit)s") % {"credit": "AFP"} == (
            f"Crédit{NBSP}: AFP"
        )
        assert translation.gettext("€%(amount)s") % {"amount": "2,49"} == f"2,49{NBSP}€"
        assert (
            translation.ngettext(
                "You have %(count)d free article left this month.",
                "You have %(count)d free articles left this month.",
                2,
            )
            % {"count": 2}
            == "Il vous reste 2 articles gratuits ce mois-ci."
        )
        # French uses the singular for 0 and 1 (plural=(n > 1)).
        published = translation.ngettext(
            "%(count)d article published.", "%(count)d articles published.", 0
        )
        assert published % {"count": 0} == "0 article publié."

    with translation.override("en"):
        assert translation.gettext("Read also") == "Read also"
        assert translation.gettext("Search") == "Search"
