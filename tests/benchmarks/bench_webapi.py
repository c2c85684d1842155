"""Figures for the sandbox's Web API app (no sockets): seeding, paging, change tracking.

Run: python tests/benchmarks/bench_webapi.py [contacts] — prints one line per measurement.
Not collected by pytest (speed goals are not tests).
"""

from __future__ import annotations

import sys
import time
from urllib.parse import urlsplit

from werkzeug.test import Client

from wizard.sandbox import seed
from wizard.sandbox.dataverse_api import create_webapi_app
from wizard.sandbox.store import DataStore

BASE = "https://127.0.0.1:44361"


def main(contacts: int = 20000) -> None:
    t0 = time.perf_counter()
    store = DataStore.seeded(contacts=contacts)
    store.org_data("contosona")
    print(f"seed {contacts} contacts: {time.perf_counter() - t0:.2f} s")
    client = Client(create_webapi_app(seed.org_by_name("contosona"), store, BASE))
    env = {"sandbox.user": seed.USERS[0]}

    for page_size in (5000, 500):
        t0 = time.perf_counter()
        resp = client.get("/api/data/v9.2/contacts?$select=fullname,emailaddress1",
                          headers={"Prefer": f"odata.maxpagesize={page_size}"}, environ_base=env)
        n, pages = 0, 0
        while True:
            body = resp.get_json()
            n += len(body["value"])
            pages += 1
            link = body.get("@odata.nextLink")
            if not link:
                break
            parts = urlsplit(link)
            resp = client.get(parts.path + "?" + parts.query, environ_base=env,
                              headers={"Prefer": f"odata.maxpagesize={page_size}"})
        print(f"list {n} contacts in {pages} pages of {page_size}: "
              f"{time.perf_counter() - t0:.2f} s")

    t0 = time.perf_counter()
    prefer = {"Prefer": "odata.track-changes,odata.maxpagesize=5000"}
    resp = client.get("/api/data/v9.2/contacts?$select=fullname", headers=prefer,
                      environ_base=env)
    body = resp.get_json()
    while "@odata.nextLink" in body:
        parts = urlsplit(body["@odata.nextLink"])
        body = client.get(parts.path + "?" + parts.query, headers=prefer,
                          environ_base=env).get_json()
    print(f"initial change-tracking read: {time.perf_counter() - t0:.2f} s")
    ids = [r["contactid"] for r in store.rows("contosona", "contact")[:10]]
    for i in ids:
        store.update("contosona", "contact", i, {"jobtitle": "Changed"})
    t0 = time.perf_counter()
    parts = urlsplit(body["@odata.deltaLink"])
    delta = client.get(parts.path + "?" + parts.query, environ_base=env).get_json()
    print(f"delta with {len(delta['value'])} changes: {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
