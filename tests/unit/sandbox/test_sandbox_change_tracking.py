"""Change tracking holds under any interleaving: a client that replays the initial read and
every delta (paged, with writes landing between pages) ends with exactly the server's rows."""

from __future__ import annotations

import threading
import uuid
from urllib.parse import urlsplit

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from werkzeug.test import Client

from wizard.sandbox import seed
from wizard.sandbox.dataverse_api import create_webapi_app
from wizard.sandbox.store import DataStore

BASE = "https://127.0.0.1:44361"
ALICE = seed.USERS[0]
ENV = {"sandbox.user": ALICE}


class DeltaMirror(RuleBasedStateMachine):
    """A mirror kept only from change-tracking responses must converge to the server."""

    def __init__(self) -> None:
        super().__init__()
        self.store = DataStore.seeded(contacts=6)
        self.client = Client(create_webapi_app(seed.org_by_name("contosona"), self.store, BASE))
        self.mirror: dict[str, str | None] = {}
        self.link: str | None = None            # next page or delta link to follow
        self.page_size = 3
        self.synced_once = False
        self.counter = 0

    def _get(self, url: str, prefer: str):
        parts = urlsplit(url)
        resp = self.client.get(parts.path + ("?" + parts.query if parts.query else ""),
                               headers={"Prefer": prefer}, environ_base=ENV)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def _apply(self, body) -> None:
        for item in body["value"]:
            if item.get("reason") == "deleted":
                self.mirror.pop(item["id"], None)
            else:
                self.mirror[item["contactid"]] = item["firstname"]
        self.link = body.get("@odata.nextLink") or body.get("@odata.deltaLink")
        if "@odata.deltaLink" in body:
            self.synced_once = True
            self.at_delta = True
        else:
            self.at_delta = False

    def _ids(self) -> list[str]:
        return [r["contactid"] for r in self.store.rows("contosona", "contact")]

    @rule()
    def start_or_continue_sync(self) -> None:
        prefer = f"odata.track-changes,odata.maxpagesize={self.page_size}"
        if self.link is None:
            body = self._get(f"{BASE}/api/data/v9.2/contacts?$select=firstname", prefer)
        else:
            body = self._get(self.link, prefer)
        self._apply(body)

    @rule(name=st.sampled_from(["Ann", "Bo", "Cy"]))
    def create(self, name: str) -> None:
        self.counter += 1
        self.store.create("contosona", "contact", {"firstname": f"{name}{self.counter}"},
                          user_id=ALICE.systemuser_id)

    @precondition(lambda self: self.store.rows("contosona", "contact"))
    @rule(data=st.data())
    def update(self, data) -> None:
        target = data.draw(st.sampled_from(self._ids()))
        self.counter += 1
        self.store.update("contosona", "contact", target, {"firstname": f"U{self.counter}"})

    @precondition(lambda self: self.store.rows("contosona", "contact"))
    @rule(data=st.data())
    def delete(self, data) -> None:
        self.store.delete("contosona", "contact", data.draw(st.sampled_from(self._ids())))

    @rule(data=st.data())
    def recreate_with_same_id(self, data) -> None:
        gone = [i for i in self.store.org_data("contosona").tombstones.get("contact", {})]
        if gone:
            target = data.draw(st.sampled_from(sorted(gone)))
            self.store.create("contosona", "contact", {"firstname": "Back"}, row_id=target,
                              user_id=ALICE.systemuser_id)

    @invariant()
    def converges_when_caught_up(self) -> None:
        if not self.synced_once:
            return
        # Catch up completely: follow links until a delta link answers with nothing new.
        prefer = f"odata.track-changes,odata.maxpagesize={self.page_size}"
        for _ in range(100):
            body = self._get(self.link, prefer)
            self._apply(body)
            if not body["value"] and "@odata.deltaLink" in body:
                break
        server = {r["contactid"]: r["firstname"] for r in self.store.rows("contosona",
                                                                            "contact")}
        assert self.mirror == server


TestDeltaMirror = DeltaMirror.TestCase
TestDeltaMirror.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)


def test_concurrent_writers_get_unique_versions():
    store = DataStore.seeded(contacts=0)
    ids = [str(uuid.uuid4()) for _ in range(8)]
    for i in ids:
        store.create("contosona", "contact", {"firstname": "t"}, row_id=i)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for k in range(50):
                store.update("contosona", "contact", ids[(n + k) % len(ids)],
                             {"lastname": f"{n}-{k}"})
        except BaseException as e:      # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    versions = [r["versionnumber"] for r in store.rows("contosona", "contact")]
    assert len(set(versions)) == len(versions)
    assert store.current_version("contosona") >= max(versions)
    changed, _, _ = store.changes_since("contosona", "contact", 0)
    assert len(changed) == len(ids)
