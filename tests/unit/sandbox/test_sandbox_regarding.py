"""Set Regarding in the sandbox's Web API: per-target navigation properties, the records an
activity can be regarding, searching them, and 403 for tables a user cannot read."""

from __future__ import annotations

import pytest

from tests.unit.sandbox.test_sandbox_webapi import ALICE, BOB, NA, Api, error_of
from wizard.sandbox.dataverse_api import create_webapi_app
from wizard.sandbox.faults import Faults
from wizard.sandbox.store import DataStore

ANNOTATIONS = {"Prefer": 'odata.include-annotations="*"'}
TARGET_SETS = {"account": ("accounts", "name"), "contact": ("contacts", "fullname"),
               "opportunity": ("opportunities", "name"), "lead": ("leads", "fullname"),
               "incident": ("incidents", "title")}


@pytest.fixture
def store():
    return DataStore.seeded(contacts=30)


@pytest.fixture
def api(store):
    return Api(create_webapi_app(NA, store, "https://127.0.0.1:44361"))


def first(api, entity_set, select, user=ALICE):
    resp = api.get(f"{entity_set}?$select={select}&$top=1", user=user)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["value"][0]


def a_task(api):
    return api.get("tasks?$select=subject&$filter=subject eq 'Prepare the quote'") \
        .get_json()["value"][0]["activityid"]


@pytest.mark.parametrize("target", sorted(TARGET_SETS))
@pytest.mark.parametrize("activity", [("tasks", "task"), ("appointments", "appointment"),
                                      ("emails", "email")])
