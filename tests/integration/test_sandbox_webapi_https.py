"""The Web API over the sandbox's real HTTPS servers: concurrency and the on-premises mount."""

from __future__ import annotations

import threading

import pytest

from tests.fixtures.sandbox import trusting_session
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox


def test_optimistic_concurrency_lets_exactly_one_writer_win(sandbox, sandbox_token):
    org_url = sandbox.org_urls["contosona"]
    headers = {"Authorization": f"Bearer {sandbox_token(resource=org_url)}",
               "Accept": "application/json", "OData-MaxVersion": "4.0", "OData-Version": "4.0"}
    api = f"{org_url}/api/data/v9.2/"
    with trusting_session(sandbox.ca_file) as session:
        created = session.post(api + "contacts", json={"firstname": "Race"}, headers=headers)
        assert created.status_code == 204
        url = created.headers["OData-EntityId"]
        etag = session.get(url, headers=headers).headers["ETag"]

    barrier = threading.Barrier(6)
    statuses: list[int] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        with trusting_session(sandbox.ca_file) as s:
            barrier.wait()
            resp = s.patch(url, json={"lastname": f"Writer{n}"},
                           headers={**headers, "If-Match": etag})
            with lock:
                statuses.append(resp.status_code)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [204] + [412] * 5


def test_onprem_org_serves_under_its_path_with_batch(sandbox):
    from tests.integration.sandbox.test_onprem import WindowsAuth

    org_url = sandbox.org_urls["contosoonprem"]            # https://127.0.0.1:P/contosoonprem
    assert org_url.endswith("/contosoonprem")
    boundary = "batch_onprem"
    body = (f"--{boundary}\r\n"
            "Content-Type: multipart/mixed; boundary=changeset_onprem\r\n\r\n"
            "--changeset_onprem\r\n"
            "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
            "Content-ID: 1\r\n\r\n"
            "POST /contosoonprem/api/data/v9.2/contacts HTTP/1.1\r\n"
            "Content-Type: application/json; type=entry\r\n\r\n"
            '{"firstname": "OnPrem", "lastname": "Batch"}\r\n'
            "--changeset_onprem--\r\n"
            f"--{boundary}\r\n"
            "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            "GET contacts?$select=fullname&$filter=lastname%20eq%20'Batch' HTTP/1.1\r\n\r\n"
            f"--{boundary}--\r\n")
    with trusting_session(sandbox.ca_file) as session:
        who = session.get(f"{org_url}/api/data/v9.2/WhoAmI",
                          auth=WindowsAuth("CONTOSO\\alice", seed.PRACTICE_PASSWORD))
        assert who.status_code == 200, who.text
        resp = session.post(f"{org_url}/api/data/v9.2/$batch", data=body.encode(),
                            headers={"Content-Type": f"multipart/mixed; boundary={boundary}"},
                            auth=WindowsAuth("CONTOSO\\alice", seed.PRACTICE_PASSWORD))
    assert resp.status_code == 200, resp.text
    text = resp.text
    assert "HTTP/1.1 204 No Content" in text
    assert f"OData-EntityId: {org_url}/api/data/v9.2/contacts(" in text
    assert '"fullname": "OnPrem Batch"' in text
