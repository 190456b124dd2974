"""Every shipped language's catalogs are complete: makemessages run on a copy of the project
finds no message that is missing, untranslated or fuzzy, and no translation that lost a
placeholder (docs/languages.md)."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from dashboard.catalogs import (
    DOMAINS,
    IGNORED,
    placeholder_problems,
    problems,
    translated_languages,
    update_catalogs,
)

pytestmark = pytest.mark.skipif(
    shutil.which("msgmerge") is None, reason="needs GNU gettext (apt-get install gettext)"
)


@pytest.fixture
def project_copy(tmp_path):
    """The app's code, templates, scripts and catalogs, in a folder makemessages may write."""
    copy = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(*IGNORED, ".git", "*.mo", "__pycache__", "*.sqlite3"),
        symlinks=True,
    )
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            yield copy
    finally:
        os.chdir(cwd)


def catalogs(root: Path) -> list[Path]:
    return [
        root / "locale" / code / "LC_MESSAGES" / f"{domain}.po"
        for code in translated_languages()
        for domain in DOMAINS
    ]


def test_the_shipped_languages_are_spanish_french_german_and_arabic():
    assert translated_languages() == ["es", "fr", "de", "ar"]
    assert all(path.exists() for path in catalogs(settings.BASE_DIR))


def test_every_marked_string_is_translated_in_every_catalog(project_copy):
    update_catalogs()
    found = [problem for path in catalogs(project_copy) for problem in problems(path)]
    assert not found, f"{len(found)} messages to translate, e.g.:\n" + "\n".join(found[:30])


def test_every_translation_keeps_its_placeholders():
    found = [p for path in catalogs(settings.BASE_DIR) for p in placeholder_problems(path)]
    assert not found, "\n".join(found[:30])


def test_an_untranslated_or_fuzzy_message_is_found(tmp_path):
    po_file = tmp_path / "django.po"
    po_file.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Courses"\nmsgstr "Cursos"\n\n'
        'msgid "Save"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Account"\nmsgstr "Cuenta"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "uno"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    assert problems(po_file) == [
        f"{po_file}: untranslated: 'Save'",
        f"{po_file}: fuzzy: 'Account'",
        f"{po_file}: untranslated: 'one'",
    ]
