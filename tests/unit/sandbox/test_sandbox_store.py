"""The sandbox's data store: deterministic seed, scale, versions and atomic change sets."""

from __future__ import annotations

import pytest

from wizard.sandbox import seed
from wizard.sandbox.store import ENTITIES, DataStore, StoreError


def test_seed_is_identical_on_every_run():
    a, b = DataStore.seeded(contacts=50), DataStore.seeded(contacts=50)
    for org in ("contosona", "contosoonprem"):
        for entity in ENTITIES:
            assert a.rows(org, entity) == b.rows(org, entity), (org, entity)


def test_orgs_have_distinct_ids_but_shared_user_ids():
    store = DataStore.seeded(contacts=5)
    na = {r["contactid"] for r in store.rows("contosona", "contact")}
    jp = {r["contactid"] for r in store.rows("contosojp", "contact")}
    assert na and jp and not na & jp
    alice = seed.USERS[0].systemuser_id
    assert store.get("contosona", "systemuser", alice)["fullname"] == "Alice Adams"
    assert store.get("contosojp", "systemuser", alice)["fullname"] == "Alice Adams"


def test_every_row_has_key_timestamps_and_version():
    store = DataStore.seeded(contacts=10)
    for entity, info in ENTITIES.items():
        rows = store.rows("contosona", entity)
        assert rows, entity
        for row in rows:
            assert row[info.primary_id]
            assert row["createdon"].endswith("Z") and row["modifiedon"].endswith("Z")
            assert isinstance(row["versionnumber"], int)
            if info.user_owned:
                assert row["_ownerid_value"], (entity, row)


def test_scales_to_twenty_thousand_contacts():
    store = DataStore.seeded(contacts=20000)
    rows = store.rows("contosona", "contact")
    assert len(rows) == 20000
    assert len({r["contactid"] for r in rows}) == 20000
    assert len({r["emailaddress1"] for r in rows}) == 20000


def test_atomic_block_undoes_creates_updates_and_deletes():
    store = DataStore.seeded(contacts=3)
    before = store.rows("contosona", "contact")
    version = store.current_version("contosona")
    victim, changed = before[0]["contactid"], before[1]["contactid"]
    with pytest.raises(StoreError), store.atomic():
        store.create("contosona", "contact", {"firstname": "Temp"})
        store.update("contosona", "contact", changed, {"firstname": "Changed"})
        store.delete("contosona", "contact", victim)
        store.get("contosona", "contact", "00000000-0000-0000-0000-000000000000")
    assert store.rows("contosona", "contact") == before
    changed_rows, deleted, _ = store.changes_since("contosona", "contact", version)
    assert changed_rows == [] and deleted == []


def test_unknown_org_is_a_key_error():
    with pytest.raises(KeyError):
        DataStore.seeded().rows("nosuchorg", "contact")
