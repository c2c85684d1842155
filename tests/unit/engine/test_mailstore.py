"""The local mailbox store: items, change counters, conditional writes, export, filters."""

from __future__ import annotations

import icalendar
import pytest
import vobject

from wizard.engine.mailstore import ItemChanged, MailStoreError, SqliteMailStore
from wizard.engine.stamp import MailboxStore
from wizard.engine.sync import filters as flt
from wizard.engine.sync.webapi import parse_batch_response, rrule_of


@pytest.fixture
def store(tmp_path):
    s = SqliteMailStore(tmp_path / "mailbox.sqlite3")
    yield s
    s.close()


def test_items_round_trip_and_change_counter(store):
    item = store.add("contact", {"first_name": "Ann", "last_name": "Lee", "notes": ""})
    assert item.data == {"first_name": "Ann", "last_name": "Lee"}   # empty drops out
    assert not item.tracked and item.org_record_id is None
    same = store.update(item.local_id, {"first_name": "Ann"})
    assert same.change_counter == 1                                  # no change, no bump
    changed = store.update(item.local_id, {"job_title": "CEO"})
    assert changed.change_counter == 2 and changed.hash != item.hash
    with pytest.raises(ItemChanged):
        store.update(item.local_id, {"job_title": "CTO"}, expect_counter=1)
    assert store.set_tracked(item.local_id, True).tracked
    assert store.require(item.local_id[:8]).local_id == item.local_id
    store.delete(item.local_id)
    assert store.get(item.local_id) is None


def test_unknown_kind_is_refused(store):
    with pytest.raises(MailStoreError, match="contact"):
        store.add("note", {})


def test_shares_the_file_with_the_stamp(tmp_path):
    db = tmp_path / "mailbox.sqlite3"
    stamp = MailboxStore(db)
    stamp.claim("a1b2c3d4-0002-4000-8000-000000000002", "Contoso (Japan)")
    with SqliteMailStore(db) as s:
        s.add("task", {"subject": "x"})
        assert s.meta_get("mailstore_schema") == "1"
        assert s.meta_get("stamp_schema") == "1"
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert stamp.stamp().org_name == "Contoso (Japan)"


def test_export_ics_and_vcf(store, tmp_path):
    store.add("appointment", {"subject": "Review", "start": "2026-01-05T09:00:00Z",
                              "end": "2026-01-05T10:00:00Z", "location": "Room 1",
                              "required_attendees": ["a@x.example"],
                              "recurrence": "FREQ=WEEKLY;COUNT=4",
                              "attachments": [{"name": "a.txt", "content_type": "text/plain",
                                               "data": "aGk="}]})
    store.add("task", {"subject": "Call", "due": "2026-01-06", "priority": "high",
                       "status": "completed"})
    store.add("contact", {"first_name": "Ann", "last_name": "Lee", "email1": "ann@x.example",
                          "home_address_city": "Oslo", "mobile_phone": "+47 1"})
    assert store.export("calendar", tmp_path / "c.ics") == 1
    cal = icalendar.Calendar.from_ical((tmp_path / "c.ics").read_bytes())
    [event] = cal.walk("VEVENT")
    assert str(event["summary"]) == "Review" and event["rrule"]["COUNT"] == [4]
    store.export("tasks", tmp_path / "t.ics")
    [todo] = icalendar.Calendar.from_ical((tmp_path / "t.ics").read_bytes()).walk("VTODO")
    assert todo["priority"] == 1 and str(todo["status"]) == "COMPLETED"
    store.export("contacts", tmp_path / "c.vcf")
    [card] = vobject.readComponents((tmp_path / "c.vcf").read_text())
    assert card.fn.value == "Ann Lee" and card.adr.value.city == "Oslo"
    with pytest.raises(MailStoreError):
        store.export("inbox", tmp_path / "x")


