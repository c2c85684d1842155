"""The iCalendar/vCard serializer: faithful round trips, and nothing of the user's lost."""

from __future__ import annotations

from datetime import datetime, timezone

import icalendar
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.engine import calcard as cc
from wizard.engine.mailstore import SqliteMailStore

EVENT = {"subject": "Review", "start": "2026-05-01T10:00:00Z", "end": "2026-05-01T11:00:00Z",
         "location": "Room 1", "body": "Line 1\nLine 2",
         "organizer": "o@x.example", "required_attendees": ["a@x.example", "b@x.example"],
         "optional_attendees": ["c@x.example"], "recurrence": "FREQ=WEEKLY;COUNT=3",
         "importance": "high", "show_as": "out_of_office",
         "attachments": [{"name": "a.txt", "content_type": "text/plain", "data": "aGVsbG8="}]}
TASK = {"subject": "Do it", "start": "2026-05-02T08:00:00Z", "due": "2026-05-03T17:00:00Z",
        "completed_on": "2026-05-03T12:00:00Z", "priority": "low", "status": "waiting",
        "percent_complete": 40, "actual_work": 30, "body": "notes"}
CONTACT = {"first_name": "Ann", "last_name": "Lee", "middle_name": "Q", "salutation": "Dr.",
           "full_name": "Ann Lee (Contoso)", "job_title": "CEO", "company": "Contoso",
           "department": "R&D", "email1": "a@x.example", "email2": "b@x.example",
           "email3": "c@x.example", "business_phone": "+1 555", "business_phone2": "+1 556",
           "home_phone": "+1 557", "mobile_phone": "+1 558", "other_phone": "+1 559",
           "business_fax": "+1 560", "web_page": "https://x.example", "birthday": "1980-05-01",
           "notes": "n1\nn2", "business_address_street": "1 Main",
           "business_address_street2": "Floor 2", "business_address_city": "Oslo",
           "business_address_postal_code": "0150", "business_address_country": "Norway",
           "home_address_street": "2 Side", "home_address_city": "Rome",
           "other_address_city": "Paris", "other_address_state": "IDF",
           "mailing_address": "home"}
META = cc.ItemMeta(tracked=True, org_record_id="6f1c0000-0000-4000-8000-000000000001",
                   origin="org")

