"""The sandbox's FetchXML subset (saved views and Outlook/offline sync filters)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.sandbox.fetchxml import parse_fetch
from wizard.sandbox.odata import ODataError
from wizard.sandbox.store import my_records_fetch

ME = "5e7a0001-0000-4000-8000-000000000001"
ROW = {"contactid": "c1", "_ownerid_value": ME, "fullname": "Ada Berg", "n": 5,
       "donotemail": False, "address1_city": None}


def fetch(conditions, kind="and"):
    return parse_fetch(f'<fetch><entity name="contact"><filter type="{kind}">{conditions}'
                       '</filter></entity></fetch>')


@pytest.mark.parametrize("condition,expected", [
    ('<condition attribute="ownerid" operator="eq-userid"/>', True),
    ('<condition attribute="ownerid" operator="ne-userid"/>', False),
    ('<condition attribute="ownerid" operator="eq" value="{5E7A0001-0000-4000-8000-000000000001}"/>', True),
    ('<condition attribute="fullname" operator="eq" value="ada berg"/>', True),
    ('<condition attribute="fullname" operator="like" value="%berg"/>', True),
    ('<condition attribute="fullname" operator="not-like" value="A_a%"/>', False),
    ('<condition attribute="n" operator="gt" value="4"/>', True),
    ('<condition attribute="n" operator="le" value="4"/>', False),
    ('<condition attribute="n" operator="in"><value>1</value><value>5</value></condition>', True),
    ('<condition attribute="n" operator="not-in"><value>5</value></condition>', False),
    ('<condition attribute="donotemail" operator="eq" value="0"/>', True),
    ('<condition attribute="address1_city" operator="null"/>', True),
    ('<condition attribute="address1_city" operator="not-null"/>', False),
])
def test_conditions(condition, expected):
    assert fetch(condition).matches(ROW, user_id=ME) is expected


def test_and_or_nesting():
    yes = '<condition attribute="n" operator="eq" value="5"/>'
    no = '<condition attribute="n" operator="eq" value="6"/>'
    assert fetch(yes + no, "or").matches(ROW, user_id=ME)
    assert not fetch(yes + no, "and").matches(ROW, user_id=ME)
    assert fetch(f'<filter type="or">{no}{yes}</filter>{yes}').matches(ROW, user_id=ME)


def test_default_filters_are_my_records():
    view = parse_fetch(my_records_fetch("contact"))
    assert view.entity == "contact" and view.attributes is None
    assert view.matches(ROW, user_id=ME)
    assert not view.matches(ROW, user_id="someone-else")


@pytest.mark.parametrize("text", [
    "", "<fetch/>", "<nope/>", "<fetch><entity/></fetch>",
    '<fetch aggregate="true"><entity name="contact"/></fetch>',
    '<fetch><entity name="contact"><link-entity name="account"/></entity></fetch>',
    '<fetch><entity name="contact"><filter><condition attribute="n" operator="between"/>'
    '</filter></entity></fetch>',
    '<fetch><entity name="contact"><filter type="xor"/></entity></fetch>',
    '<!DOCTYPE x [<!ENTITY a "b">]><fetch><entity name="contact"/></fetch>',
    '<fetch top="x"><entity name="contact"/></fetch>',
])
def test_unsupported_or_broken_fetch_is_a_clear_error(text):
    with pytest.raises(ODataError):
        parse_fetch(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('<>/="\' fetchentiynamfloudrsq%_-{}0123456789')),
               max_size=80))
def test_parser_never_crashes_with_anything_but_its_error(text):
    try:
        view = parse_fetch(text)
    except ODataError:
        return
    assert view.matches(ROW, user_id=ME) in (True, False)
