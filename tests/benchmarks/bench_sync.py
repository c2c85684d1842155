"""Figures for the sync engine against a sandbox with 20,000 contacts in its own process.

Run: python tests/benchmarks/bench_sync.py [contacts]  (from the repository root)
Prints: the time to merely fetch the contact pages over HTTP, the initial sync's time and
the ratio (target >= 0.7), an incremental sync after 10 changes (target < 5% of the
initial sync), and the peak memory growth during the initial sync (target < 100 MB).
Not collected by pytest (speed goals are not tests).
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from wizard.engine.dataverse import DataverseClient  # noqa: E402
from wizard.engine.http import make_session  # noqa: E402
from wizard.engine.mailstore import SqliteMailStore  # noqa: E402
from wizard.engine.sync.engine import Synchronizer, _Ctx  # noqa: E402
from wizard.engine.sync.webapi import DataverseOrgSide  # noqa: E402

ORG = "contosona"


def rss_kb(field: str = "VmRSS") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def main(contacts: int = 20000) -> None:
    data = tempfile.mkdtemp(prefix="bench-sync-")
    env = dict(os.environ, PYTHONPATH=str(ROOT), D365_WIZARD_HOME=str(Path(data) / "home"))
    server = subprocess.Popen([sys.executable, "-m", "wizard.cli", "sandbox", "serve",
                               "--contacts", str(contacts), "--data", str(Path(data) / "sb"),
                               "--json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, env=env)
    try:
        info = json.loads(server.stdout.readline())
        run(info, data)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()
        shutil.rmtree(data, ignore_errors=True)


def run(info: dict, data: str) -> None:
    url = info["org_urls"][ORG]
    session = make_session(ca_bundles=[info["ca_file"]])
    alice = next(u for u in info["users"] if u["upn"].startswith("alice@"))
    token = session.post(info["authority_url"].rstrip("/") + "/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": info["client_id"], "username": alice["upn"],
        "password": alice["password"], "scope": url.rstrip("/") + "/user_impersonation"},
        timeout=60).json()["access_token"]
    client = DataverseClient(session, url, lambda: "Bearer " + token)
    side = DataverseOrgSide(client, org_name=ORG)
    store = SqliteMailStore(Path(data) / "mailbox.sqlite3")
    sync = Synchronizer(store, side)

    # the same columns the sync reads, fetched raw (JSON decoded, nothing else)
    ctx = _Ctx("contact", side.whoami().user_id, side.settings(), side.attribute_mappings(),
               side.filters())
    select = side._select("contacts", sync._columns(ctx))

    def fetch() -> int:
        n, link = 0, "contacts"
        params = {"$select": select}
        headers = {"Prefer": "odata.track-changes,odata.maxpagesize=5000"}
        while link:
            page = client.request("GET", link, params=params, headers=headers).json()
            params = None
            n += len(page["value"])
            link = page.get("@odata.nextLink")
        return n

    fetch()                                   # warm-up (the sandbox builds the org lazily)
    t0 = time.perf_counter()
    rows = fetch()
    t_fetch = time.perf_counter() - t0
    print(f"fetch {rows} contacts (pages of 5000, change tracking): {t_fetch:.2f} s")

    gc.collect()
    reset_peak()
    base = rss_kb()
    t0 = time.perf_counter()
    report = sync.run()
    t_sync = time.perf_counter() - t0
    peak = rss_kb("VmHWM")
    n = store.count("contact")
    print(f"initial sync: {t_sync:.2f} s, {n} contacts into the mailbox "
          f"({report.counts()})")
    print(f"ratio fetch/sync: {t_fetch / t_sync:.2f} (target >= 0.7)")
    print(f"peak memory growth during the initial sync: {(peak - base) / 1024:.1f} MB "
          f"(target < 100 MB)")

    changed = [i.org_record_id for i in store.items("contact")[:10]]
    for rid in changed:
        client.request("PATCH", f"contacts({rid})", json={"jobtitle": "Changed for bench"},
                       headers={"If-Match": "*"})
    t0 = time.perf_counter()
    report = sync.run()
    t_inc = time.perf_counter() - t0
    print(f"incremental sync after 10 changes: {t_inc:.3f} s = "
          f"{100 * t_inc / t_sync:.1f}% of the initial sync (target < 5%); {report.counts()}")
    store.close()
    session.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
