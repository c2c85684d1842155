"""SIGKILL a sync with a real Radicale at counted points, many times: the next run converges,
nothing is duplicated in the address book or the org, no edit is lost."""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.radicale import USERS
from tests.integration.sync.workers import finish, spawn_worker
from wizard.engine import calcard
from wizard.engine.sync.orgside import MemoryOrg

pytestmark = [pytest.mark.slow]

ME = "user-me"
WORKER = Path(__file__).with_name("dav_sync_worker.py")
KILLS = 12
X_PROPS = re.compile(r"^X-D365-(ORGRECORDID|TRACKED|ORIGIN)[;:].*\r?\n", re.M | re.I)


def start(radicale, org_file: Path, index: Path) -> subprocess.Popen:
    return spawn_worker(WORKER, [str(org_file), str(index), radicale.url,
                                 str(radicale.ca_file), "ann"], USERS["ann"])


def test_sigkill_mid_sync_with_radicale_converges(radicale, tmp_path):
    rng = random.Random(20261203)
    org = MemoryOrg()
    org.privileged = {ME}
    for n in range(6):
        org.create("contact", {"firstname": "Org", "lastname": f"Seed-{n}"}, owner=ME)
    org_file = tmp_path / "org.json"
    org_file.write_text(json.dumps(org.to_json()))
    index = tmp_path / "index.sqlite3"
    dav = radicale.client("ann")
    finish(start(radicale, org_file, index))
    made: list[str] = []
    dav_edits: dict[str, str] = {}          # org record id -> job title set in Radicale
    org_edits: dict[str, str] = {}          # org record id -> mobile phone set in the org
    killed = 0
    for round_no in range(KILLS):
        state = MemoryOrg.from_json(json.loads(org_file.read_text()))
        for n in range(2):                  # new in the org
            name = f"Crash-{round_no}-{n}"
            state.create("contact", {"firstname": "K", "lastname": name}, owner=ME)
            made.append(name)
        for rid in rng.sample(sorted(state.tables["contact"]), 2):
            phone = f"+47 {round_no:02d} {rng.randrange(1000):03d}"
            state.update("contact", rid, {"mobilephone": phone})
            org_edits[rid] = phone
        org_file.write_text(json.dumps(state.to_json()))
        cards = dav.items("contacts")
        for name in rng.sample(sorted(cards), 2):   # edited by another program
            text = cards[name]
            p = calcard.parse(text)
            if not p.meta.org_record_id or p.meta.org_record_id in org_edits:
                continue
            title = f"Title {round_no}"
            new = calcard.serialize("contact", {**p.data, "job_title": title}, uid=p.uid,
                                    base=text)
            if round_no % 2:                # a program that drops our X-D365- properties
                new = X_PROPS.sub("", new)
            if dav.put("contacts", name, new, dav.get("contacts", name)[1]).status_code == 204:
                dav_edits[p.meta.org_record_id] = title
        proc = start(radicale, org_file, index)
        kill_after = rng.randrange(1, 16)
        seen = 0
        while seen < kill_after and proc.stdout.readline().strip() == "response":
            seen += 1
        if seen == kill_after and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate(timeout=60)
    assert killed >= KILLS // 2, f"only {killed} runs were interrupted"
    finish(start(radicale, org_file, index))
    finish(start(radicale, org_file, index))
    check(dav, org_file, made, org_edits, dav_edits)

    # A new install (its index and status gone) over cards that lost their properties:
    # matched by their UID, nothing doubled.
    for path in index.parent.glob(index.name + "*"):
        path.unlink()
    for name in sorted(dav.names("contacts"))[:4]:
        text, etag = dav.get("contacts", name)
        assert dav.put("contacts", name, X_PROPS.sub("", text), etag).status_code == 204
    proc = start(radicale, org_file, index)
    for _ in range(3):
        proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    finish(start(radicale, org_file, index))
    finish(start(radicale, org_file, index))
    check(dav, org_file, made, org_edits, dav_edits)


def check(dav, org_file: Path, made: list[str], org_edits: dict[str, str],
          dav_edits: dict[str, str]) -> None:
    state = MemoryOrg.from_json(json.loads(org_file.read_text()))
    rows = state.tables["contact"]
    cards = {n: calcard.parse(t) for n, t in dav.items("contacts").items()}
    by_record = {}
    for name, p in cards.items():
        assert p.meta.org_record_id not in by_record, f"{name} is a duplicate"
        by_record[p.meta.org_record_id] = p
    assert set(by_record) == set(rows)                       # nothing missing, nothing extra
    for name in made:
        assert sum(1 for r in rows.values() if r["lastname"] == name) == 1, name
    for rid, phone in org_edits.items():
        assert by_record[rid].data["mobile_phone"] == phone
    for rid, title in dav_edits.items():
        assert rows[rid]["jobtitle"] == title and by_record[rid].data["job_title"] == title
