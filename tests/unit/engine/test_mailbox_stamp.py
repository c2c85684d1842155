"""The mailbox stamp: one org per mailbox, conflicts named, override rewrites."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

from wizard.engine.errors import Action, ConfigError, WizardError
from wizard.engine.stamp import MailboxStore, Stamp, StampConflict, StampMissing

ORG_A = "aaaaaaaa-0000-0000-0000-000000000001"
ORG_B = "bbbbbbbb-0000-0000-0000-000000000002"


class Clock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    return MailboxStore(tmp_path / "data" / "mailbox.sqlite3", clock=clock)


def test_a_new_mailbox_has_no_stamp(store):
    assert store.stamp() is None


def test_claim_records_org_and_time(store, clock):
    stamp = store.claim(ORG_A, "Contoso")
    assert stamp == Stamp(ORG_A, "Contoso", None, datetime.fromtimestamp(clock.now, timezone.utc))
    assert store.stamp() == stamp


def test_a_second_store_object_sees_the_same_stamp(store, tmp_path, clock):
    store.claim(ORG_A, "Contoso")
    again = MailboxStore(store.db_path, clock=clock)
    assert again.stamp().org_id == ORG_A


def test_claim_by_the_same_org_keeps_last_sync_and_refreshes_name(store, clock):
    store.claim(ORG_A, "Contoso")
    store.record_sync(ORG_A, 1_800_000_100)
    clock.now += 500
    stamp = store.claim(ORG_A.upper(), "Contoso Renamed")
    assert stamp.org_name == "Contoso Renamed"
    assert stamp.last_sync == datetime.fromtimestamp(1_800_000_100, timezone.utc)


def test_org_ids_compare_without_case_or_braces(store):
    store.claim(ORG_A, "Contoso")
    store.claim("{" + ORG_A.upper() + "}", "Contoso")  # no conflict
    store.record_sync("{" + ORG_A + "}")


def test_claim_by_another_org_names_it_and_mentions_the_override(store):
    store.claim(ORG_A, "Contoso")
    store.record_sync(ORG_A, 1_800_000_100)
    with pytest.raises(StampConflict) as info:
        store.claim(ORG_B, "Fabrikam")
    err = info.value
    assert isinstance(err, WizardError) and err.code == "stamp_conflict"
    assert "Contoso" in str(err) and ORG_A in str(err)
    assert "even if the mailbox was set to sync with a different org" in str(err)
    assert err.action is Action.OVERRIDE_STAMP and "d365-orgs" not in str(err)
    from wizard.cli.render import render

    assert "--override-stamp" in render(err)    # the command line words the option itself
    assert err.other.org_id == ORG_A
    assert store.stamp().org_id == ORG_A  # unchanged


def test_override_rewrites_the_stamp_and_forgets_the_old_sync_time(store, clock):
    store.claim(ORG_A, "Contoso")
    store.record_sync(ORG_A)
    clock.now += 60
    stamp = store.claim(ORG_B, "Fabrikam", override=True)
    assert (stamp.org_id, stamp.org_name, stamp.last_sync) == (ORG_B, "Fabrikam", None)
    assert store.stamp() == stamp


def test_replacing_allows_switching_away_from_that_org_only(store):
    store.claim(ORG_A, "Contoso")
    with pytest.raises(StampConflict):
        store.claim(ORG_B, "Fabrikam", replacing="cccccccc-0000-0000-0000-000000000003")
    assert store.claim(ORG_B, "Fabrikam", replacing=ORG_A).org_id == ORG_B


def test_record_sync_stores_the_time(store):
    store.claim(ORG_A, "Contoso")
    when = datetime(2026, 11, 22, 3, 0, 5, tzinfo=timezone.utc)
    assert store.record_sync(ORG_A, when).last_sync == when
    assert store.stamp().last_sync == when


def test_record_sync_defaults_to_the_clock(store, clock):
    store.claim(ORG_A, "Contoso")
    clock.now += 3600
    assert store.record_sync(ORG_A).last_sync == datetime.fromtimestamp(clock.now, timezone.utc)


def test_record_sync_refuses_another_org(store):
    store.claim(ORG_A, "Contoso")
    with pytest.raises(StampConflict, match="Contoso"):
        store.record_sync(ORG_B)
    assert store.stamp().last_sync is None


def test_record_sync_refuses_without_a_stamp(store):
    with pytest.raises(StampMissing, match="not set to synchronize"):
        store.record_sync(ORG_A)


def test_record_sync_refuses_naive_datetimes(store):
    store.claim(ORG_A, "Contoso")
    with pytest.raises(ValueError):
        store.record_sync(ORG_A, datetime(2026, 1, 1))


def test_clear_removes_and_returns_the_stamp(store):
    store.claim(ORG_A, "Contoso")
    assert store.clear().org_id == ORG_A
    assert store.stamp() is None
    assert store.clear() is None


def test_database_is_wal_and_leaves_user_version_alone(store):
    store.claim(ORG_A, "Contoso")
    with sqlite3.connect(store.db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        assert conn.execute("SELECT value FROM meta WHERE key='stamp_schema'").fetchone() == ("1",)
    conn.close()


def test_other_tables_in_the_same_file_are_left_alone(store, clock):
    store.db_path.parent.mkdir(parents=True)
    with sqlite3.connect(store.db_path) as conn:
        conn.execute("PRAGMA user_version = 7")
        conn.execute("CREATE TABLE items (id TEXT PRIMARY KEY)")
        conn.execute("INSERT INTO items VALUES ('x')")
    conn.close()
    fresh = MailboxStore(store.db_path, clock=clock)
    fresh.claim(ORG_A, "Contoso")
    fresh.clear()
    with sqlite3.connect(store.db_path) as conn:
        assert conn.execute("SELECT id FROM items").fetchall() == [("x",)]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
    conn.close()


def test_a_newer_stamp_schema_is_refused(store, clock):
    store.stamp()
    with sqlite3.connect(store.db_path) as conn:
        conn.execute("UPDATE meta SET value='99' WHERE key='stamp_schema'")
    conn.close()
    with pytest.raises(ConfigError, match="newer version"):
        MailboxStore(store.db_path, clock=clock).stamp()


def test_a_damaged_file_gives_a_clear_error(tmp_path, clock):
    path = tmp_path / "mailbox.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    from wizard.engine.fileio import DatabaseDamaged

    with pytest.raises(DatabaseDamaged) as info:
        MailboxStore(path, clock=clock).stamp()
    assert str(path) in str(info.value)
    assert info.value.code == "database_damaged"


def test_claim_needs_an_id_and_a_name(store):
    with pytest.raises(ValueError):
        store.claim("", "Contoso")
    with pytest.raises(ValueError):
        store.claim(ORG_A, "")


def test_release_clears_only_the_named_org(store):
    assert store.release(ORG_A) is False
    store.claim(ORG_A, "Contoso")
    assert store.release(ORG_B) is False
    assert store.stamp().org_id == ORG_A
    assert store.release("{" + ORG_A.upper() + "}") is True
    assert store.stamp() is None
