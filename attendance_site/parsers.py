"""JSON parsing that answers 400 for pathological nesting.

Python's json module recurses once per nesting level: `[` x 100000 raises RecursionError,
which DRF's parser does not catch, so any JSON endpoint answered 500, anonymously.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the document is nested too deeply.")) from None
