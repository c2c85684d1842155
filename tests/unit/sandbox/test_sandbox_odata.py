"""The sandbox's OData query subset: parser, evaluator, and property tests against a reference."""

from __future__ import annotations

import contextlib
import operator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.sandbox import odata
from wizard.sandbox.odata import ODataError, evaluate, parse_filter

ROWS = [
    {"fullname": "Alice Adams", "n": 3, "_ownerid_value": "5E7A0001-0000-4000-8000-000000000001",
     "modifiedon": "2024-05-01T10:00:00Z", "donotemail": True, "birthdate": "1980-02-03"},
    {"fullname": "bob brown", "n": None, "_ownerid_value": "5e7a0002-0000-4000-8000-000000000002",
     "modifiedon": "2023-01-01T00:00:00Z", "donotemail": False, "birthdate": None},
    {"fullname": "O'Brien", "n": -2, "_ownerid_value": None,
     "modifiedon": "2024-05-01T10:00:00.1234567Z", "donotemail": False, "birthdate": "1990-12-31"},
]


def matches(text, *, case_sensitive=False):
    expr = parse_filter(text)
    return [r["fullname"] for r in ROWS if evaluate(expr, r, case_sensitive=case_sensitive)]


@pytest.mark.parametrize("text,expected", [
    ("fullname eq 'alice adams'", ["Alice Adams"]),
    ("fullname ne 'alice adams'", ["bob brown", "O'Brien"]),
    ("fullname eq 'O''Brien'", ["O'Brien"]),
    ("n gt 0", ["Alice Adams"]),
    ("n le 3", ["Alice Adams", "O'Brien"]),
    ("n eq null", ["bob brown"]),
    ("n ne null", ["Alice Adams", "O'Brien"]),
    ("n lt -1", ["O'Brien"]),
    ("n ge 2.5", ["Alice Adams"]),
    ("donotemail eq true", ["Alice Adams"]),
    ("donotemail", ["Alice Adams"]),
    ("not donotemail", ["bob brown", "O'Brien"]),
    ("not (n eq null)", ["Alice Adams", "O'Brien"]),
    ("contains(fullname,'BR')", ["bob brown", "O'Brien"]),
    ("startswith(fullname, 'al')", ["Alice Adams"]),
    ("endswith(fullname,'N')", ["bob brown", "O'Brien"]),
    ("_ownerid_value eq 5e7a0001-0000-4000-8000-000000000001", ["Alice Adams"]),
    ("_ownerid_value eq 5E7A0002-0000-4000-8000-000000000002", ["bob brown"]),
    ("_ownerid_value eq null", ["O'Brien"]),
    ("modifiedon ge 2024-01-01T00:00:00Z", ["Alice Adams", "O'Brien"]),
    ("modifiedon gt 2024-05-01T10:00:00Z", ["O'Brien"]),
    ("modifiedon lt 2024-05-01T12:00:00+02:00", ["bob brown"]),
    ("birthdate gt 1985-01-01", ["O'Brien"]),
    ("n gt 0 or n lt 0 and donotemail eq false", ["Alice Adams", "O'Brien"]),
    ("(n gt 0 or n lt 0) and donotemail eq false", ["O'Brien"]),
    ("n eq 'x'", []),
    ("n ne 'x'", ["Alice Adams", "bob brown", "O'Brien"]),
])
def test_filter_evaluates_like_dataverse(text, expected):
    assert matches(text) == expected


def test_case_sensitive_mode_for_global_discovery():
    assert matches("fullname eq 'alice adams'", case_sensitive=True) == []
    assert matches("fullname eq 'Alice Adams'", case_sensitive=True) == ["Alice Adams"]
    assert matches("contains(fullname,'BR')", case_sensitive=True) == []


@pytest.mark.parametrize("text", [
    "", "fullname eq", "(n eq 1", "n eq 1)", "n eq 1 eq 2", "'unterminated", "n == 1",
    "and", "n eq 1 and", "contains(fullname)", "contains(fullname,'a','b')",
    "not fullname eq 'x'", "substringof('a',fullname)", "n eq 2024-13-45",
    "fullname eq \"x\"", "n eq 1;", "primarycontactid/fullname eq 'x'",
])
def test_bad_filters_raise_odata_error_only(text):
    with pytest.raises(ODataError) as info:
        parse_filter(text)
    assert info.value.status == 400
    assert info.value.code in (odata.SYNTAX_ERROR_CODE, odata.UNKNOWN_PROPERTY_CODE)
    body = info.value.to_json()
    assert set(body["error"]) == {"code", "message"}


def test_deep_nesting_is_refused_not_crashing():
    with pytest.raises(ODataError):
        parse_filter("(" * 5000 + "n eq 1" + ")" * 5000)
    with pytest.raises(ODataError):
        parse_filter("not " * 5000 + "donotemail")


def test_unknown_property_is_refused_with_dataverse_message():
    with pytest.raises(ODataError) as info:
        odata.compile_filter("Fullname eq 'x'", properties={"fullname"}, type_name="contact")
    assert info.value.code == "0x0"
    assert info.value.message == (
        "Could not find a property named 'Fullname' on type 'Microsoft.Dynamics.CRM.contact'.")


