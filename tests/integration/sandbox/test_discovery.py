"""Global Discovery lists the caller's orgs with Microsoft's field names and OData options."""

from __future__ import annotations

import pytest

from wizard.sandbox import seed
from wizard.sandbox.global_discovery import FIELDS

pytestmark = pytest.mark.sandbox

ALICE = f"alice@{seed.TENANT_DOMAIN}"


@pytest.fixture
def gds(sandbox, sandbox_session, sandbox_token):
    token = sandbox_token(ALICE, sandbox.discovery_url)

    def get(path="", params=None, token=token, upn=None):
        if upn:
            token = sandbox_token(upn, sandbox.discovery_url)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return sandbox_session.get(f"{sandbox.discovery_url}/api/discovery/v2.0/Instances{path}",
                                   params=params, headers=headers)

    return get


def names(r):
    assert r.status_code == 200, r.text
    return sorted(i["UniqueName"] for i in r.json()["value"])


def test_all_documented_fields_in_order(sandbox, gds):
    r = gds()
    assert r.headers["Content-Type"] == "application/json; odata.metadata=minimal"
    assert r.headers["OData-Version"] == "4.0"
    body = r.json()
    assert body["@odata.context"] == \
        f"{sandbox.discovery_url}/api/discovery/v2.0/$metadata#Instances"
    na = next(i for i in body["value"] if i["UniqueName"] == "contosona")
    assert tuple(na) == FIELDS
    assert na["Url"] == sandbox.org_urls["contosona"]
    assert na["Id"] == seed.org_by_name("contosona").org_id
    assert na["TenantId"] == seed.TENANT_ID and na["State"] == 0
    assert na["FriendlyName"] == "Contoso (North America)"


def test_only_the_callers_online_orgs(gds):
    assert names(gds()) == ["contosojp", "contosona", "contosoretired"]
    assert names(gds(upn=f"bob@{seed.TENANT_DOMAIN}")) == ["contosojp", "contosona"]
    assert names(gds(upn="erin@fabrikam.example")) == ["contosona"]


def test_disabled_org_has_state_1_and_the_fault_disables_more(sandbox, gds):
    states = {i["UniqueName"]: i["State"] for i in gds().json()["value"]}
    assert states == {"contosona": 0, "contosojp": 0, "contosoretired": 1}
    sandbox.faults.set("org_disabled", "contosojp")
    states = {i["UniqueName"]: i["State"] for i in gds().json()["value"]}
    assert states["contosojp"] == 1


def test_key_lookups_return_arrays(gds):
    org = seed.org_by_name("contosojp")
    assert names(gds(f"({org.org_id})")) == ["contosojp"]
    assert names(gds("(UniqueName='contosojp')")) == ["contosojp"]
    assert names(gds("(UniqueName='nosuch')")) == []
    assert names(gds(f"(Id={org.org_id})")) == ["contosojp"]


@pytest.mark.parametrize("expr, expected", [
    ("UniqueName eq 'contosona'", ["contosona"]),
    ("UniqueName eq 'ContosoNA'", []),                       # case-sensitive
    ("UniqueName ne 'contosona'", ["contosojp", "contosoretired"]),
    ("State eq 1", ["contosoretired"]),
    ("State lt 1 and Region eq 'JP'", ["contosojp"]),
    ("State ge 1 or Region eq 'JP'", ["contosojp", "contosoretired"]),
    ("not (State eq 0)", ["contosoretired"]),
    ("contains(FriendlyName, 'Japan')", ["contosojp"]),
    ("contains(FriendlyName, 'japan')", []),
    ("startswith(UniqueName, 'contosor')", ["contosoretired"]),
    ("endswith(UrlName, 'jp')", ["contosojp"]),
    ("(State eq 0 and Region eq 'NA') or UrlName eq 'contosojp'", ["contosojp", "contosona"]),
    ("Version gt '9.2.24000'", ["contosojp", "contosona"]),
    ("Version le '9.2.24000'", ["contosoretired"]),
    ("IsUserSysAdmin eq true and State eq 0", ["contosojp", "contosona"]),
    (f"Id eq {seed.org_by_name('contosojp').org_id}", ["contosojp"]),
])
def test_filter(gds, expr, expected):
    assert names(gds(params={"$filter": expr})) == expected


def test_bad_filter_and_unknown_property_are_400(gds):
    r = gds(params={"$filter": "UniqueName eq"})
    assert r.status_code == 400 and "code" in r.json()["error"]
    r = gds(params={"$filter": "Nope eq 1"})
    assert r.status_code == 400


def test_select(sandbox, gds):
    body = gds(params={"$select": "UniqueName,Url"}).json()
    assert all(tuple(i) == ("UniqueName", "Url") for i in body["value"])
    assert body["@odata.context"].endswith("#Instances(UniqueName,Url)")


def test_401_with_bearer_challenge(sandbox, gds):
    r = gds(token=None)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == (
        f"Bearer authorization_uri={sandbox.authority_url}/oauth2/authorize, "
        f"resource_id={sandbox.discovery_url}")
    assert gds(token="not.a.jwt").status_code == 401


def test_org_token_is_not_a_discovery_token(sandbox, gds, sandbox_token):
    r = gds(token=sandbox_token(ALICE, sandbox.org_urls["contosona"]))
    assert r.status_code == 401


def test_token_expired_fault(sandbox, gds):
    sandbox.faults.set("token_expired")
    r = gds()
    assert r.status_code == 401 and "error=invalid_token" in r.headers["WWW-Authenticate"]
