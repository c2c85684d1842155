"""The sandbox's Dataverse Web API app, driven through werkzeug's test Client (no sockets)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from wizard.sandbox import seed
from wizard.sandbox.dataverse_api import create_webapi_app
from wizard.sandbox.store import DataStore

BASE = "https://127.0.0.1:44361"
API = "/api/data/v9.2/"
ALICE, BOB, CAROL, DAVE, ERIN = seed.USERS
NA = seed.org_by_name("contosona")
ONPREM = seed.org_by_name("contosoonprem")
JSON_CT = "application/json; odata.metadata=minimal"


class FakeClock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def store(clock):
    return DataStore.seeded(contacts=30, clock=clock)


@pytest.fixture
def api(store):
    return Api(create_webapi_app(NA, store, BASE))


class Api:
    """A tiny helper: requests as a given seed user, paths relative to the service root."""

    def __init__(self, app, user=ALICE, script_name=""):
        self.client = Client(app)
        self.user = user
        self.script_name = script_name

    def __call__(self, method, path, *, user=..., json_body=None, headers=None, data=None,
                 query_string=None):
        user = self.user if user is ... else user
        environ = {"sandbox.user": user} if user is not None else {}
        if self.script_name:
            environ["SCRIPT_NAME"] = self.script_name
        url = path if path.startswith("/") else API + path
        if json_body is not None:
            data = json.dumps(json_body)
            headers = {"Content-Type": "application/json", **(headers or {})}
        return self.client.open(url, method=method, data=data, headers=headers or {},
                                environ_base=environ, query_string=query_string)

    def get(self, path, **kw):
        return self("GET", path, **kw)

    def follow(self, link, **kw):
        parts = urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == BASE
        return self("GET", parts.path + "?" + parts.query, **kw)


def error_of(resp):
    body = resp.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    return body["error"]["code"], body["error"]["message"]


# --------------------------------------------------------------------------- basics

def test_whoami_shape_and_headers(api):
    resp = api.get("WhoAmI", headers={"OData-MaxVersion": "4.0", "OData-Version": "4.0"})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == JSON_CT
    assert resp.headers["OData-Version"] == "4.0"
    body = resp.get_json()
    assert body == {
        "@odata.context": f"{BASE}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
        "BusinessUnitId": body["BusinessUnitId"],
        "UserId": ALICE.systemuser_id,
        "OrganizationId": NA.org_id,
    }
    uuid.UUID(body["BusinessUnitId"])
    assert api.get("WhoAmI()").get_json()["UserId"] == ALICE.systemuser_id


def test_retrieve_version(api):
    body = api.get("RetrieveVersion").get_json()
    assert body["@odata.context"].endswith("$metadata#Microsoft.Dynamics.CRM.RetrieveVersionResponse")
    assert body["Version"] == NA.version


def test_retrieve_current_organization_uses_base_url(api):
    resp = api.get("RetrieveCurrentOrganization(AccessType=@p1)",
                   query_string="@p1=Microsoft.Dynamics.CRM.EndpointAccessType'Default'")
    assert resp.status_code == 200
    detail = resp.get_json()["Detail"]
    assert detail["OrganizationId"] == NA.org_id
    assert detail["UniqueName"] == "contosona" and detail["UrlName"] == NA.url_name
    assert detail["FriendlyName"] == NA.friendly_name
    assert detail["State"] == "Enabled" and detail["TenantId"] == seed.TENANT_ID
    endpoints = detail["Endpoints"]
    assert endpoints["Keys"] == ["WebApplication", "OrganizationService",
                                 "OrganizationDataService"]
    assert endpoints["Values"][0] == BASE + "/"
    assert all(v.startswith(BASE) for v in endpoints["Values"])
    assert endpoints["Count"] == 3


def test_retrieve_current_organization_needs_access_type(api):
    assert api.get("RetrieveCurrentOrganization(AccessType=@p1)").status_code == 400
    resp = api.get("RetrieveCurrentOrganization(AccessType=@p1)",
                   query_string="@p1=Microsoft.Dynamics.CRM.EndpointAccessType'Sideways'")
    assert resp.status_code == 400


def test_privileges_list_sync_to_outlook_only_for_privileged_users(api):
    def names(resp):
        assert resp.status_code == 200
        body = resp.get_json()
        assert body["@odata.context"].endswith(
            "#Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse")
        for p in body["RolePrivileges"]:
            assert set(p) == {"Depth", "PrivilegeId", "BusinessUnitId", "PrivilegeName",
                              "RecordFilterId", "RecordFilterUniqueName"}
            assert p["Depth"] in ("Basic", "Local", "Deep", "Global")
        return {p["PrivilegeName"] for p in body["RolePrivileges"]}

    bound = "systemusers({})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()"
    assert "prvSyncToOutlook" in names(api.get(bound.format(ALICE.systemuser_id)))
    assert "prvSyncToOutlook" not in names(api.get(bound.format(BOB.systemuser_id)))
    unbound = api.get("RetrieveUserPrivileges(UserId=@p1)",
                      query_string=f"@p1={BOB.systemuser_id}", user=BOB)
    assert "prvSyncToOutlook" not in names(unbound)
    missing = api.get(bound.format(str(uuid.uuid4())))
    assert missing.status_code == 404 and error_of(missing)[0] == "0x80040217"


def test_unauthenticated_is_401_and_outsiders_are_403(api, store):
    resp = api.get("WhoAmI", user=None)
    assert resp.status_code == 401
    error_of(resp)
    jp = Api(create_webapi_app(seed.org_by_name("contosoadfs"), store, BASE))
    resp = jp.get("WhoAmI", user=BOB)          # Bob is not a member of contosoadfs
    assert resp.status_code == 403
    resp = api.get("WhoAmI", user=DAVE)        # disabled
    assert resp.status_code == 403
    code, message = error_of(resp)
    assert "is disabled" in message and "Disabled users cannot access the system" in message


def test_unknown_segment_and_wrong_method(api):
    resp = api.get("Account")
    assert resp.status_code == 404
    assert error_of(resp) == ("0x8006088a", "Resource not found for the segment 'Account'.")
    resp = api("POST", "WhoAmI")
    assert resp.status_code == 404
    assert "No HTTP resource was found" in error_of(resp)[1]


def test_service_document_lists_entity_sets(api):
    body = api.get("").get_json()
    names = {v["name"] for v in body["value"]}
    assert {"contacts", "appointments", "tasks", "mailboxes", "systemusers", "organizations",
            "activitymimeattachments", "bookableresourcebookings", "syncattributemappings",
            "userqueries", "savedqueries", "EntityDefinitions"} <= names


# --------------------------------------------------------------------------- seed data

def test_organization_row_has_sync_settings(api):
    body = api.get("organizations").get_json()
    assert body["@odata.context"] == f"{BASE}/api/data/v9.2/$metadata#organizations"
    [org] = body["value"]
    assert org["organizationid"] == NA.org_id
    assert org["isappointmentattachmentsyncenabled"] is False
    assert org["isassignedtaskssyncenabled"] is False
    assert org["iscontactmailingaddresssyncenabled"] is True
    assert org["isresourcebookingexchangesyncenabled"] is False
    assert org["expirechangetrackingindays"] == 7
    assert org["@odata.etag"] == f'W/"{org["versionnumber"]}"'


def test_users_mailboxes_and_filters(api):
    users = api.get("systemusers?$select=domainname,fullname,isdisabled").get_json()["value"]
    by_name = {u["fullname"]: u for u in users}
    assert by_name["Dave Davis"]["isdisabled"] is True
    assert by_name["Alice Adams"]["domainname"] == ALICE.upn
    boxes = api.get("mailboxes?$filter=_ownerid_value eq "
                    f"{ALICE.systemuser_id}").get_json()["value"]
    [box] = boxes
    assert box["actdeliverymethod"] in (0, 1, 2)
    assert box["orgmarkedasprimaryforexchangesync"] is True
    assert box["isactsyncorgflagset"] is False
    assert box["emailaddress"] == ALICE.upn
    queries = api.get(f"userqueries?$filter=querytype eq 256 and _ownerid_value eq "
                      f"{ALICE.systemuser_id}&$select=name,returnedtypecode").get_json()["value"]
    assert {q["name"] for q in queries} == {"My Contacts", "My Appointments", "My Tasks"}
    for qtype in (16, 131072, 8192):
        rows = api.get(f"savedqueries?$filter=querytype eq {qtype}").get_json()["value"] or \
            api.get(f"userqueries?$filter=querytype eq {qtype}").get_json()["value"]
        assert rows, qtype


def test_onprem_users_have_domain_names(store):
    onprem = Api(create_webapi_app(ONPREM, store, "https://127.0.0.1:44360/contosoonprem"),
                 script_name="/contosoonprem")
    resp = onprem.get("/api/data/v9.2/systemusers?$select=domainname")
    assert resp.status_code == 200
    assert resp.get_json()["@odata.context"] == (
        "https://127.0.0.1:44360/contosoonprem/api/data/v9.2/$metadata#systemusers(domainname)")
    assert "CONTOSO\\alice" in {u["domainname"] for u in resp.get_json()["value"]}


def test_sample_activities(api):
    appts = api.get("appointments").get_json()["value"]
    recurring = [a for a in appts if a["instancetypecode"] == 2]
    assert recurring and all(a["seriesid"] for a in recurring)
    master = api.get(f"recurringappointmentmasters({recurring[0]['seriesid']})").get_json()
    assert master["recurrencepatterntype"] == 1
    atts = api.get("activitymimeattachments").get_json()["value"]
    parents = {a["_objectid_value"] for a in atts}
    assert len(parents) == 1 and all(a["objecttypecode"] == "appointment" for a in atts)
    assert parents <= {a["activityid"] for a in appts}
    assert api.get("serviceappointments").get_json()["value"]
    tasks = api.get("tasks").get_json()["value"]
    assigned = [t for t in tasks if t["_ownerid_value"] != t["_createdby_value"]]
    assert assigned
    assert api.get("bookableresourcebookings").get_json()["value"]


def test_sync_attribute_mappings_default_notes_two_way(api):
    rows = api.get("syncattributemappings?$filter=entitytypecode eq 'contact' and "
                   "attributecrmname eq 'description'").get_json()["value"]
    [notes] = rows
    assert notes["attributeexchangename"] == "Body"
    assert notes["syncdirection"] == 3 and notes["defaultsyncdirection"] == 3
    for entity in ("contact", "appointment", "task"):
        assert api.get(f"syncattributemappings?$filter=entitytypecode eq '{entity}'"
                       ).get_json()["value"]


# --------------------------------------------------------------------------- queries

def test_select_filter_orderby_top_count(api):
    resp = api.get("contacts?$select=fullname,address1_city&$filter=address1_city eq 'tokyo'"
                   "&$orderby=fullname desc&$top=3&$count=true")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["@odata.context"] == (
        f"{BASE}/api/data/v9.2/$metadata#contacts(fullname,address1_city)")
    assert body["@odata.count"] == 5          # every sixth of 30 contacts lives in Tokyo
    rows = body["value"]
    assert len(rows) == 3
    assert [r["fullname"] for r in rows] == sorted((r["fullname"] for r in rows),
                                                    key=str.casefold, reverse=True)
    for r in rows:
        assert set(r) == {"@odata.etag", "fullname", "address1_city", "contactid"}


def test_orderby_multiple_keys(api):
    rows = api.get("contacts?$select=jobtitle,fullname&$orderby=jobtitle asc,fullname desc"
                   ).get_json()["value"]
    keys = [(r["jobtitle"].casefold(), r["fullname"].casefold()) for r in rows]
    for a, b in zip(keys, keys[1:]):
        assert a[0] < b[0] or (a[0] == b[0] and a[1] >= b[1])


def test_query_errors(api):
    resp = api.get("contacts?$filter=fullname eq")
    assert resp.status_code == 400 and error_of(resp)[0] == "0x80060888"
    resp = api.get("contacts?$select=Fullname")
    assert resp.status_code == 400
    assert error_of(resp) == ("0x0", "Could not find a property named 'Fullname' on type "
                                     "'Microsoft.Dynamics.CRM.contact'.")
    resp = api.get("contacts?$filter=nosuch eq 1")
    assert resp.status_code == 400 and error_of(resp)[0] == "0x0"
    resp = api.get("contacts?$skip=5")
    assert resp.status_code == 400 and "$skip" in error_of(resp)[1]
    resp = api.get("contacts?$expand=nosuch")
    assert resp.status_code == 400 and "nosuch" in error_of(resp)[1]
    resp = api.get("contacts?$expand=ownerid($filter=fullname eq 'x')")
    assert resp.status_code == 400 and "$select" in error_of(resp)[1]
    resp = api.get("contacts?$top=-1")
    assert resp.status_code == 400


def test_paging_with_maxpagesize_and_skiptoken(api):
    prefer = {"Prefer": "odata.maxpagesize=7"}
    resp = api.get("contacts?$select=fullname", headers=prefer)
    assert resp.headers["Preference-Applied"] == "odata.maxpagesize=7"
    seen, pages = [], 0
    body = resp.get_json()
    while True:
        pages += 1
        assert len(body["value"]) <= 7
        seen += [r["contactid"] for r in body["value"]]
        link = body.get("@odata.nextLink")
        if not link:
            break
        assert "$skiptoken=" in link and "$select=fullname" in link
        body = api.follow(link, headers=prefer).get_json()
    assert pages == 5 and len(seen) == len(set(seen)) == 30


def test_paging_with_orderby_and_top(api):
    prefer = {"Prefer": "odata.maxpagesize=4"}
    body = api.get("contacts?$select=fullname&$orderby=fullname&$top=10", headers=prefer
                   ).get_json()
    names = [r["fullname"] for r in body["value"]]
    while body.get("@odata.nextLink"):
        body = api.follow(body["@odata.nextLink"], headers=prefer).get_json()
        names += [r["fullname"] for r in body["value"]]
    assert len(names) == 10
    assert names == sorted(names, key=str.casefold)


def test_bad_skiptoken_is_refused(api):
    resp = api.get("contacts", query_string="$skiptoken=garbage")
    assert resp.status_code == 400


def test_count_segment(api):
    resp = api.get("contacts/$count")
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "30"


def test_include_annotations_for_lookups(api):
    resp = api.get("tasks?$select=subject,_ownerid_value",
                   headers={"Prefer": 'odata.include-annotations="*"'})
    row = resp.get_json()["value"][0]
    assert row["_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == "systemuser"
    assert row["_ownerid_value@OData.Community.Display.V1.FormattedValue"] in {
        u.display_name for u in seed.USERS}


# --------------------------------------------------------------------------- writes

def test_create_read_update_delete(api):
    resp = api("POST", "contacts", json_body={"firstname": "Nia", "lastname": "Okoye",
                                              "description": "private notes"})
    assert resp.status_code == 204
    entity_id = resp.headers["OData-EntityId"]
    assert entity_id.startswith(f"{BASE}/api/data/v9.2/contacts(")
    new_id = entity_id[entity_id.index("(") + 1:-1]
    resp = api.get(f"contacts({new_id})?$select=fullname,description,_ownerid_value")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["@odata.context"] == (
        f"{BASE}/api/data/v9.2/$metadata#contacts(fullname,description,_ownerid_value)/$entity")
    assert body["fullname"] == "Nia Okoye"
    assert body["_ownerid_value"] == ALICE.systemuser_id
    assert resp.headers["ETag"] == body["@odata.etag"]
    etag = body["@odata.etag"]

    resp = api("PATCH", f"contacts({new_id})", json_body={"lastname": "Okafor"},
               headers={"If-Match": etag})
    assert resp.status_code == 204
    body = api.get(f"contacts({new_id})").get_json()
    assert body["fullname"] == "Nia Okafor" and body["@odata.etag"] != etag

    resp = api("PATCH", f"contacts({new_id})", json_body={"lastname": "Stale"},
               headers={"If-Match": etag})
    assert resp.status_code == 412
    assert error_of(resp) == ("0x80060882", "The version of the existing record doesn't match "
                                            "the RowVersion property provided.")
    resp = api("DELETE", f"contacts({new_id})", headers={"If-Match": etag})
    assert resp.status_code == 412
    assert api("DELETE", f"contacts({new_id})").status_code == 204
    resp = api.get(f"contacts({new_id})")
    assert resp.status_code == 404
    assert error_of(resp) == ("0x80040217", f"contact With Id = {new_id} Does Not Exist")
    assert api("DELETE", f"contacts({new_id})").status_code == 404


def test_create_with_representation_and_owner_bind(api):
    resp = api("POST", "tasks?$select=subject,_ownerid_value",
               json_body={"subject": "Follow up",
                          "ownerid@odata.bind": f"/systemusers({BOB.systemuser_id})"},
               headers={"Prefer": "return=representation"})
    assert resp.status_code == 201
    assert resp.headers["Preference-Applied"] == "return=representation"
    body = resp.get_json()
    assert body["@odata.context"].endswith("$metadata#tasks(subject,_ownerid_value)/$entity")
    assert body["_ownerid_value"] == BOB.systemuser_id
    assert body["activityid"] and body["@odata.etag"] == resp.headers["ETag"]


def test_payload_errors(api):
    resp = api("POST", "contacts", json_body={"nosuchcolumn": 1})
    assert resp.status_code == 400
    code, message = error_of(resp)
    assert code == "0x80048d19" and "The property 'nosuchcolumn' does not exist" in message
    resp = api("POST", "contacts", json_body={"_ownerid_value": BOB.systemuser_id})
    assert resp.status_code == 400 and "ownerid@odata.bind" in error_of(resp)[1]
    resp = api("POST", "contacts", data="{not json", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    resp = api("POST", "contacts",
               json_body={"ownerid@odata.bind": f"/systemusers({uuid.uuid4()})"})
    assert resp.status_code == 404


def test_upsert_semantics(api):
    new_id = str(uuid.uuid4())
    # If-Match: * prevents the create half of an upsert.
    resp = api("PATCH", f"contacts({new_id})", json_body={"firstname": "X"},
               headers={"If-Match": "*"})
    assert resp.status_code == 404
    # Plain PATCH to a missing id creates it.
    resp = api("PATCH", f"contacts({new_id})", json_body={"firstname": "Upserted"})
    assert resp.status_code == 204
    assert api.get(f"contacts({new_id})").get_json()["fullname"] == "Upserted"
    # If-None-Match: * prevents the update half.
    resp = api("PATCH", f"contacts({new_id})", json_body={"firstname": "Again"},
               headers={"If-None-Match": "*"})
    assert resp.status_code == 412
    assert error_of(resp)[1] == "A record with matching key values already exists."
    resp = api("PATCH", f"contacts({new_id})", json_body={"firstname": "Again"},
               headers={"If-Match": "*", "Prefer": "return=representation"})
    assert resp.status_code == 200 and resp.get_json()["firstname"] == "Again"


def test_conditional_get_returns_304(api):
    row = api.get("contacts?$top=1").get_json()["value"][0]
    resp = api.get(f"contacts({row['contactid']})", headers={"If-None-Match": row["@odata.etag"]})
    assert resp.status_code == 304


def test_org_settings_writable_only_with_privilege(api):
    resp = api("PATCH", f"organizations({NA.org_id})",
               json_body={"isassignedtaskssyncenabled": True}, user=BOB)
    assert resp.status_code == 403 and error_of(resp)[0] == "0x80040220"
    resp = api("PATCH", f"organizations({NA.org_id})",
               json_body={"isassignedtaskssyncenabled": True}, headers={"If-Match": "*"})
    assert resp.status_code == 204
    assert api.get("organizations").get_json()["value"][0]["isassignedtaskssyncenabled"] is True


def test_delete_appointment_cascades_to_attachments(api):
    atts = api.get("activitymimeattachments").get_json()["value"]
    parent = atts[0]["_objectid_value"]
    assert api("DELETE", f"appointments({parent})").status_code == 204
    assert api.get("activitymimeattachments").get_json()["value"] == []


# --------------------------------------------------------------------------- change tracking

def _all_pages(api, resp, headers=None):
    body = resp.get_json()
    values = list(body["value"])
    while "@odata.nextLink" in body:
        body = api.follow(body["@odata.nextLink"], headers=headers).get_json()
        values += body["value"]
    return values, body


def test_change_tracking_initial_then_delta(api):
    prefer = {"Prefer": "odata.track-changes,odata.maxpagesize=8"}
    resp = api.get("contacts?$select=fullname", headers=prefer)
    assert resp.status_code == 200
    assert "odata.track-changes" in resp.headers["Preference-Applied"]
    rows, last = _all_pages(api, resp, headers=prefer)
    assert len(rows) == 30
    delta_link = last["@odata.deltaLink"]
    assert "$deltatoken=" in delta_link and "$select=fullname" in delta_link

    first, second = rows[0]["contactid"], rows[1]["contactid"]
    api("PATCH", f"contacts({first})", json_body={"firstname": "Changed"})
    api("DELETE", f"contacts({second})")
    resp = api("POST", "contacts", json_body={"firstname": "Brand", "lastname": "New"})
    created = resp.headers["OData-EntityId"].split("(")[1].rstrip(")")

    body = api.follow(delta_link).get_json()
    assert body["@odata.context"] == f"{BASE}/api/data/v9.2/$metadata#contacts(fullname)/$delta"
    changed = {r["contactid"]: r for r in body["value"] if "contactid" in r}
    deleted = [r for r in body["value"] if r.get("reason") == "deleted"]
    assert set(changed) == {first, created}
    assert changed[first]["fullname"].startswith("Changed")
    assert deleted == [{"@odata.context": f"{BASE}/api/data/v9.2/$metadata#contacts/$deletedEntity",
                        "id": second, "reason": "deleted"}]
    again = api.follow(body["@odata.deltaLink"]).get_json()
    assert again["value"] == []


def test_change_tracking_keeps_deletes_made_while_paging(api):
    prefer = {"Prefer": "odata.track-changes,odata.maxpagesize=10"}
    body = api.get("contacts?$select=fullname", headers=prefer).get_json()
    seen = [r["contactid"] for r in body["value"]]
    victim = seen[0]
    api("DELETE", f"contacts({victim})")
    while "@odata.nextLink" in body:
        body = api.follow(body["@odata.nextLink"], headers=prefer).get_json()
        seen += [r.get("contactid") or r["id"] for r in body["value"]]
    # The deleted row shows up as a tombstone in the initial sync or in the first delta.
    delta = api.follow(body["@odata.deltaLink"]).get_json()["value"]
    tombstones = [r["id"] for r in delta if r.get("reason") == "deleted"] + \
        [i for i in seen[30:] if i == victim]
    assert victim in tombstones


def test_change_tracking_rejects_query_options(api):
    for option in ("$filter=firstname eq 'a'", "$orderby=fullname", "$top=2",
                   "$expand=ownerid"):
        resp = api.get(f"contacts?{option}", headers={"Prefer": "odata.track-changes"})
        assert resp.status_code == 400
        name = option.split("=")[0]
        assert error_of(resp)[1] == (
            f'The "{name}" query parameter isn\'t supported when Change Tracking is enabled.')


def test_delta_token_expires(api, clock, store):
    body = api.get("contacts?$select=fullname", headers={"Prefer": "odata.track-changes"}
                   ).get_json()
    link = body["@odata.deltaLink"]
    clock.now += dt.timedelta(days=6)
    assert api.follow(link).status_code == 200
    clock.now += dt.timedelta(days=2)
    resp = api.follow(link)
    assert resp.status_code == 400
    assert error_of(resp)[0] == "0x80044352"
    bad = api.get("contacts", query_string="$deltatoken=nonsense")
    assert bad.status_code == 400


# --------------------------------------------------------------------------- $batch

def _batch_body(boundary, parts):
    out = []
    for part in parts:
        out.append(f"--{boundary}\r\n{part}")
    out.append(f"--{boundary}--\r\n")
    return "".join(out)


def _http_part(method, url, body=None, content_id=None, headers=()):
    head = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
    if content_id:
        head += f"Content-ID: {content_id}\r\n"
    lines = [f"{method} {url} HTTP/1.1"]
    if body is not None:
        lines.append("Content-Type: application/json; type=entry")
    lines += list(headers)
    text = head + "\r\n" + "\r\n".join(lines) + "\r\n\r\n"
    if body is not None:
        text += json.dumps(body) + "\r\n"
    return text


def _changeset(boundary, parts):
    return (f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n"
            + _batch_body(boundary, parts))


def _parse_batch(resp):
    import email.parser
    import email.policy
    raw = (b"Content-Type: " + resp.headers["Content-Type"].encode() + b"\r\n\r\n"
           + resp.get_data())
    msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)
    out = []
    for part in msg.get_payload():
        items = part.get_payload() if part.is_multipart() else [part]
        for item in items:
            text = item.get_payload(decode=True).decode()
            status = int(text.split(" ", 2)[1])
            out.append((status, item.get("Content-ID"), text))
    return out


def test_batch_with_changeset_and_get(api):
    boundary = "batch_abc"
    body = _batch_body(boundary, [
        _changeset("changeset_1", [
            _http_part("POST", f"{BASE}/api/data/v9.2/contacts",
                       {"firstname": "Batch", "lastname": "One"}, content_id="1"),
            _http_part("POST", "/api/data/v9.2/tasks",
                       {"subject": "About batch one",
                        "regardingobjectid_contact_task@odata.bind": "$1"}, content_id="2"),
            _http_part("PATCH", "$1", {"jobtitle": "Referenced"}, content_id="3"),
        ]),
        _http_part("GET", "contacts?$select=fullname,jobtitle&$filter=lastname eq 'One'"),
    ])
    resp = api("POST", "$batch", data=body,
               headers={"Content-Type": f"multipart/mixed; boundary={boundary}"})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("multipart/mixed; boundary=batchresponse_")
    parts = _parse_batch(resp)
    assert [p[0] for p in parts] == [204, 204, 204, 200]
    assert [p[1] for p in parts[:3]] == ["1", "2", "3"]
    assert "OData-EntityId: " in parts[0][2]
    rows = json.loads(parts[3][2].split("\r\n\r\n", 1)[1])["value"]
    assert rows[0]["fullname"] == "Batch One" and rows[0]["jobtitle"] == "Referenced"
    contact_id = rows[0]["contactid"]
    tasks = api.get(f"tasks?$filter=_regardingobjectid_value eq {contact_id}").get_json()
    assert len(tasks["value"]) == 1


def test_failed_changeset_rolls_back_everything(api):
    before = api.get("contacts/$count").get_data(as_text=True)
    boundary = "batch_fail"
    body = _batch_body(boundary, [
        _changeset("changeset_x", [
            _http_part("POST", "contacts", {"firstname": "Doomed"}, content_id="1"),
            _http_part("PATCH", f"contacts({uuid.uuid4()})", {"firstname": "x"},
                       headers=["If-Match: *"], content_id="2"),
        ]),
        _http_part("POST", "contacts", {"firstname": "Never reached"}),
    ])
    resp = api("POST", "$batch", data=body,
               headers={"Content-Type": f"multipart/mixed; boundary={boundary}"})
    assert resp.status_code == 400
    parts = _parse_batch(resp)
    assert [p[0] for p in parts] == [404]
    assert api.get("contacts/$count").get_data(as_text=True) == before


def test_batch_continue_on_error(api):
    boundary = "batch_cont"
    body = _batch_body(boundary, [
        _http_part("POST", "contacts", {"nosuch": 1}),
        _http_part("POST", "contacts", {"firstname": "Reached"}),
    ])
    resp = api("POST", "$batch", data=body,
               headers={"Content-Type": f"multipart/mixed; boundary={boundary}",
                        "Prefer": "odata.continue-on-error"})
    assert resp.status_code == 200
    assert [p[0] for p in _parse_batch(resp)] == [400, 204]


def test_batch_rejects_get_in_changeset_and_unknown_reference(api):
    boundary = "batch_bad"
    body = _batch_body(boundary, [_changeset("changeset_g", [
        _http_part("GET", "contacts"),
    ])])
    resp = api("POST", "$batch", data=body,
               headers={"Content-Type": f"multipart/mixed; boundary={boundary}"})
    assert resp.status_code == 400
    body = _batch_body(boundary, [_changeset("changeset_r", [
        _http_part("PATCH", "$7", {"firstname": "x"}, content_id="1"),
    ])])
    resp = api("POST", "$batch", data=body,
               headers={"Content-Type": f"multipart/mixed; boundary={boundary}"})
    assert resp.status_code == 400
    assert "Content-ID Reference: '$7' does not exist" in _parse_batch(resp)[0][2]


def test_batch_limit_and_content_type(api):
    boundary = "batch_many"
    body = _batch_body(boundary, [_http_part("GET", "WhoAmI")] * 1001)
    resp = api("POST", "$batch", data=body,
               headers={"Content-Type": f"multipart/mixed; boundary={boundary}"})
    assert resp.status_code == 400 and "1000" in error_of(resp)[1]
    resp = api("POST", "$batch", data="x", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400


def test_batch_under_path_prefix(store):
    onprem = Api(create_webapi_app(ONPREM, store, "https://127.0.0.1:44360/contosoonprem"),
                 script_name="/contosoonprem")
    boundary = "batch_p"
    body = _batch_body(boundary, [
        _http_part("GET", "/contosoonprem/api/data/v9.2/WhoAmI"),
        _http_part("GET", "https://127.0.0.1:44360/contosoonprem/api/data/v9.2/RetrieveVersion"),
    ])
    resp = onprem("POST", "/api/data/v9.2/$batch", data=body,
                  headers={"Content-Type": f"multipart/mixed; boundary={boundary}"})
    assert resp.status_code == 200
    assert [p[0] for p in _parse_batch(resp)] == [200, 200]


# --------------------------------------------------------------------------- EntityDefinitions

def test_entity_definitions_as_the_sdk_asks(api):
    resp = api.get("EntityDefinitions", query_string={
        "$select": "LogicalName,EntitySetName,PrimaryIdAttribute",
        "$filter": "LogicalName eq 'appointment'"})
    assert resp.status_code == 200
    assert resp.get_json()["value"] == [{"LogicalName": "appointment",
                                         "EntitySetName": "appointments",
                                         "PrimaryIdAttribute": "activityid"}]
    resp = api.get("EntityDefinitions(LogicalName='contact')/Attributes/"
                   "Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
                   query_string="$select=LogicalName&$expand=OptionSet($select=Options)")
    assert resp.status_code == 200
    picks = {a["LogicalName"]: a for a in resp.get_json()["value"]}
    assert "address1_addresstypecode" in picks
    one = api.get("EntityDefinitions(LogicalName='task')").get_json()
    assert one["EntitySetName"] == "tasks" and one["PrimaryIdAttribute"] == "activityid"
    assert api.get("EntityDefinitions(LogicalName='nosuch')").status_code == 404


# --------------------------------------------------------------------------- views and filters

def _my_filter(api, entity, query_type=256, user=ALICE):
    rows = api.get(f"userqueries?$filter=querytype eq {query_type} and returnedtypecode eq "
                   f"'{entity}' and _ownerid_value eq {user.systemuser_id}", user=user
                   ).get_json()["value"]
    assert len(rows) == 1, rows
    return rows[0]


def test_user_query_runs_my_contacts_for_the_caller(api, store):
    mine = _my_filter(api, "contact")
    rows = api.get("contacts", query_string={"userQuery": mine["userqueryid"]}).get_json()["value"]
    expected = {r["contactid"] for r in store.rows("contosona", "contact")
                if r["_ownerid_value"] == ALICE.systemuser_id}
    assert {r["contactid"] for r in rows} == expected and expected
    # The same view run by Bob returns Bob's contacts: eq-userid means the caller.
    rows = api.get("contacts", query_string={"userQuery": mine["userqueryid"]},
                   user=BOB).get_json()["value"]
    assert rows and all(r["_ownerid_value"] == BOB.systemuser_id for r in rows)
    resp = api.get("tasks", query_string={"userQuery": mine["userqueryid"]})
    assert resp.status_code == 400


def test_fetchxml_parameter_with_attributes_order_and_like(api):
    fetch = ('<fetch top="3"><entity name="contact"><attribute name="fullname"/>'
             '<attribute name="ownerid"/><order attribute="fullname" descending="true"/>'
             '<filter type="or"><condition attribute="fullname" operator="like" value="a%"/>'
             '<condition attribute="fullname" operator="like" value="b%"/></filter>'
             '</entity></fetch>')
    resp = api.get("contacts", query_string={"fetchXml": fetch})
    assert resp.status_code == 200, resp.get_json()
    rows = resp.get_json()["value"]
    assert 0 < len(rows) <= 3
    assert all(set(r) == {"@odata.etag", "fullname", "_ownerid_value", "contactid"} for r in rows)
    assert all(r["fullname"][0] in "AaBb" for r in rows)
    names = [r["fullname"].casefold() for r in rows]
    assert names == sorted(names, reverse=True)
    for bad in ("<fetch><entity name='contact'><link-entity name='account'/></entity></fetch>",
                "<fetch><entity name='task'/></fetch>", "not xml",
                "<fetch><entity name='contact'><attribute name='nosuch'/></entity></fetch>"):
        resp = api.get("contacts", query_string={"fetchXml": bad})
        assert resp.status_code == 400, bad
        error_of(resp)


def test_reset_user_filters_restores_templates(api):
    mine = _my_filter(api, "contact")
    assert api("DELETE", f"userqueries({mine['userqueryid']})").status_code == 204
    assert api("POST", "ResetUserFilters", json_body={"QueryType": 256}).status_code == 204
    restored = _my_filter(api, "contact")
    assert restored["userqueryid"] != mine["userqueryid"]
    assert restored["fetchxml"] == mine["fetchxml"]
    # Offline filters untouched, Bob's untouched.
    _my_filter(api, "contact", query_type=16)
    _my_filter(api, "contact", user=BOB)
    assert api("POST", "ResetUserFilters", json_body={"QueryType": 3}).status_code == 400


def test_instantiate_filters_from_templates(api):
    templates = api.get("savedqueries?$filter=querytype eq 131072 and returnedtypecode eq 'task'"
                        ).get_json()["value"]
    resp = api("POST", f"systemusers({CAROL.systemuser_id})/Microsoft.Dynamics.CRM."
                       "InstantiateFilters",
               json_body={"TemplateCollection": [
                   {"@odata.type": "Microsoft.Dynamics.CRM.savedquery",
                    "savedqueryid": templates[0]["savedqueryid"]}]})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["@odata.context"].endswith("#Microsoft.Dynamics.CRM.InstantiateFiltersResponse")
    [created] = body["EntityCollection"]
    assert created["_ownerid_value"] == CAROL.systemuser_id and created["querytype"] == 256


def test_only_administrators_edit_system_filters(api):
    body = {"name": "Big accounts' contacts", "returnedtypecode": "contact", "querytype": 256,
            "fetchxml": "<fetch><entity name='contact'/></fetch>"}
    assert api("POST", "savedqueries", json_body=body, user=BOB).status_code == 403
    assert api("POST", "savedqueries", json_body=body).status_code == 204


def test_an_internal_failure_answers_500_in_dataverse_shape(api, store, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(store, "get", broken)
    row = api.get("contacts?$top=1").get_json()["value"][0]
    resp = api.get(f"contacts({row['contactid']})")
    assert resp.status_code == 500
    assert error_of(resp) == ("0x80040216", "An unexpected error occurred.")
    assert "simulated bug" in caplog.text


def test_disabled_org_answers_like_the_sandbox_core(store):
    retired = Api(create_webapi_app(seed.org_by_name("contosoretired"), store, BASE))
    member = next(u for u in seed.USERS if "contosoretired" in u.orgs and not u.disabled)
    resp = retired.get("WhoAmI", user=member)
    assert resp.status_code == 403
    from wizard.sandbox.org_auth import ORG_DISABLED_CODE
    assert error_of(resp)[0] == ORG_DISABLED_CODE


def test_equal_user_id_query_function_means_the_caller(api, store):
    query = "contacts?$select=fullname&$filter=Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')"
    for user in (ALICE, BOB):
        rows = api.get(query, user=user).get_json()["value"]
        expected = {r["contactid"] for r in store.rows("contosona", "contact")
                    if r["_ownerid_value"] == user.systemuser_id}
        assert {r["contactid"] for r in rows} == expected and expected


# --------------------------------------------------------------------------- paging properties

_PAGING_STORE = DataStore.seeded(contacts=40)
_PAGING_API = Api(create_webapi_app(NA, _PAGING_STORE, BASE))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_size=st.integers(1, 12),
       orderby=st.sampled_from([None, "fullname", "jobtitle desc,fullname", "createdon desc"]),
       flt=st.sampled_from([None, "contains(fullname,'a')", "address1_city eq 'Tokyo'"]),
       top=st.sampled_from([None, 5, 17]))
def test_pages_concatenate_to_the_unpaged_result(page_size, orderby, flt, top):
    query = {"$select": "fullname"}
    if orderby:
        query["$orderby"] = orderby
    if flt:
        query["$filter"] = flt
    if top:
        query["$top"] = str(top)
    full = _PAGING_API.get("contacts", query_string=query).get_json()
    assert "@odata.nextLink" not in full
    expected = [r["contactid"] for r in full["value"]]
    prefer = {"Prefer": f"odata.maxpagesize={page_size}"}
    body = _PAGING_API.get("contacts", query_string=query, headers=prefer).get_json()
    got = [r["contactid"] for r in body["value"]]
    while "@odata.nextLink" in body:
        assert len(body["value"]) == page_size
        body = _PAGING_API.follow(body["@odata.nextLink"], headers=prefer).get_json()
        got += [r["contactid"] for r in body["value"]]
    assert got == expected


@pytest.mark.parametrize("body,fragment", [
    ({"firstname": 123}, "Edm.String"),
    ({"donotemail": "yes"}, "Edm.Boolean"),
    ({"statecode": True}, "Edm.Int32"),
    ({"birthdate": "last tuesday"}, "Edm.DateTimeOffset"),
])
def test_values_of_the_wrong_type_are_refused(api, body, fragment):
    resp = api("POST", "contacts", json_body=body)
    assert resp.status_code == 400
    code, message = error_of(resp)
    assert code == "0x80048d19" and fragment in message


def test_too_long_text_is_a_validation_error(api):
    resp = api("POST", "tasks", json_body={"subject": "x" * 201})
    assert resp.status_code == 400
    assert error_of(resp) == ("0x80044331", "A validation error occurred.  The length of the "
                              "'subject' attribute of the 'task' entity exceeded the maximum "
                              "allowed length of '200'.")
    assert api("POST", "tasks", json_body={"subject": "x" * 200}).status_code == 204
    ok = api("POST", "contacts", json_body={"birthdate": "1990-05-01", "donotemail": True,
                                            "statecode": 0, "description": None})
    assert ok.status_code == 204


def test_count_of_changes_since_a_delta_token(api):
    body = api.get("contacts?$select=fullname", headers={"Prefer": "odata.track-changes"}
                   ).get_json()
    token = body["@odata.deltaLink"].split("$deltatoken=")[1]
    rows = body["value"]
    api("PATCH", f"contacts({rows[0]['contactid']})", json_body={"firstname": "New"})
    api("DELETE", f"contacts({rows[1]['contactid']})")
    resp = api.get(f"contacts/$count?$deltatoken={token}")
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "2"


def test_expand_single_valued_lookups(api):
    resp = api.get("tasks?$select=subject,_regardingobjectid_value"
                   "&$expand=ownerid($select=fullname),regardingobjectid_contact_task($select="
                   "fullname)&$filter=_regardingobjectid_value ne null")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["@odata.context"].endswith(
        "#tasks(subject,_regardingobjectid_value,ownerid(fullname),"
        "regardingobjectid_contact_task(fullname))")
    row = body["value"][0]
    assert row["ownerid"]["fullname"] in {u.display_name for u in seed.USERS}
    assert row["ownerid"]["systemuserid"] == row["ownerid"]["systemuserid"].lower()
    contact = row["regardingobjectid_contact_task"]
    assert contact["contactid"] == row["_regardingobjectid_value"] and contact["fullname"]
    single = api.get(f"tasks({row['activityid']})?$expand=ownerid($select=fullname)")
    assert single.get_json()["ownerid"]["fullname"] == row["ownerid"]["fullname"]
    # A lookup that is empty expands to null.
    unrelated = api.get("tasks?$select=subject&$expand=regardingobjectid_contact_task"
                        "&$filter=_regardingobjectid_value eq null").get_json()["value"]
    assert unrelated and all(r["regardingobjectid_contact_task"] is None for r in unrelated)


def test_create_and_update_multiple_are_atomic(api, store):
    resp = api("POST", "contacts/Microsoft.Dynamics.CRM.CreateMultiple", json_body={"Targets": [
        {"@odata.type": "Microsoft.Dynamics.CRM.contact", "firstname": "M1"},
        {"@odata.type": "Microsoft.Dynamics.CRM.contact", "firstname": "M2"}]})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["@odata.context"].endswith("#Microsoft.Dynamics.CRM.CreateMultipleResponse")
    ids = body["Ids"]
    assert [store.get("contosona", "contact", i)["firstname"] for i in ids] == ["M1", "M2"]
    resp = api("POST", "contacts/Microsoft.Dynamics.CRM.UpdateMultiple", json_body={"Targets": [
        {"contactid": ids[0], "firstname": "U1"}, {"contactid": ids[1], "firstname": "U2"}]})
    assert resp.status_code == 204
    assert store.get("contosona", "contact", ids[1])["firstname"] == "U2"
    count = len(store.rows("contosona", "contact"))
    resp = api("POST", "contacts/Microsoft.Dynamics.CRM.CreateMultiple", json_body={"Targets": [
        {"firstname": "ok"}, {"nosuch": 1}]})
    assert resp.status_code == 400
    assert len(store.rows("contosona", "contact")) == count
    resp = api("POST", "contacts/Microsoft.Dynamics.CRM.UpdateMultiple", json_body={"Targets": [
        {"contactid": ids[0], "firstname": "Z"}, {"contactid": str(uuid.uuid4())}]})
    assert resp.status_code == 404
    assert store.get("contosona", "contact", ids[0])["firstname"] == "U1"


def test_removing_a_lookup_reference(api, store):
    task = next(t for t in store.rows("contosona", "task") if t["_regardingobjectid_value"])
    resp = api("DELETE", f"tasks({task['activityid']})/regardingobjectid_contact_task/$ref")
    assert resp.status_code == 204
    assert store.get("contosona", "task", task["activityid"])["_regardingobjectid_value"] is None


def test_formatted_values_for_choices_and_booleans(api):
    boxes = api.get("mailboxes?$select=actdeliverymethod,isactsyncorgflagset",
                    headers={"Prefer": 'odata.include-annotations="*"'}).get_json()["value"]
    labels = {b["actdeliverymethod"]: b["actdeliverymethod@OData.Community.Display.V1."
                                        "FormattedValue"] for b in boxes}
    # The entity reference labels actdeliverymethod 1 "Server-Side Synchronization" (the
    # "... or Email Router" label belongs to incoming/outgoing e-mail).
    assert labels.get(1, "Server-Side Synchronization") == "Server-Side Synchronization"
    assert labels.get(2, "None") == "None"
    assert all(b["isactsyncorgflagset@OData.Community.Display.V1.FormattedValue"] == "No"
               for b in boxes)
    plain = api.get("mailboxes?$select=actdeliverymethod").get_json()["value"][0]
    assert not any("@" in k for k in plain if k != "@odata.etag")
