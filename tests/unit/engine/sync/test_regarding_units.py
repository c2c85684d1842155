"""Set Regarding's pieces without a server: the item field, the Web API shapes, iCalendar,
the mapping's direction, and the search helpers on a local mailbox."""

from __future__ import annotations

import pytest

from wizard.engine import calcard
from wizard.engine.itemtypes import InvalidItemValue, clean_item, parse_regarding
from wizard.engine.mailstore import SqliteMailStore
from wizard.engine.sync import mapping
from wizard.engine.sync import regarding as rg
from wizard.engine.sync.webapi import _regarding_of, regarding_bind

GUID = "5F0C1D2E-3A4B-4C5D-8E9F-0A1B2C3D4E5F"


def test_field_is_type_and_id_normalized():
    assert clean_item("task", {"regarding": f"Account:{{{GUID}}}"}) == {
        "regarding": f"account:{GUID.lower()}"}
    for bad in ("account", f"queue:{GUID}", "account:123", 42, f"account:{GUID}:x"):
        with pytest.raises(InvalidItemValue):
            clean_item("appointment", {"regarding": bad})
    with pytest.raises(InvalidItemValue):
        clean_item("contact", {"regarding": f"account:{GUID}"})     # no such contact field
    assert parse_regarding(f"incident:{GUID}") == ("incident", GUID.lower())


def test_read_turns_the_lookup_and_its_table_into_type_and_id():
    row = {"_regardingobjectid_value": GUID.lower(),
           "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "opportunity",
           "_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "systemuser"}
    _regarding_of(row)
    assert row == {"_regardingobjectid_value": GUID.lower(),
                   "regardingobjectid": f"opportunity:{GUID.lower()}"}
    queue = {"_regardingobjectid_value": GUID.lower(),
             "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "queue"}
    _regarding_of(queue)
    assert queue["regardingobjectid"] is None
    contact = {"_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "systemuser"}
    _regarding_of(contact, activity=False)
    assert contact == {}


def test_write_binds_the_per_target_navigation_property():
    assert regarding_bind("task", f"lead:{GUID.lower()}") == {
        "regardingobjectid_lead_task@odata.bind": f"/leads({GUID.lower()})"}
    assert regarding_bind("email", None) == {"regardingobjectid_contact_email@odata.bind": None}


def test_a_clear_names_the_table_the_org_record_points_to_now():
    assert regarding_bind("task", None, was=f"account:{GUID.lower()}") == {
        "regardingobjectid_account_task@odata.bind": None}
    assert regarding_bind("appointment", None, was=f"incident:{GUID.lower()}") == {
        "regardingobjectid_incident_appointment@odata.bind": None}
    assert regarding_bind("task", None, was="not a regarding") == {
        "regardingobjectid_contact_task@odata.bind": None}


def test_regarding_survives_icalendar():
    base = {"subject": "Call", "regarding": f"account:{GUID.lower()}"}
    for kind, extra in (("task", {}), ("appointment", {"start": "2026-05-01T09:00:00Z",
                                                       "end": "2026-05-01T10:00:00Z"})):
        data = {**base, **extra}
        text = calcard.serialize(kind, data, uid="u1", meta=calcard.ItemMeta())
        assert "X-D365-REGARDING:account:" in text.replace("\r\n ", "")
        assert calcard.parse(text).data["regarding"] == data["regarding"]
        rewritten = calcard.serialize(kind, {**data, "regarding": None}, uid="u1",
                                      meta=calcard.ItemMeta(), base=text)
        assert "regarding" not in calcard.parse(rewritten).data


def test_direction_ignores_the_org_mapping_row():
    rows = [{"attributecrmname": "regardingobjectid", "syncdirection": 1,
             "entitytypecode": "task"},
            {"attributecrmname": "subject", "syncdirection": 3, "entitytypecode": "task"}]
    maps = mapping.effective_mappings("task", mapping.SyncSettings(), rows)
    assert [(m.org_field, m.direction) for m in maps] == [("subject", 3),
                                                          ("regardingobjectid", 3)]


def test_set_regarding_tracks_and_clears(tmp_path):
    with SqliteMailStore(tmp_path / "m.db") as store:
        task = store.add("task", {"subject": "x"})
        contact = store.add("contact", {"full_name": "Ada Abbott", "email1": "ada@x.example"},
                            org_record_id=GUID.lower(), origin="org", tracked=True)
        mine = store.add("contact", {"full_name": "Ada Local"})
        found = rg.search_offline(store, "ada")
        assert found == [rg.RegardingRecord("contact", GUID.lower(), "Ada Abbott")]
        item = rg.set_regarding(store, task.local_id, found[0])
        assert item.tracked and item.data["regarding"] == f"contact:{GUID.lower()}"
        assert "Ada" not in str(store.get(task.local_id).data)
        assert rg.name_offline(store, found[0]) == "Ada Abbott"
        item = rg.set_regarding(store, task.local_id, None)
        assert "regarding" not in item.data and item.tracked
        with pytest.raises(rg.RegardingNotActivity):
            rg.set_regarding(store, mine.local_id, found[0])
        assert contact.local_id


def test_pick_one():
    a = rg.RegardingRecord("account", GUID.lower(), "Fabrikam")
    b = rg.RegardingRecord("opportunity", GUID.lower(), "Fabrikam: renewal")
    assert rg.pick_one([a, b], "fabrikam") == a
    with pytest.raises(rg.RegardingAmbiguous) as info:
        rg.pick_one([b, b], "fab")
    assert info.value.params["count"] == 2
    with pytest.raises(rg.RegardingNoMatch):
        rg.pick_one([], "x")
    with pytest.raises(rg.InvalidRegarding):
        rg.parse("nothing")


def test_a_cleared_regarding_goes_out_with_the_table_the_org_points_to(tmp_path):
    from wizard.engine.sync.engine import Synchronizer
    from wizard.engine.sync.orgside import MemoryOrg, MemoryOrgSide

    me = "5e7a0001-0000-4000-8000-000000000001"
    writes = []

    class Recording(MemoryOrgSide):
        def write(self, batch):
            writes.extend(batch)
            return super().write(batch)

    org = MemoryOrg()
    org.privileged = {me}
    rid = org.create("task", {"subject": "Call", "regardingobjectid": f"incident:{GUID.lower()}"},
                     owner=me)
    with SqliteMailStore(tmp_path / "m.db") as store:
        sync = Synchronizer(store, Recording(org, me))
        sync.run()
        [item] = store.items("task")
        assert item.data["regarding"] == f"incident:{GUID.lower()}"
        rg.set_regarding(store, item.local_id, None)
        sync.run()
    [write] = writes
    assert write.op == "update" and write.record_id == rid
    assert write.data == {"regardingobjectid": None}
    assert write.current == {"regardingobjectid": f"incident:{GUID.lower()}"}
    assert regarding_bind("task", None, was=write.current["regardingobjectid"]) == {
        "regardingobjectid_incident_task@odata.bind": None}
    assert org.tables["task"][rid].get("regardingobjectid") is None
