"""The API's JSON parser: bounded before parsing (commerce.core.validation.json_loads_bounded).

DRF's JSONParser reads the whole stream, however long, and lets `json` recurse once per nesting
level, so a 10 MB or 10,000-deep body became a 500. This one reads at most
DATA_UPLOAD_MAX_MEMORY_SIZE + 1 bytes (a body past the limit is a 413 even without a
Content-Length), refuses nesting deeper than MAX_JSON_DEPTH and NUL or lone surrogates in any key or
string (400; the text fields refuse the other control characters), and is the default parser of every
API view.
"""

from django.conf import settings
from rest_framework.parsers import JSONParser

from commerce.core.validation import RequestTooLarge, json_loads_bounded


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.", details={"max_bytes": limit})
        return json_loads_bounded(raw, max_bytes=limit)