USER_EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Someone//Calendar app//EN
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:user-event-1
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:20260601T100000
DTEND;TZID=Europe/Berlin:20260601T110000
RRULE:FREQ=WEEKLY;COUNT=5
EXDATE;TZID=Europe/Berlin:20260608T100000
SUMMARY:Weekly
CATEGORIES:Work,Blue
ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Ann:mailto:a@x.example
ATTENDEE;ROLE=OPT-PARTICIPANT:mailto:b@x.example
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER:-PT15M
DESCRIPTION:Reminder
END:VALARM
X-SOMEONE-COLOR:blue
END:VEVENT
BEGIN:VEVENT
UID:user-event-1
RECURRENCE-ID;TZID=Europe/Berlin:20260615T100000
DTSTART;TZID=Europe/Berlin:20260615T120000
DTEND;TZID=Europe/Berlin:20260615T130000
SUMMARY:Moved this week
DTSTAMP:20260101T000000Z
END:VEVENT
END:VCALENDAR
"""

USER_CARD = ("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:user-card-1\r\nFN:Ann Lee\r\nN:Lee;Ann;;;\r\n"
             "TEL;TYPE=work,voice:+1 555\r\nTEL;TYPE=pager:+1 999\r\n"
             "EMAIL;TYPE=work:a@x.example\r\nEMAIL:b@x.example\r\nEMAIL:c@x.example\r\n"
             "EMAIL:fourth@x.example\r\nCATEGORIES:Friends,Golf\r\n"
             "X-ABC-NICK;X-P=1:annie\r\nADR;TYPE=home:;;2 Side;Rome;;;\r\nEND:VCARD\r\n")


@pytest.mark.parametrize("kind, data", [("appointment", EVENT), ("task", TASK),
                                        ("contact", CONTACT)])
@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_every_field_round_trips(kind, data, version):
    raw = cc.serialize(kind, data, uid="uid-1", meta=META, vcard_version=version)
    parsed = cc.parse(raw)
    assert (parsed.kind, parsed.uid, parsed.data, parsed.meta) == (kind, "uid-1", data, META)


def test_contacts_parse_with_the_standard_libraries_in_both_versions():
    for version in ("3.0", "4.0"):
        raw = cc.serialize("contact", CONTACT, uid="u", vcard_version=version)
        card = vobject.readOne(raw)
        assert card.version.value == version
        types = sorted(str(a.params.get("TYPE")) for a in card.contents["adr"])
        assert len(types) == 3
        assert "UID:u" in raw and "FN:Ann Lee (Contoso)" in raw
        if version == "4.0":
            assert "BDAY:19800501" in raw and "PREF=1" in raw
        else:
            assert "BDAY:1980-05-01" in raw and "TYPE=HOME,PREF" in raw


def test_all_day_events_use_dates():
    start = datetime(2026, 5, 1).astimezone().astimezone(timezone.utc)
    end = datetime(2026, 5, 2).astimezone().astimezone(timezone.utc)
    data = {"subject": "Holiday", "start": cc.utc_text(start), "end": cc.utc_text(end),
            "all_day": True}
    raw = cc.serialize("appointment", data, uid="u")
    assert "DTSTART;VALUE=DATE:20260501" in raw and "DTEND;VALUE=DATE:20260502" in raw
    assert cc.parse(raw).data == data


def test_a_fixed_offset_time_is_written_in_utc():
    data = {"subject": "x", "start": "2026-01-01T10:00:00+01:00"}
    raw = cc.serialize("appointment", data, uid="u")
    assert "DTSTART:20260101T090000Z" in raw and "TZID" not in raw


def test_an_update_keeps_what_the_user_added():
    before = cc.parse(USER_EVENT)
    assert before.data["start"] == "2026-06-01T08:00:00Z"      # read through the VTIMEZONE
    data = dict(before.data, subject="Renamed",
                required_attendees=["a@x.example", "new@x.example"])
    out = cc.serialize("appointment", data, uid="user-event-1", base=USER_EVENT,
                       meta=cc.ItemMeta(True, "r1", "mailbox"))
    cal = icalendar.Calendar.from_ical(out)
    master, moved = cal.walk("VEVENT")
    assert str(master["summary"]) == "Renamed"
    assert [c.cats for c in [master["categories"]]][0] == ["Work", "Blue"]
    assert master.walk("VALARM") and str(master["x-someone-color"]) == "blue"
    assert "TZID=Europe/Berlin:20260601T100000" in out           # its own zone stays
    assert "EXDATE;TZID=Europe/Berlin:20260608T100000" in out
    assert str(moved["summary"]) == "Moved this week" and "RECURRENCE-ID" in moved
    ann = [a for a in master["attendee"] if "a@x" in a][0]
    assert ann.params["PARTSTAT"] == "ACCEPTED" and ann.params["CN"] == "Ann"
    assert cal.walk("VTIMEZONE")
    again = cc.parse(out)
    assert again.data == data and again.meta == cc.ItemMeta(True, "r1", "mailbox")


def test_a_new_start_time_is_written_and_read_back():
    before = cc.parse(USER_EVENT)
    data = dict(before.data, start="2026-06-01T09:00:00Z", end="2026-06-01T10:00:00Z")
    out = cc.serialize("appointment", data, uid="user-event-1", base=USER_EVENT)
    assert cc.parse(out).data == data
    assert "RECURRENCE-ID;TZID=Europe/Berlin" in out and "X-SOMEONE-COLOR" in out


def test_a_card_update_keeps_unmapped_lines_and_its_version():
    before = cc.parse(USER_CARD)
    assert before.data["email1"] == "a@x.example" and "email4" not in before.data
    data = dict(before.data, job_title="CTO", business_phone="+1 777")
    out = cc.serialize("contact", data, uid="user-card-1", base=USER_CARD,
                       meta=cc.ItemMeta(True, "r2", "mailbox"))
    card = vobject.readOne(out)
    assert card.version.value == "4.0"
    assert "fourth@x.example" in out and "TYPE=pager:+1 999" in out
    assert "X-ABC-NICK;X-P=1:annie" in out and "CATEGORIES:Friends,Golf" in out
    assert cc.parse(out).data == data


def test_the_app_properties_are_read_and_replaced():
    raw = cc.serialize("task", TASK, uid="u", meta=META)
    out = cc.serialize("task", TASK, uid="u", base=raw,
                       meta=cc.ItemMeta(False, None, "mailbox"))
    assert out.count("X-D365-TRACKED") == 1 and "X-D365-ORGRECORDID" not in out
    assert cc.parse(out).meta == cc.ItemMeta(False, None, "mailbox")


def test_garbage_is_a_plain_error():
    with pytest.raises(cc.ItemFormatError) as exc:
        cc.parse("hello", what="the file x.ics")
    assert "x.ics" in str(exc.value)
    with pytest.raises(cc.ItemFormatError):
        cc.parse("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")


def test_export_has_no_time_zone_without_its_vtimezone(tmp_path):
    """Issue 12: exports carry valid time zones (no TZID="UTC+01:00" without a VTIMEZONE)."""
    with SqliteMailStore(tmp_path / "m.sqlite3") as store:
        store.add("appointment", {"subject": "Berlin call", "start": "2026-03-01T10:00:00+01:00",
                                  "end": "2026-03-01T11:00:00+01:00"})
        store.add("task", {"subject": "Due", "due": "2026-03-02T09:00:00+09:00"})
        store.export("calendar", tmp_path / "cal.ics")
        store.export("tasks", tmp_path / "tasks.ics")
    text = (tmp_path / "cal.ics").read_text() + (tmp_path / "tasks.ics").read_text()
    for name in ("cal.ics", "tasks.ics"):
        cal = icalendar.Calendar.from_ical((tmp_path / name).read_text())
        zones = {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")}
        for comp in cal.walk():
            for prop in ("DTSTART", "DTEND", "DUE"):
                if prop in comp and "TZID" in comp[prop].params:
                    assert comp[prop].params["TZID"] in zones, text
    assert "DTSTART:20260301T090000Z" in text and "DUE:20260302T000000Z" in text


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
               min_size=1, max_size=12).map(str.strip).filter(bool)
EMAIL = st.from_regex(r"[a-z]{1,6}@[a-z]{1,6}\.example", fullmatch=True)
TIME = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "first_name": TEXT, "last_name": TEXT, "company": TEXT, "job_title": TEXT,
    "email1": EMAIL, "mobile_phone": st.from_regex(r"\+[0-9 ]{3,12}[0-9]", fullmatch=True),
    "notes": TEXT, "business_address_city": TEXT, "home_address_street": TEXT,
    "birthday": st.dates().map(lambda d: d.isoformat())}),
    st.sampled_from(["3.0", "4.0"]))
def test_contacts_round_trip(data, version):
    data = {k: v for k, v in data.items() if v}
    raw = cc.serialize("contact", data, uid="u", vcard_version=version)
    assert cc.parse(raw).data == data


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({"start": TIME}, optional={
    "subject": TEXT, "location": TEXT, "body": TEXT, "end": TIME,
    "required_attendees": st.lists(EMAIL, max_size=3, unique=True),
    "importance": st.sampled_from(["low", "normal", "high"]),
    "show_as": st.sampled_from(["free", "tentative", "busy", "out_of_office"])}))
def test_events_round_trip(data):
    data = {k: v for k, v in data.items() if v not in ([], "")}
    assert cc.parse(cc.serialize("appointment", data, uid="u")).data == data
