"""SIGKILL a sync at random points, many times: the next run converges, nothing is
duplicated or lost (against the sandbox's Web API; the sync runs in a child process)."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.sync.workers import finish, spawn_worker
from wizard.engine.mailstore import SqliteMailStore
from wizard.sandbox import seed

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

ORG = "contosojp"
ALICE = seed.user_by_upn(f"alice@{seed.TENANT_DOMAIN}")
WORKER = Path(__file__).with_name("sync_worker.py")
KILLS = 30


def start_worker(sb, db: Path) -> subprocess.Popen:
    url = sb.org_urls[ORG]
    return spawn_worker(WORKER, [url, str(sb.ca_file), str(db), seed.org_by_name(ORG).org_id,
                                 "3"], sb.token(ALICE.upn, url))


def test_sigkill_at_random_points_converges(sb, tmp_path):
    rng = random.Random(20261122)
    db = tmp_path / "mailbox.sqlite3"
    store = SqliteMailStore(db)
    data = sb.store
    finish(start_worker(sb, db))                      # initial sync, uninterrupted
    made: list[str] = []
    mailbox_edits: dict[str, str] = {}               # local id -> job title
    org_edits: dict[str, str] = {}                   # record id -> mobile phone
    killed = 0
    try:
        for round_no in range(KILLS):
            # new work on both sides before every run
            for n in range(3):
                name = f"Crash-{round_no}-{n}"
                store.add("contact", {"first_name": "K", "last_name": name}, tracked=True)
                made.append(name)
            linked = [i for i in store.items("contact") if i.org_record_id]
            for item in rng.sample(linked, min(2, len(linked))):
                value = f"Title {round_no}"
                store.update(item.local_id, {"job_title": value})
                mailbox_edits[item.local_id] = value
            rows = [r for r in data.rows(ORG, "contact")
                    if r["_ownerid_value"] == ALICE.systemuser_id]
            for row in rng.sample(rows, 2):
                value = f"+81 {round_no:03d} {rng.randrange(10000):04d}"
                data.update(ORG, "contact", row["contactid"], {"mobilephone": value})
                org_edits[row["contactid"]] = value
            proc = start_worker(sb, db)
            # Kill after a counted number of responses (and a little into the work that
            # follows), not at a moment of the clock: the same points however fast the
            # machine is. A run that ends first is simply not killed.
            kill_after = rng.randrange(1, 24)
            seen = 0
            while seen < kill_after and proc.stdout.readline().strip() == "response":
                seen += 1
            if seen == kill_after and proc.poll() is None:
                time.sleep(rng.uniform(0.0, 0.005))
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.communicate(timeout=60)
    finally:
        sb.faults.reset()
    assert killed >= KILLS // 2, f"only {killed} runs were interrupted"
    finish(start_worker(sb, db))
    finish(start_worker(sb, db))

    rows = data.rows(ORG, "contact")
    for name in made:                                 # nothing duplicated, nothing lost
        assert sum(1 for r in rows if r["lastname"] == name) == 1, name
        assert sum(1 for i in store.items("contact") if i.data.get("last_name") == name) == 1
    linked = [i.org_record_id for i in store.items("contact") if i.org_record_id]
    assert len(linked) == len(set(linked))
    by_id = {r["contactid"]: r for r in rows}
    for local_id, title in mailbox_edits.items():
        item = store.get(local_id)
        assert item.data["job_title"] == title
        assert by_id[item.org_record_id]["jobtitle"] == title
    items_by_org = {i.org_record_id: i for i in store.items("contact")}
    for rid, phone in org_edits.items():
        assert items_by_org[rid].data["mobile_phone"] == phone
    store.close()
