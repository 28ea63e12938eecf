"""The API's JSON parser: DRF's, with a bound on how deeply a body may nest.

Python's decoder gives up on a body nested about a thousand levels deep with a
RecursionError, which DRF does not catch (a 500); a body a little less deep parses, and
then every walk over it (validation, the idempotency fingerprint, error flattening) is
deep recursion again. No body of this API nests more than a few levels, so anything past
MAX_JSON_DEPTH is a malformed request (400, billing_bff.problems.MalformedRequest).

The size of a body is bounded before it is read (billing_bff.web.middleware.
RequestSizeMiddleware, DATA_UPLOAD_MAX_MEMORY_SIZE), so the decoder never sees more.
"""

from __future__ import annotations

import codecs

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# Objects and arrays inside each other; the deepest body the API takes has 3.
MAX_JSON_DEPTH = 32


def json_depth_exceeds(value, limit: int) -> bool:
    """Whether objects and arrays in `value` nest deeper than `limit` (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSONParser; a body nested deeper than MAX_JSON_DEPTH is a ParseError."""

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(self._too_deep()) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if json_depth_exceeds(data, self.max_depth):
            raise ParseError(self._too_deep())
        return data

    def _too_deep(self) -> str:
        return f"JSON parse error - nested deeper than {self.max_depth} levels."