def test_regarding_binds_per_target_and_reads_back_annotated(api, target, activity):
    entity_set, logical = activity
    target_set, name_column = TARGET_SETS[target]
    record = first(api, target_set, name_column)
    record_id = record[f"{target}id"]
    resp = api("POST", entity_set, json_body={
        "subject": "About something",
        f"regardingobjectid_{target}_{logical}@odata.bind": f"/{target_set}({record_id})"})
    assert resp.status_code == 204, resp.get_data(as_text=True)
    url = resp.headers["OData-EntityId"]
    path = url[url.index("/api/"):]
    row = api.get(path + "?$select=subject,_regardingobjectid_value", headers=ANNOTATIONS)\
        .get_json()
    assert row["_regardingobjectid_value"] == record_id
    assert row["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == target
    assert row["_regardingobjectid_value@Microsoft.Dynamics.CRM.associatednavigationproperty"] \
        == f"regardingobjectid_{target}_{logical}"
    assert row["_regardingobjectid_value@OData.Community.Display.V1.FormattedValue"] == \
        record[name_column]
    # Without the annotations preference only the id comes back (no name, no type).
    plain = api.get(path + "?$select=_regardingobjectid_value").get_json()
    assert not [k for k in plain if "@" in k and not k.startswith("@odata.")]


def test_regarding_cleared_by_null_bind_and_by_ref_delete(api):
    task = a_task(api)
    account = first(api, "accounts", "name")["accountid"]
    assert api("PATCH", f"tasks({task})", json_body={
        "regardingobjectid_account_task@odata.bind": f"/accounts({account})"}).status_code == 204
    assert api.get(f"tasks({task})?$select=_regardingobjectid_value") \
        .get_json()["_regardingobjectid_value"] == account
    resp = api("DELETE", f"tasks({task})/regardingobjectid_account_task/$ref")
    assert resp.status_code == 204, resp.get_data(as_text=True)
    assert api.get(f"tasks({task})?$select=_regardingobjectid_value") \
        .get_json()["_regardingobjectid_value"] is None


def test_navigation_property_must_match_the_bound_record(api):
    task = a_task(api)
    contact = first(api, "contacts", "fullname")["contactid"]
    resp = api("PATCH", f"tasks({task})", json_body={
        "regardingobjectid_account_task@odata.bind": f"/contacts({contact})"})
    assert resp.status_code == 400
    resp = api("PATCH", f"tasks({task})", json_body={
        "regardingobjectid_systemuser_task@odata.bind": f"/contacts({contact})"})
    assert resp.status_code == 400
    assert "does not exist" in error_of(resp)[1]


def test_regarding_a_missing_record_is_404(api):
    task = a_task(api)
    resp = api("PATCH", f"tasks({task})", json_body={
        "regardingobjectid_account_task@odata.bind":
            "/accounts(00000000-0000-4000-8000-000000000abc)"})
    assert resp.status_code == 404


@pytest.mark.parametrize(("entity_set", "column", "text", "expected"), [
    ("accounts", "name", "fab", ["Fabrikam"]),
    ("opportunities", "name", "RENEWAL", ["Fabrikam: renewal"]),
    ("leads", "fullname", "noah", ["Noah Keller"]),
    ("incidents", "title", "invoice", ["Invoice missing at Adventure Works"]),
])
def test_search_with_contains_select_and_top(api, entity_set, column, text, expected):
    resp = api.get(f"{entity_set}?$select={column}&$filter=contains({column},'{text}')&$top=5")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    rows = resp.get_json()["value"]
    assert [r[column] for r in rows] == expected
    assert set(rows[0]) == {"@odata.etag", column, entity_set_key(entity_set)}


def entity_set_key(entity_set):
    return {"accounts": "accountid", "opportunities": "opportunityid", "leads": "leadid",
            "incidents": "incidentid"}[entity_set]


def test_unreadable_tables_answer_403_for_that_user_only(api):
    for path in ("leads?$select=fullname", "incidents/$count"):
        resp = api.get(path, user=BOB)
        assert resp.status_code == 403
        code, message = error_of(resp)
        assert code == "0x80040220" and "prvRead" in message
        assert api.get(path).status_code == 200
    assert api.get("accounts?$select=name", user=BOB).status_code == 200


def test_linking_an_unreadable_record_is_refused(api):
    lead = first(api, "leads", "fullname")["leadid"]
    bobs_task = api("POST", "tasks", user=BOB, json_body={"subject": "Bob's"})
    assert bobs_task.status_code == 204
    resp = api("POST", "tasks", user=BOB, json_body={
        "subject": "x", "regardingobjectid_lead_task@odata.bind": f"/leads({lead})"})
    assert resp.status_code == 403
    assert "prvAppendToLead" in error_of(resp)[1]


def test_user_privileges_list_read_per_table(api):
    def names(user):
        body = api.get(f"systemusers({user.systemuser_id})/"
                       "Microsoft.Dynamics.CRM.RetrieveUserPrivileges()").get_json()
        return {p["PrivilegeName"] for p in body["RolePrivileges"]}
    assert {"prvReadAccount", "prvReadLead", "prvReadIncident", "prvReadOpportunity"} \
        <= names(ALICE)
    bob = names(BOB)
    assert "prvReadAccount" in bob and "prvReadLead" not in bob and "prvReadIncident" not in bob


def test_read_denied_fault(store):
    faults = Faults()
    store.exchange.faults = faults
    api = Api(create_webapi_app(NA, store, "https://127.0.0.1:44361"))
    assert api.get("opportunities?$select=name").status_code == 200
    faults.set("read_denied", "opportunity,account")
    assert api.get("opportunities?$select=name").status_code == 403
    assert api.get("accounts?$select=name").status_code == 403
    assert api.get("leads?$select=fullname").status_code == 200
    faults.clear("read_denied")
    assert api.get("opportunities?$select=name").status_code == 200


def test_only_the_annotations_asked_for_come_back(api):
    """A client that must not learn the regarding record's name asks for its type alone."""
    task = api.get("tasks?$select=subject&$filter=subject eq 'Call back about the renewal'")\
        .get_json()["value"][0]["activityid"]
    row = api.get(f"tasks({task})?$select=_regardingobjectid_value,prioritycode", headers={
        "Prefer": 'odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"'})\
        .get_json()
    assert row["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == "contact"
    assert [k for k in row if "@" in k and not k.startswith("@odata.")] == [
        "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]
    every = api.get(f"tasks({task})?$select=_regardingobjectid_value", headers={
        "Prefer": 'odata.include-annotations="Microsoft.Dynamics.CRM.*"'}).get_json()
    assert "_regardingobjectid_value@Microsoft.Dynamics.CRM.associatednavigationproperty" in every
    assert "_regardingobjectid_value@OData.Community.Display.V1.FormattedValue" not in every
