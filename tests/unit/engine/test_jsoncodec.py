"""Canonical JSON and page decoding (wizard.engine.jsoncodec): orjson, with the standard
library for what orjson refuses, giving the same text for the same value either way."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from wizard.engine import jsoncodec
from wizard.engine.mailstore import content_hash

# JSON values without floats (float text differs between encoders in exponent spelling,
# which only moves hashes, never values; floats are checked by value below)
scalars = st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


def stdlib(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


@given(values)
def test_canonical_text_is_the_standard_librarys_compact_sorted_utf8(value):
    assert jsoncodec.canonical(value) == stdlib(value)


@given(st.dictionaries(st.text(max_size=8), scalars, max_size=8))
def test_key_order_does_not_change_the_text_or_the_hash(d):
    backwards = dict(reversed(list(d.items())))
    assert jsoncodec.canonical(backwards) == jsoncodec.canonical(d)
    assert content_hash(backwards) == content_hash(d)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_keep_their_value(x):
    assert json.loads(jsoncodec.canonical({"x": x}))["x"] == x


def test_what_orjson_refuses_goes_to_the_standard_library_with_the_same_options():
    big = {"n": 2**70, "name": "Zoë"}                      # beyond 64 bits
    assert jsoncodec.canonical(big) == stdlib(big) == '{"n":1180591620717411303424,"name":"Zoë"}'
    keys = {2: "b", 1: "a"}                                 # non-string keys
    assert jsoncodec.canonical(keys) == stdlib(keys)


def test_datetimes_go_through_str_as_before():
    when = dt.datetime(2026, 11, 22, 9, 30)
    assert jsoncodec.canonical({"at": when}) == '{"at":"2026-11-22 09:30:00"}'


def test_loads_decodes_pages_and_falls_back_for_what_orjson_refuses():
    assert jsoncodec.loads(b'{"value":[{"a":1}]}') == {"value": [{"a": 1}]}
    assert jsoncodec.loads('{"n": 9223372036854775807}')["n"] == 2**63 - 1   # Dataverse BigInt
    assert jsoncodec.loads(b'{"x": NaN}')["x"] != 0          # the standard library's NaN
    try:
        jsoncodec.loads(b"{not json")
    except ValueError:
        pass
    else:
        raise AssertionError("invalid JSON must raise ValueError")
