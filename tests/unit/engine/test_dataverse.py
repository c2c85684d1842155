"""DataverseClient against a scripted HTTPS server: headers, paging, errors, ETags."""

from __future__ import annotations

import json

import pytest
import trustme

from tests.fixtures.scripted_https import respond, start_scripted_server
from wizard.engine.dataverse import (
    AccessDenied,
    DataverseClient,
    DataverseError,
    DataverseNotFound,
    OrgDisabled,
    PreconditionFailed,
    SignInRequired,
    Throttled,
)
from wizard.engine.http import RetryPolicy, make_session


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("ca")
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    ca.cert_pem.write_to_path(str(d / "ca.pem"))
    leaf.private_key_and_cert_chain_pem.write_to_path(str(d / "leaf.pem"))
    return d


@pytest.fixture
def server(certs):
    state, stop = start_scripted_server(certs / "leaf.pem", certs / "leaf.pem")
    yield state
    stop()


@pytest.fixture
def client(server, certs):
    calls = []

    def token():
        calls.append(1)
        return "Bearer tok-123"

    session = make_session(ca_bundles=[certs / "ca.pem"], sleep=lambda s: None,
                           retry=RetryPolicy(max_retries=1))
    c = DataverseClient(session, server.url, token)
    c.calls = calls
    yield c
    session.close()


def test_headers_and_whoami(server, client):
    server.add(respond(200, {"UserId": "u", "OrganizationId": "o", "BusinessUnitId": "b"}))
    assert client.whoami()["UserId"] == "u"
    seen = server.seen[0]
    assert seen.path == "/api/data/v9.2/WhoAmI"
    assert seen.headers["Authorization"] == "Bearer tok-123"
    assert seen.headers["Accept"] == "application/json"
    assert seen.headers["OData-MaxVersion"] == "4.0" and seen.headers["OData-Version"] == "4.0"


def test_paging_follows_next_link(server, client):
    nxt = server.url + "/api/data/v9.2/contacts?$select=fullname&$skiptoken=abc%20def"
    server.add(respond(200, {"value": [{"n": 1}, {"n": 2}], "@odata.nextLink": nxt}),
               respond(200, {"value": [{"n": 3}]}))
    rows = list(client.list("contacts", select=["fullname"], page_size=2))
    assert [r["n"] for r in rows] == [1, 2, 3]
    assert server.seen[0].headers["Prefer"] == "odata.maxpagesize=2"
    assert server.seen[1].path == "/api/data/v9.2/contacts?$select=fullname&$skiptoken=abc%20def"
    assert len(client.calls) == 2  # a token per request, so refreshes happen mid-paging


def test_create_returns_id_and_update_sends_etag(server, client):
    gid = "11111111-2222-3333-4444-555555555555"
    server.add(respond(204, None, {"OData-EntityId": f"{server.url}/api/data/v9.2/contacts({gid})"}),
               respond(204), respond(412, {"error": {"code": "0x80060882",
                                                     "message": "The version of the existing record doesn't match"}}))
    assert client.create("contacts", {"lastname": "X"}) == gid
    assert json.loads(server.seen[0].body) == {"lastname": "X"}
    client.update("contacts", gid, {"lastname": "Y"}, etag='W/"1"')
    assert server.seen[1].headers["If-Match"] == 'W/"1"' and server.seen[1].method == "PATCH"
    with pytest.raises(PreconditionFailed):
        client.update("contacts", gid, {"lastname": "Z"}, etag='W/"1"')


@pytest.mark.parametrize("status,body,cls,code", [
    (401, {"error": {"code": "0x80072560", "message": "not authenticated"}}, SignInRequired,
     "signin_required"),
    (403, {"error": {"code": "0x80040220", "message": "Principal user is missing prvReadContact"}},
     AccessDenied, "access_denied"),
    (403, {"error": {"code": "0x80072556", "message": "The organization is disabled."}},
     OrgDisabled, "org_disabled"),
    (404, {"error": {"code": "0x80060888", "message": "Resource not found for the segment 'x'."}},
     DataverseNotFound, "not_found"),
    (429, {"error": {"code": "0x80072322", "message": "Number of requests exceeded"}},
     Throttled, "throttled"),
    (500, "<html>boom</html>", DataverseError, "dataverse_error"),
])
def test_errors_are_mapped(server, client, status, body, cls, code):
    server.add(*[respond(status, body.encode() if isinstance(body, str) else body,
                         {"Retry-After": "0"} if status == 429 else None)] * 3)
    with pytest.raises(cls) as info:
        client.retrieve_version()
    err = info.value
    assert err.status == status and err.code == code and err.fix
    if isinstance(body, dict):
        assert err.error_code == body["error"]["code"]
        assert body["error"]["message"] in err.details


def test_privileges(server, client):
    server.add(respond(200, {"RolePrivileges": [
        {"Depth": "Basic", "PrivilegeId": "x", "BusinessUnitId": "b",
         "PrivilegeName": "prvSyncToOutlook"}]}))
    assert client.has_privilege("5e7a0001-0000-4000-8000-000000000001", "prvSyncToOutlook")
    assert server.seen[0].path == ("/api/data/v9.2/systemusers(5e7a0001-0000-4000-8000-"
                                   "000000000001)/Microsoft.Dynamics.CRM.RetrieveUserPrivileges")


def test_non_json_answer_is_explained(server, client):
    server.add(respond(200, b"<html>sign in</html>"))
    with pytest.raises(DataverseError) as info:
        client.whoami()
    assert info.value.code == "not_dataverse"
