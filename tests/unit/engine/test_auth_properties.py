"""Parsers of server headers never crash on what a server (or proxy) may send."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wizard.engine.auth import authority_from_authorization_uri, parse_challenges
from wizard.engine.http import parse_retry_after
from wizard.engine.signin_errors import SignInError, signin_error


@given(st.lists(st.text(max_size=200), max_size=4))
def test_parse_challenges_total(values):
    out = parse_challenges(values)
    assert all(isinstance(k, str) and isinstance(v, dict) for k, v in out.items())


@given(st.text(max_size=200))
def test_authority_from_uri_total(text):
    result = authority_from_authorization_uri(text)
    assert result is None or result.startswith("https://")


@given(st.one_of(st.none(), st.text(max_size=60)), st.floats(0, 4e9))
def test_retry_after_is_none_or_non_negative(value, now):
    seconds = parse_retry_after(value, now=now)
    assert seconds is None or seconds >= 0


@given(st.dictionaries(st.sampled_from(["error", "error_description", "error_codes",
                                        "correlation_id"]),
                       st.one_of(st.text(max_size=80), st.integers(), st.none(),
                                 st.lists(st.one_of(st.integers(), st.text(max_size=8)),
                                          max_size=3))))
def test_signin_error_total(result):
    err = signin_error(result)
    assert isinstance(err, SignInError) and err.message and err.fix
