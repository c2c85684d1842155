"""Microsoft's own Dataverse SDK (PowerPlatform-Dataverse-Client) against the running sandbox.

An independent client proves the sandbox's Web API speaks Dataverse closely enough: the SDK
resolves tables through EntityDefinitions, creates with POST (reading OData-EntityId), reads,
lists with paging, updates and deletes with `If-Match: *`, all over HTTPS with the sandbox CA.
"""

from __future__ import annotations

import time
import uuid

import pytest

from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox

dataverse = pytest.importorskip("PowerPlatform.Dataverse.client")
AccessToken = pytest.importorskip("azure.core.credentials").AccessToken


class SandboxTokenCredential:
    """A TokenCredential stub that hands out a real sandbox token for one org URL."""

    def __init__(self, token: str, org_url: str) -> None:
        self.token = token
        self.org_url = org_url
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, claims=None, tenant_id=None, enable_cae=False,
                  **kwargs) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


@pytest.fixture
def sdk_client(sandbox, sandbox_token, monkeypatch):
    # The SDK uses plain requests, whose trust comes from REQUESTS_CA_BUNDLE: point it at the
    # sandbox CA for this test only (this machine exports its own bundle).
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sandbox.ca_file))
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    org_url = sandbox.org_urls["contosona"]
    credential = SandboxTokenCredential(sandbox_token(resource=org_url), org_url)
    client = dataverse.DataverseClient(org_url, credential)
    try:
        yield client, credential
    finally:
        client.close()


def test_sdk_creates_lists_reads_updates_and_deletes_contacts(sdk_client):
    client, credential = sdk_client
    marker = uuid.uuid4().hex[:8]
    contact_id = client.records.create("contact", {
        "firstname": "Sdk", "lastname": f"Person{marker}", "emailaddress1": f"sdk{marker}@x.test",
        "description": "made by Microsoft's SDK"})
    assert uuid.UUID(contact_id)
    assert credential.scopes and all(s == (f"{credential.org_url}/.default",)
                                     for s in credential.scopes)

    found = client.records.list("contact", filter=f"lastname eq 'Person{marker}'",
                                select=["fullname", "emailaddress1"])
    rows = list(found)
    assert len(rows) == 1
    assert rows[0]["fullname"] == f"Sdk Person{marker}"

    record = client.records.retrieve("contact", contact_id, select=["fullname", "description"],
                                     expand=["ownerid($select=fullname)"])
    assert record is not None
    assert record["description"] == "made by Microsoft's SDK"
    assert record["ownerid"]["fullname"] == "Alice Adams"

    client.records.update("contact", contact_id, {"jobtitle": "Tester", "firstname": "Sdk2"})
    record = client.records.retrieve("contact", contact_id, select=["fullname", "jobtitle"])
    assert record["jobtitle"] == "Tester" and record["fullname"] == f"Sdk2 Person{marker}"

    client.records.delete("contact", contact_id)
    assert client.records.retrieve("contact", contact_id) is None


def test_sdk_pages_through_a_collection(sdk_client, sandbox):
    client, _ = sdk_client
    expected = len(sandbox.store.rows("contosona", "contact"))
    rows = list(client.records.list("contact", select=["fullname"], page_size=5))
    assert len(rows) == expected
    assert len({r["contactid"] for r in rows}) == expected


def test_sdk_sees_service_errors(sdk_client):
    client, _ = sdk_client
    from PowerPlatform.Dataverse.core.errors import HttpError

    with pytest.raises(HttpError) as info:
        client.records.update("contact", str(uuid.uuid4()), {"firstname": "Nobody"})
    assert info.value.status_code == 404


def test_sdk_batch_changeset_with_content_id_reference(sdk_client, sandbox):
    client, _ = sdk_client
    marker = uuid.uuid4().hex[:8]
    batch = client.batch.new()
    with batch.changeset() as cs:
        ref = cs.records.create("contact", {"firstname": "Batch", "lastname": marker})
        cs.records.create("task", {"subject": f"Call {marker}",
                                   "regardingobjectid_contact_task@odata.bind": ref})
    result = batch.execute()
    assert not result.has_errors, [r.__dict__ for r in result.failed]
    assert len(result.entity_ids) == 2
    contact_id, task_id = result.entity_ids
    task = sandbox.store.get("contosona", "task", task_id)
    assert task["_regardingobjectid_value"] == contact_id


def test_sdk_batch_failed_changeset_leaves_nothing_behind(sdk_client, sandbox):
    client, _ = sdk_client
    before = len(sandbox.store.rows("contosona", "contact"))
    batch = client.batch.new()
    with batch.changeset() as cs:
        cs.records.create("contact", {"firstname": "Doomed"})
        cs.records.update("contact", str(uuid.uuid4()), {"firstname": "Missing"})
    result = batch.execute()
    assert result.has_errors
    assert len(sandbox.store.rows("contosona", "contact")) == before


def test_sdk_user_outside_the_org_is_refused(sandbox, sandbox_token, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sandbox.ca_file))
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    org_url = sandbox.org_urls["contosojp"]
    erin = next(u for u in seed.USERS if "contosojp" not in u.orgs and not u.disabled)
    token = sandbox_token(erin.upn, org_url)
    client = dataverse.DataverseClient(org_url, SandboxTokenCredential(token, org_url))
    try:
        from PowerPlatform.Dataverse.core.errors import HttpError

        with pytest.raises(HttpError) as info:
            list(client.records.list("contact", top=1))
        assert info.value.status_code == 403
    finally:
        client.close()


def test_sdk_bulk_create_and_update(sdk_client, sandbox):
    client, _ = sdk_client
    marker = uuid.uuid4().hex[:8]
    ids = client.records.create("contact", [{"firstname": "Bulk", "lastname": f"{marker}{n}"}
                                            for n in range(3)])
    assert len(ids) == 3
    client.records.update("contact", ids, {"jobtitle": "Bulk-updated"})
    rows = [sandbox.store.get("contosona", "contact", i) for i in ids]
    assert [r["lastname"] for r in rows] == [f"{marker}{n}" for n in range(3)]
    assert all(r["jobtitle"] == "Bulk-updated" for r in rows)
    for i in ids:
        client.records.delete("contact", i)
