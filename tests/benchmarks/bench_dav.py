"""This engine against vdirsyncer, filling an empty Radicale address book, side by side.

Run: python tests/benchmarks/bench_dav.py [contacts [rounds [parallel]]]  (from the
repository root; needs the test extra: radicale, vdirsyncer). Default 5,000 contacts (the
sandbox gives the benchmark's user a third of them), 1 round, the DAV side's own number
of parallel writes.

One sandbox org with that many contacts and one real Radicale (TLS, a user, both on
loopback, each in its own process). A vdir holding exactly the org's contacts is made
first (by this engine, from the org). Then, per round, two new empty address books:
- **vdirsyncer** uploads the vdir into one (``vdirsyncer sync``, filesystem -> carddav);
- **this engine** fills the other from the sandbox org (``Synchronizer`` with the DAV
  side: Web API pages in, PUTs out).
Printed: both times and their ratio (target: the engine no slower than vdirsyncer), then
the engine's incremental run after 10 changes in the org (target: under 5 % of its first
sync, and proportional to the changes, not to the address book).
Not collected by pytest (speed goals are not tests).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.benchargs import int_args
from tests.fixtures.radicale import MKADDRESSBOOK, USERS, Dav, start_radicale
from wizard.engine.dataverse import DataverseClient
from wizard.engine.http import make_session
from wizard.engine.sync.dav import DavClient, DavSide, FoundCollection
from wizard.engine.sync.engine import Synchronizer
from wizard.engine.sync.vdir import VdirSide
from wizard.engine.sync.webapi import DataverseOrgSide

ORG = "contosona"


def main(contacts: int = 5000, rounds: int = 1, parallel: int | None = None) -> None:
    data = Path(tempfile.mkdtemp(prefix="bench-dav-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT), D365_WIZARD_HOME=str(data / "home"))
    sandbox = subprocess.Popen([sys.executable, "-m", "wizard.cli", "sandbox", "serve",
                                "--contacts", str(contacts), "--data", str(data / "sb"), "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    radicale = None
    try:
        info = json.loads(sandbox.stdout.readline())
        radicale = start_radicale(data / "radicale")
        run(info, radicale, data, rounds, parallel)
    finally:
        if radicale is not None:
            radicale.stop()
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=30)
        sandbox.stdout.close()
        shutil.rmtree(data, ignore_errors=True)


def org_client(info: dict) -> tuple[DataverseClient, object]:
    url = info["org_urls"][ORG]
    session = make_session(ca_bundles=[info["ca_file"]])
    alice = next(u for u in info["users"] if u["upn"].startswith("alice@"))
    token = session.post(info["authority_url"].rstrip("/") + "/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": info["client_id"], "username": alice["upn"],
        "password": alice["password"], "scope": url.rstrip("/") + "/user_impersonation"},
        timeout=60).json()["access_token"]
    return DataverseClient(session, url, lambda: "Bearer " + token), session


def make_addressbook(dav: Dav, name: str) -> str:
    url = dav.url(name)
    r = dav.s.request("MKCOL", url, data=MKADDRESSBOOK.format(name=name))
    assert r.status_code == 201, r.text
    return url


def run(info: dict, radicale, data: Path, rounds: int, parallel: int | None) -> None:
    client, org_session = org_client(info)
    dav = Dav(radicale, "ann")
    dav.reset()

    # The same contacts as a vdir, written by this engine from the org.
    vdir = data / "vdir"
    side = VdirSide(vdir, data / "vdir-index.sqlite3", folders={"contact": "contacts"})
    Synchronizer(side, DataverseOrgSide(client, org_name=ORG)).run()
    side.close()
    count = len(list((vdir / "contacts").glob("*.vcf")))

    dav_session = make_session(ca_bundles=[radicale.ca_file])
    t_vdirsyncer, t_engine, t_incremental = [], [], []
    for n in range(rounds):
        # vdirsyncer: the vdir -> an empty address book
        target = make_addressbook(dav, f"vds{n}")
        config = data / f"vdirsyncer{n}.conf"
        config.write_text(textwrap.dedent(f"""\
            [general]
            status_path = "{data / f'vds-status{n}'}/"
            [pair bench]
            a = "folder"
            b = "radicale"
            collections = null
            [storage folder]
            type = "filesystem"
            path = "{vdir / 'contacts'}/"
            fileext = ".vcf"
            [storage radicale]
            type = "carddav"
            url = "{target}"
            username = "ann"
            password = "{USERS['ann']}"
            verify = "{radicale.ca_file}"
            """))
        exe = str(Path(sys.executable).with_name("vdirsyncer"))
        subprocess.run([exe, "-c", str(config), "discover"], check=True, capture_output=True,
                       stdin=subprocess.DEVNULL)
        t0 = time.perf_counter()
        subprocess.run([exe, "-c", str(config), "sync"], check=True, capture_output=True,
                       stdin=subprocess.DEVNULL)
        t_vdirsyncer.append(time.perf_counter() - t0)
        assert len(dav.names(f"vds{n}")) == count

        # this engine: the org -> another empty address book
        target = make_addressbook(dav, f"eng{n}")
        dclient = DavClient(dav_session, radicale.url, user="ann", password=USERS["ann"])
        side = DavSide(dclient, {"contact": FoundCollection(target, f"eng{n}", ("contact",), True)},
                       data / f"eng-index{n}.sqlite3")
        if parallel:
            side.parallel_writes = parallel
        t0 = time.perf_counter()
        report = Synchronizer(side, DataverseOrgSide(client, org_name=ORG)).run()
        t_engine.append(time.perf_counter() - t0)
        assert len(dav.names(f"eng{n}")) == count, report.counts()

        # 10 changes in the org, then the engine's incremental run
        changed = [i.org_record_id for i in side.items("contact")[:10]]
        for rid in changed:
            client.request("PATCH", f"contacts({rid})", json={"jobtitle": f"Changed {n}"},
                           headers={"If-Match": "*"})
        t0 = time.perf_counter()
        report = Synchronizer(side, DataverseOrgSide(client, org_name=ORG)).run()
        t_incremental.append(time.perf_counter() - t0)
        assert report.counts() == {"mailbox-update": 10}, report.counts()
        side.close()

    v, e, i = (statistics.median(x) for x in (t_vdirsyncer, t_engine, t_incremental))
    print(f"{count} contacts into an empty Radicale address book ({rounds} round(s), medians; "
          f"the engine writes {parallel or DavSide.parallel_writes} at a time):")
    print(f"  vdirsyncer (vdir -> CardDAV):          {v:7.2f} s")
    print(f"  this engine (sandbox org -> CardDAV):  {e:7.2f} s   "
          f"engine/vdirsyncer {e / v:.2f} (target <= 1.00)")
    print(f"  this engine, incremental, 10 changes:  {i:7.2f} s   "
          f"= {100 * i / e:.1f}% of its first sync (target < 5%)")
    dav_session.close()
    org_session.close()


if __name__ == "__main__":
    main(*int_args(5000, 1, None))
