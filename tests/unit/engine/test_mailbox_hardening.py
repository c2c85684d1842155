"""Mailbox items are typed before anything is stored; bad rows an older version stored do not
break listing or export; a damaged, empty or full mailbox file gets the right message."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest

from wizard.cli import main
from wizard.engine.fileio import DatabaseDamaged, DiskFull
from wizard.engine.itemtypes import InvalidItemValue, UnknownItemField
from wizard.engine.mailstore import SqliteMailStore, content_hash, content_json
from wizard.engine.paths import AppPaths
from wizard.engine.stamp import MailboxStore


@pytest.fixture
def cli(wizard_home, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    def run(*argv: str) -> tuple[int, dict | str, str]:
        code = main(["--json", *argv])
        out, err = capsys.readouterr()
        return code, json.loads(out) if out.strip() else {}, err

    def text(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out + err
    run.text = text
    return run


def db(wizard_home):
    return AppPaths.resolve(wizard_home).mailbox_db


@pytest.mark.parametrize("sets, words", [
    (["first_name=-1"], "text"),
    (["first_name=[1, 2]"], "text"),
    (["birthday=1980-02-30"], "date"),
    (["email1=true"], "text"),
    (["frist_name=Ann"], "no field"),
])
def test_wrong_types_are_refused_and_nothing_is_stored(cli, wizard_home, sets, words):
    code, out, _ = cli("mailbox", "add", "--folder", "contacts",
                       *[a for s in sets for a in ("--set", s)])
    assert code == 1
    assert out["error"]["code"] in ("invalid_item_value", "unknown_item_field")
    assert words in out["error"]["message"]
    code, out, _ = cli("mailbox", "list")
    assert code == 0 and out["items"] == []


@pytest.mark.parametrize("sets", [["start=2026-13-01T10:00:00Z"], ["start=tomorrow"],
                                  ["percent_complete=150"], ["priority=urgent"]])
def test_dates_and_ranges_are_validated(cli, sets):
    code, out, _ = cli("mailbox", "add", "--folder", "tasks", "--set", "subject=x",
                       *[a for s in sets for a in ("--set", s)])
    assert code == 1 and out["error"]["code"] == "invalid_item_value"


def test_a_quoted_number_is_text(cli):
    code, out, _ = cli("mailbox", "add", "--folder", "contacts", "--set", 'first_name="-1"')
    assert code == 0 and out["data"]["first_name"] == "-1"


def test_times_with_an_offset_are_stored_as_utc(cli):
    code, out, _ = cli("mailbox", "add", "--folder", "calendar", "--set", "subject=Review",
                       "--set", "start=2026-05-01T10:00:00+01:00",
                       "--set", "end=2026-05-01T10:30:00.5-04:00")
    assert code == 0
    assert out["data"]["start"] == "2026-05-01T09:00:00Z"
    assert out["data"]["end"] == "2026-05-01T14:30:00.500000Z"


def test_store_api_refuses_wrong_types(tmp_path):
    with SqliteMailStore(tmp_path / "m.sqlite3") as store:
        with pytest.raises(InvalidItemValue):
            store.add("contact", {"first_name": -1})
        with pytest.raises(UnknownItemField):
            store.add("contact", {"nickname": "x"})
        item = store.add("contact", {"first_name": "Ann"})
        with pytest.raises(InvalidItemValue):
            store.update(item.local_id, {"last_name": 7})
        assert store.get(item.local_id).data == {"first_name": "Ann"}
        assert store.items() == [store.get(item.local_id)]


def _plant_bad_rows(path):
    with SqliteMailStore(path) as store:
        good = store.add("contact", {"first_name": "Ann", "last_name": "Lee"})
        store.add("appointment", {"subject": "Review", "start": "2026-05-01T09:00:00Z"})
        bad = store.add("contact", {"first_name": "Bob"})
        bad_event = store.add("appointment", {"subject": "Broken"})
        # what an older version stored for `--set first_name=-1`, and a start that is a list
        for item, data in ((bad, {"first_name": -1, "last_name": ["x"]}),
                           (bad_event, {"subject": 5, "start": [1]})):
            store.conn.execute("UPDATE mail_items SET data=?, hash=? WHERE local_id=?",
                               (content_json(data), content_hash(data), item.local_id))
    return good, bad, bad_event


def test_bad_rows_are_reported_not_fatal_for_list_and_export(cli, wizard_home, tmp_path):
    AppPaths.resolve(wizard_home).ensure()
    good, bad, bad_event = _plant_bad_rows(db(wizard_home))
    code, out, _ = cli("mailbox", "list")
    assert code == 0 and out["damaged"] == 2
    listed = {i["local_id"]: i for i in out["items"]}
    assert "problems" not in listed[good.local_id]
    assert any("first_name" in p for p in listed[bad.local_id]["problems"])

    code, out, _ = cli("mailbox", "export", "--folder", "contacts", "--out",
                       str(tmp_path / "c.vcf"))
    assert code == 0 and out["items"] == 1
    assert [s["local_id"] for s in out["skipped"]] == [bad.local_id]
    assert "Ann" in (tmp_path / "c.vcf").read_text()
    code, out, _ = cli("mailbox", "export", "--folder", "calendar", "--out",
                       str(tmp_path / "c.ics"))
    assert code == 0 and out["items"] == 1 and len(out["skipped"]) == 1

    # the text output says what to do
    code, text = cli.text("mailbox", "list")
    assert code == 0 and "mailbox edit" in text and "Ann Lee" in text
    # and the item can be repaired
    code, out, _ = cli("mailbox", "edit", bad.local_id[:8], "--set", "first_name=Bob",
                       "--unset", "last_name")
    assert code == 0
    code, out, _ = cli("mailbox", "list")
    assert out["damaged"] == 1


def test_an_unreadable_row_does_not_break_listing(tmp_path):
    with SqliteMailStore(tmp_path / "m.sqlite3") as store:
        item = store.add("task", {"subject": "x"})
        store.conn.execute("UPDATE mail_items SET data='not json' WHERE local_id=?",
                           (item.local_id,))
        [row] = store.items()
        assert row.title == "(no subject)" and store.check(row)


# -- the file -----------------------------------------------------------------------------------
def test_a_zero_length_mailbox_is_reported_not_recreated(tmp_path):
    path = tmp_path / "mailbox.sqlite3"
    path.write_bytes(b"")
    with pytest.raises(DatabaseDamaged, match="empty"):
        MailboxStore(path).stamp()
    with pytest.raises(DatabaseDamaged, match="empty"):
        SqliteMailStore(path)
    assert path.read_bytes() == b""


def test_a_truncated_mailbox_is_reported(tmp_path):
    path = tmp_path / "mailbox.sqlite3"
    with SqliteMailStore(path) as store:
        for i in range(400):
            store.add("contact", {"first_name": f"Contact {i}", "notes": "x" * 400})
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(size // 2)
    with pytest.raises(DatabaseDamaged) as info, SqliteMailStore(path) as store:
        store.items()
    assert str(path) in str(info.value)
    assert path.stat().st_size == size // 2      # not replaced


def test_a_full_disk_is_called_a_full_disk(tmp_path):
    path = tmp_path / "mailbox.sqlite3"
    with SqliteMailStore(path) as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count={pages}")
        with pytest.raises(DiskFull) as info:
            for _i in range(200):
                store.add("contact", {"first_name": "x", "notes": "y" * 2000})
        assert "damaged" not in str(info.value)


def test_a_new_mailbox_file_appears_complete(tmp_path):
    path = tmp_path / "new" / "mailbox.sqlite3"
    MailboxStore(path).stamp()
    assert path.stat().st_size > 0
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_org_times_with_an_offset_are_read_as_utc():
    from wizard.engine.sync.webapi import DataverseOrgSide

    side = DataverseOrgSide(lambda: None, org_id="x")
    rec = side._record("tasks", {"activityid": "A", "scheduledend": "2026-05-01T10:00:00+02:00",
                                 "scheduledstart": "2026-05-01T08:00:00Z"})
    assert rec.data["scheduledend"] == "2026-05-01T08:00:00Z"
    assert rec.data["scheduledstart"] == "2026-05-01T08:00:00Z"