def test_fetchxml_filters():
    _, where = flt.parse_fetchxml(
        '<fetch><entity name="contact"><filter type="and">'
        '<condition attribute="ownerid" operator="eq-userid"/>'
        '<filter type="or"><condition attribute="address1_city" operator="eq" value="Oslo"/>'
        '<condition attribute="lastname" operator="like" value="Le%"/></filter>'
        '</filter></entity></fetch>')
    f = flt.SyncFilter("contact", "x", where)
    me = "5e7a0001-0000-4000-8000-000000000001"
    assert f.matches({"_ownerid_value": me.upper(), "address1_city": "Oslo"}, me)
    assert f.matches({"_ownerid_value": me, "lastname": "Lee"}, me)
    assert not f.matches({"_ownerid_value": me, "lastname": "Kim"}, me)
    assert not f.matches({"_ownerid_value": "other", "address1_city": "Oslo"}, me)
    again = flt.from_userquery({"fetchxml": flt.to_fetchxml(f), "name": "x", "querytype": 256})
    assert again.where == f.where
    assert flt.filters_for([], "task")[0].name == "My Tasks"


def test_batch_response_parsing_and_rrule():
    body = (b"--b1\r\nContent-Type: multipart/mixed; boundary=c1\r\n\r\n"
            b"--c1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
            b"Content-ID: 1\r\n\r\nHTTP/1.1 412 Precondition Failed\r\nContent-Type: "
            b"application/json\r\n\r\n{\"error\": {\"code\": \"0x80060882\", \"message\": \"x\"}}"
            b"\r\n--c1--\r\n--b1\r\nContent-Type: application/http\r\n"
            b"Content-Transfer-Encoding: binary\r\nContent-ID: 2\r\n\r\n"
            b"HTTP/1.1 204 No Content\r\n\r\n\r\n--b1--\r\n")
    answers = parse_batch_response("multipart/mixed; boundary=b1", body)
    assert answers["1"][0] == 412 and answers["1"][1]["error"]["code"] == "0x80060882"
    assert answers["2"] == (204, None)
    assert rrule_of({"recurrencepatterntype": 1, "interval": 1, "daysofweekmask": 2,
                     "occurrences": 10, "patternendtype": 2}) == "FREQ=WEEKLY;BYDAY=MO;COUNT=10"


def test_bulk_transaction_checkpoints_on_its_own_thread(store):
    store.conn.execute("PRAGMA wal_autocheckpoint=500")
    size = store.db_path.stat().st_size
    with store.bulk_transaction(-8192):
        assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        for n in range(2000):
            store.add("contact", {"last_name": f"Lee {n}", "notes": "x" * 200})
    # the settings come back, and the log reaches the database file without a commit
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 500
    store._checkpointer.join(timeout=30)
    assert store.db_path.stat().st_size > size + 400_000
    assert store.count("contact") == 2000


def test_a_failed_bulk_transaction_leaves_nothing_and_starts_no_checkpoint(store):
    with pytest.raises(RuntimeError), store.bulk_transaction(-8192):
        store.add("contact", {"last_name": "Lee"})
        raise RuntimeError("stop")
    assert store.count("contact") == 0 and store._checkpointer is None


def test_staged_rows_reach_the_mailbox_only_when_copied(store):
    from wizard.engine.sync.staging import Staging, attached
    from wizard.engine.sync.status import StatusDB

    status = StatusDB(store.conn, "org-1")
    staging = Staging(store.conn)
    ids = store.new_ids(3)
    staging.add([(i, "contact", '{"last_name":"Lee"}', 1, f"rec-{n}", "org", 1, "h")
                 for n, i in enumerate(ids)],
                [("org-1", "contact", f"rec-{n}", i, "linked", "W/1", "h", "{}", None, 1)
                 for n, i in enumerate(ids)])
    assert store.count("contact") == 0                 # staged apart: not the mailbox
    staging.drop([ids[1]])                             # replaced by a later plan
    with store.transaction():
        first = store.reserve_seq(staging.span)
        staging.copy_into(first, 1000.0)
    assert sorted(i.local_id for i in store.items("contact")) == sorted([ids[0], ids[2]])
    assert set(status.rows("contact")) == {"rec-0", "rec-2"}
    assert store.changed_since(first - 1) and store.max_seq() == first + 2
    staging.close()
    assert not attached(store.conn)
