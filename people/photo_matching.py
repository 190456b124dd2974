"""Which student of a roster a photo's file name in an archive belongs to.

Schools name photos in three ways, and all three are matched: by student number
(`S001.jpg`, `S001_2.jpg`), by full name (`Ada Lovelace.jpg`, `ada_lovelace_2.png`, in any
case and with or without accents) or by a folder per student, named either way
(`S001/front.jpg`, `Ada Lovelace/IMG_0001.jpg`). Folders are tried innermost first, then the
file's own name. Two students of the course with the same name make that name ambiguous: a
file named so is refused (it could be either) and the message says to use the student
number. A file that matches nobody is refused with the closest names as suggestions.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.translation import gettext as _

SEPARATORS = re.compile(r"[\s_.\-,]+")
TRAILING_NUMBER = re.compile(r"(\s+\d{1,3})+$")  # "ada lovelace 2": the second photo of Ada
SUGGESTIONS = 3


def normalise_name(text: str) -> str:
    """Lower case without accents, words separated by one space: "Zoë_LÓPEZ-2" -> "zoe lopez 2"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return SEPARATORS.sub(" ", plain.casefold()).strip()


def name_without_counter(text: str) -> str:
    return TRAILING_NUMBER.sub("", normalise_name(text)).strip()


class NoStudent(ValueError):
    """The file cannot be given to one student; the message says why and what to do."""


@dataclass(frozen=True)
class RosterMatcher:
    by_number: dict
    by_name: dict  # normalised full name -> the students called so (two or more: ambiguous)

    @classmethod
    def for_people(cls, people) -> "RosterMatcher":
        by_number, by_name = {}, {}
        for person in people:
            by_number[person.external_id.casefold()] = person
            by_name.setdefault(normalise_name(person.full_name), []).append(person)
        return cls(by_number=by_number, by_name=by_name)

    def match(self, name: str):
        """The student a file belongs to; NoStudent when it is nobody's or could be two."""
        ambiguous = None
        for part in self._parts(name):
            try:
                person = self._by_number(part) or self._by_full_name(part)
            except NoStudent as refused:  # another part (e.g. the number) may still decide
                ambiguous = ambiguous or refused
                continue
            if person is not None:
                return person
        raise ambiguous or NoStudent(self._unmatched_message(name))

    @staticmethod
    def _parts(name: str) -> list[str]:
        path = PurePosixPath(name)
        return [part for part in [*reversed(path.parent.parts), path.stem] if part.strip()]

    def _by_number(self, part: str):
        candidates = [part.strip()]
        for separator in ("_", "-", " "):
            if separator in part:
                candidates.append(part.split(separator)[0].strip())
        known = [c.casefold() for c in candidates if c.casefold() in self.by_number]
        return self.by_number[known[0]] if known else None

    def _by_full_name(self, part: str):
        for key in dict.fromkeys([normalise_name(part), name_without_counter(part)]):
            students = self.by_name.get(key)
            if students and len(students) > 1:
                first, *_others = students = sorted(students, key=lambda person: person.external_id)
                numbers = ", ".join(person.external_id for person in students)
                raise NoStudent(
                    _(
                        "%(count)s students of this course are called "
                        "%(name)s (%(numbers)s): name this file by the student "
                        "number instead, e.g. %(external_id)s.jpg."
                    )
                    % {
                        "count": len(students),
                        "name": first.full_name,
                        "numbers": numbers,
                        "external_id": first.external_id,
                    }
                )
            if students:
                return students[0]
        return None

    def _unmatched_message(self, name: str) -> str:
        names = {key: people[0].full_name for key, people in self.by_name.items()}
        wanted = [name_without_counter(part) for part in self._parts(name)]
        close = []
        for key in wanted:
            close += difflib.get_close_matches(key, list(names), n=SUGGESTIONS, cutoff=0.6)
        suggestions = list(dict.fromkeys(names[key] for key in close))[:SUGGESTIONS]
        message = "no student of this course has this student number or name."
        if suggestions:
            message += " Did you mean " + " or ".join(suggestions) + "?"
        return message
