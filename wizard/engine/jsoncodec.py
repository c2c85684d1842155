"""JSON where volume matters: canonical text for hashing, and decoding of Web API pages.

``canonical()`` gives sorted keys, no spaces and UTF-8 text (non-ASCII is not escaped).
The mailbox hashes an item's content from it and the sync status keeps its merge base in
it, so an initial sync encodes two documents per record (40,000 for 20,000 contacts).
``loads()`` decodes the org's pages (24 MB for 20,000 contacts).

Both use ``orjson`` (several times faster than the standard library at both) and fall back
to the standard library, with the same options, for what ``orjson`` refuses (encoding
integers beyond 64 bits or non-string keys; decoding NaN): the text of a given value never
depends on which of the two made it. One difference is left: ``loads`` reads an integer
beyond 64 bits as a float (Dataverse's widest integer, BigInt, is 64 bits).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# datetimes and dataclasses go through ``default=str``, as in the standard library
_OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS)
_FALLBACK = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                             default=str)


def canonical(value: Any) -> str:
    """The canonical JSON text of ``value`` (see the module docstring)."""
    try:
        return orjson.dumps(value, default=str, option=_OPTIONS).decode("utf-8")
    except TypeError:                     # orjson.JSONEncodeError is a TypeError
        return _FALLBACK.encode(value)


def loads(data: bytes | str) -> Any:
    """Decode JSON text (raises ``ValueError`` on invalid JSON, as ``json.loads`` does)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:        # a ValueError; the standard library may accept it
        return json.loads(data)
