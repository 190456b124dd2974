"""The translation catalogs (locale/<language>/LC_MESSAGES/django.po and djangojs.po): how
they are brought up to date with the marked strings, and what makes one incomplete.

`manage.py update_catalogs` and the catalog test run the same makemessages, so a catalog
that passes the test is the one a contributor gets. See docs/languages.md.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

DOMAINS = ("django", "djangojs")
# Everything but the app's own code, templates and scripts.
IGNORED = [
    ".venv",
    "node_modules",
    "staticfiles",
    "media",
    "artifacts",
    "tests",
    "bench",
    "deploy",
    ".cache",
]


def translated_languages() -> list[str]:
    """The shipped languages other than the source language (English)."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def update_catalogs(verbosity: int = 0) -> None:
    """makemessages for every shipped language and both domains, in the current directory
    (the project, or a copy of it)."""
    for domain in DOMAINS:
        call_command(
            "makemessages",
            locale=translated_languages(),
            domain=domain,
            ignore_patterns=IGNORED,
            no_location=True,
            no_obsolete=True,
            verbosity=verbosity,
        )


@dataclass
class Entry:
    msgid: str = ""
    translations: list[str] | None = None
    fuzzy: bool = False


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(line: str) -> str:
    text = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text)


def entries(po_file: Path) -> list[Entry]:
    """The catalog's messages (not its header, not obsolete ones), with their translations."""
    found, entry, field = [], None, None
    for line in po_file.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip() or line.startswith("#~"):
            if entry is not None and entry.msgid:
                found.append(entry)
            entry, field = None, None
            continue
        entry = entry or Entry(translations=[])
        if line.startswith("#,") and "fuzzy" in line:
            entry.fuzzy = True
        elif line.startswith("msgid "):
            entry.msgid, field = _unquote(line), "msgid"
        elif line.startswith("msgstr"):
            entry.translations.append(_unquote(line))
            field = "msgstr"
        elif line.startswith('"') and field == "msgid":
            entry.msgid += _unquote(line)
        elif line.startswith('"') and field == "msgstr":
            entry.translations[-1] += _unquote(line)
        elif line.startswith("msgid_plural") or line.startswith("msgctxt"):
            field = None
    return found


def problems(po_file: Path) -> list[str]:
    """Each message of the catalog that is untranslated or fuzzy."""
    return [
        f"{po_file}: {'fuzzy' if entry.fuzzy else 'untranslated'}: {entry.msgid!r}"
        for entry in entries(po_file)
        if entry.fuzzy or not all(text.strip() for text in entry.translations)
    ]


PLACEHOLDER = re.compile(r"%\(\w+\)[sdfg]|%[sd]|\{\w+\}")


def placeholder_problems(po_file: Path) -> list[str]:
    """A translation must keep the original's placeholders, or the page would fail."""
    return [
        f"{po_file}: placeholders differ: {entry.msgid!r}"
        for entry in entries(po_file)
        if any(
            sorted(set(PLACEHOLDER.findall(text))) != sorted(set(PLACEHOLDER.findall(entry.msgid)))
            for text in entry.translations[:1]
            if text
        )
    ]
