"""Figures for the sync engine against a sandbox with 20,000 contacts in its own process.

Run: python tests/benchmarks/bench_sync.py [contacts [rounds]]  (from the repository root;
e.g. ``100000 3`` for the scale figures: the sandbox takes a few minutes to build them)
Prints: the time to merely fetch the same pages over HTTP (the very requests an initial
sync sends, recorded during a warm-up sync, sent again through the same session and
decoded as the sync decodes them), the initial sync's time and the ratio (target >= 0.8),
as medians over rounds of the two side by side; an incremental sync after 10 changes
(target < 5% of the initial sync); the peak memory growth during an initial sync (target
< 100 MB).
Not collected by pytest (speed goals are not tests).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.benchargs import int_args
from wizard.engine import jsoncodec
from wizard.engine.dataverse import DataverseClient
from wizard.engine.http import make_session
from wizard.engine.mailstore import SqliteMailStore
from wizard.engine.sync.engine import Synchronizer
from wizard.engine.sync.webapi import DataverseOrgSide

ORG = "contosona"


def rss_kb(field: str = "VmRSS") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def main(contacts: int = 20000, rounds: int = 5) -> None:
    data = tempfile.mkdtemp(prefix="bench-sync-")
    env = dict(os.environ, PYTHONPATH=str(ROOT), D365_WIZARD_HOME=str(Path(data) / "home"))
    server = subprocess.Popen([sys.executable, "-m", "wizard.cli", "sandbox", "serve",
                               "--contacts", str(contacts), "--data", str(Path(data) / "sb"),
                               "--json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, env=env)
    try:
        info = json.loads(server.stdout.readline())
        run(info, data, rounds)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()
        shutil.rmtree(data, ignore_errors=True)


class RecordingClient(DataverseClient):
    """Our client, remembering every request it sends (to replay them as a mere fetch)."""

    recording: list[tuple[str, str, dict]] | None = None

    def request(self, method, path, **kw):
        if self.recording is not None:
            self.recording.append((method, path, dict(kw)))
        return super().request(method, path, **kw)


def run(info: dict, data: str, rounds: int) -> None:
    url = info["org_urls"][ORG]
    session = make_session(ca_bundles=[info["ca_file"]])
    alice = next(u for u in info["users"] if u["upn"].startswith("alice@"))
    token = session.post(info["authority_url"].rstrip("/") + "/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": info["client_id"], "username": alice["upn"],
        "password": alice["password"], "scope": url.rstrip("/") + "/user_impersonation"},
        timeout=60).json()["access_token"]
    client = RecordingClient(session, url, lambda: "Bearer " + token)

    def synchronizer(store: SqliteMailStore) -> Synchronizer:
        # a new org side per run, as the app makes one (it asks WhoAmI again)
        return Synchronizer(store, DataverseOrgSide(client, org_name=ORG))

    # Warm-up (the sandbox builds the org lazily) that also records the requests an
    # initial sync sends: the fetch below sends exactly those again (same pages, page
    # size, $select and headers, through the same session) and only decodes the answers.
    client.recording = []
    with SqliteMailStore(Path(data) / "warmup.sqlite3") as warm:
        synchronizer(warm).run()
    requests_of_sync, client.recording = client.recording, None

    def fetch() -> tuple[int, int]:
        size = rows = 0
        for method, path, kw in requests_of_sync:
            response = client.request(method, path, **kw)
            size += len(response.content)
            if response.headers.get("Content-Type", "").startswith("application/json"):
                rows += len(jsoncodec.loads(response.content).get("value", []))
        return size, rows

    fetch()
    # Rounds of (fetch, initial sync into a new mailbox), side by side: the machine's
    # speed drifts (shared cores), so each round's ratio compares neighbours, and the
    # figures are medians over the rounds.
    fetches, syncs, ratios, peaks = [], [], [], []
    store: SqliteMailStore | None = None      # the last round's mailbox stays open for below
    for n in range(rounds):
        t0 = time.perf_counter()
        size, rows = fetch()
        fetches.append(time.perf_counter() - t0)
        if store is not None:
            store.close()
        store = SqliteMailStore(Path(data) / f"mailbox{n}.sqlite3")
        gc.collect()
        reset_peak()
        base = rss_kb()
        t0 = time.perf_counter()
        report = synchronizer(store).run()
        syncs.append(time.perf_counter() - t0)
        peaks.append((rss_kb("VmHWM") - base) / 1024)
        ratios.append(fetches[-1] / syncs[-1])
    t_sync = statistics.median(syncs)
    n = store.count("contact")
    print(f"fetch: the initial sync's {len(requests_of_sync)} requests ({rows} rows, "
          f"{size / 1e6:.1f} MB, pages of {DataverseOrgSide(client).page_size}) sent again "
          f"and decoded: median {statistics.median(fetches):.2f} s "
          f"({min(fetches):.2f}-{max(fetches):.2f}, {rounds} rounds)")
    print(f"initial sync: median {t_sync:.2f} s ({min(syncs):.2f}-{max(syncs):.2f}), "
          f"{n} contacts into the mailbox ({report.counts()})")
    print(f"ratio fetch/sync: median {statistics.median(ratios):.2f} "
          f"({min(ratios):.2f}-{max(ratios):.2f}; target >= 0.8)")
    print(f"peak memory growth during the initial sync: {max(peaks):.1f} MB at most "
          f"(target < 100 MB)")

    changed = [i.org_record_id for i in store.items("contact")[:10]]
    for rid in changed:
        client.request("PATCH", f"contacts({rid})", json={"jobtitle": "Changed for bench"},
                       headers={"If-Match": "*"})
    t0 = time.perf_counter()
    report = synchronizer(store).run()
    t_inc = time.perf_counter() - t0
    print(f"incremental sync after 10 changes: {t_inc:.3f} s = "
          f"{100 * t_inc / t_sync:.1f}% of the initial sync (target < 5%); {report.counts()}")
    store.close()
    session.close()


if __name__ == "__main__":
    main(*int_args(20000, 5))