def test_select_orderby_top_count():
    assert odata.parse_select("fullname, n,fullname") == ["fullname", "n"]
    assert odata.parse_orderby("n desc, fullname") == [("n", True), ("fullname", False)]
    assert odata.parse_top("10") == 10
    assert odata.parse_count("true") is True
    for bad in (lambda: odata.parse_select("a,,b"), lambda: odata.parse_orderby("a up"),
                lambda: odata.parse_top("-1"), lambda: odata.parse_top("x"),
                lambda: odata.parse_count("yes"), lambda: odata.parse_orderby("")):
        with pytest.raises(ODataError):
            bad()


def test_sort_rows_multiple_keys_and_nulls():
    rows = [{"a": 1, "b": "x"}, {"a": None, "b": "y"}, {"a": 1, "b": "W"}, {"a": 2, "b": "z"}]
    assert odata.sort_rows(rows, [("a", False), ("b", False)]) == [
        rows[1], rows[2], rows[0], rows[3]]
    assert odata.sort_rows(rows, [("a", True), ("b", True)]) == [
        rows[3], rows[0], rows[2], rows[1]]


# --------------------------------------------------------------------------- properties

@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abn eqtlgor()'0123456789-,:TZ._/=[]M")),
               max_size=40))
def test_parser_never_crashes_with_anything_but_its_error(text):
    try:
        expr = parse_filter(text)
    except ODataError:
        return
    for row in ROWS:
        assert evaluate(expr, row) in (True, False)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_parser_survives_arbitrary_unicode(text):
    with contextlib.suppress(ODataError):
        parse_filter(text)


OPS = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "ge": operator.ge,
       "lt": operator.lt, "le": operator.le}
ints = st.integers(min_value=-10**6, max_value=10**6)
words = st.text(alphabet="abcXYZ' ", max_size=6)


def _literal(v):
    return "'" + v.replace("'", "''") + "'" if isinstance(v, str) else str(v)


simple = st.one_of(
    st.tuples(st.just("n"), st.sampled_from(list(OPS)), ints),
    st.tuples(st.just("s"), st.sampled_from(list(OPS)), words),
)


def _reference(clause, row):
    field, op, value = clause
    have = row[field]
    if field == "s":
        return OPS[op](have.casefold(), value.casefold())
    return OPS[op](have, value)


@settings(max_examples=300, deadline=None)
@given(st.lists(simple, min_size=1, max_size=4), st.lists(st.sampled_from(["and", "or"]),
       min_size=3, max_size=3), st.booleans(), ints, words)
def test_generated_filters_agree_with_python_reference(clauses, joins, negate, n, s):
    row = {"n": n, "s": s}
    parts = [f"{f} {op} {_literal(v)}" for f, op, v in clauses]
    text = parts[0]
    expected = _reference(clauses[0], row)
    for join, part, clause in zip(joins, parts[1:], clauses[1:]):
        # Parenthesise left-to-right so the reference needs no precedence rules.
        text = f"({text}) {join} {part}"
        value = _reference(clause, row)
        expected = (expected and value) if join == "and" else (expected or value)
    if negate:
        text, expected = f"not ({text})", not expected
    assert evaluate(parse_filter(text), row) is expected


ME = "5E7A0001-0000-4000-8000-000000000001"


@pytest.mark.parametrize("text,expected", [
    ("Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')", ["Alice Adams"]),
    ("Microsoft.Dynamics.CRM.NotEqualUserId(PropertyName='ownerid')", ["bob brown", "O'Brien"]),
    ("Microsoft.Dynamics.CRM.In(PropertyName='n',PropertyValues=['3','-2'])",
     ["Alice Adams", "O'Brien"]),
    ("Microsoft.Dynamics.CRM.NotIn(PropertyName='fullname',PropertyValues=['BOB BROWN'])",
     ["Alice Adams", "O'Brien"]),
    ("Microsoft.Dynamics.CRM.Null(PropertyName='n')", ["bob brown"]),
    ("not Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid') and n ne null",
     ["O'Brien"]),
])
def test_dataverse_query_functions(text, expected):
    expr = parse_filter(text)
    rows = [dict(r, _ownerid_value=r["_ownerid_value"]) for r in ROWS]
    assert [r["fullname"] for r in rows if evaluate(expr, r, user_id=ME.lower())] == expected


@pytest.mark.parametrize("text", [
    "Microsoft.Dynamics.CRM.Between(PropertyName='n',PropertyValues=['1','2'])",
    "Microsoft.Dynamics.CRM.In(PropertyName='n')",
    "Microsoft.Dynamics.CRM.In(PropertyName='n',PropertyValues=[1])",
    "Microsoft.Dynamics.CRM.EqualUserId(PropertyName=ownerid)",
    "Microsoft.Dynamics.CRM.EqualUserId()",
    "n = 1", "[n]",
])
def test_bad_query_functions(text):
    with pytest.raises(ODataError):
        parse_filter(text)


def test_query_function_properties_are_checked_with_lookup_names():
    pred = odata.compile_filter("Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')",
                                properties={"_ownerid_value", "fullname"}, type_name="contact",
                                user_id=ME)
    assert pred({"_ownerid_value": ME.lower()})
    with pytest.raises(ODataError):
        odata.compile_filter("Microsoft.Dynamics.CRM.Null(PropertyName='nosuch')",
                             properties={"fullname"}, type_name="contact")
