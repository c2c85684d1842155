"""The vdir side's folder read and written by vdirsyncer itself (its filesystem storage),
as a user who syncs that folder on to another calendar program would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wizard.engine import calcard
from wizard.engine.sync.engine import Synchronizer
from wizard.engine.sync.orgside import MemoryOrg, MemoryOrgSide
from wizard.engine.sync.vdir import VdirSide

ME = "5e7a0001-0000-4000-8000-000000000001"


def vdirsyncer(config: Path, *args: str) -> subprocess.CompletedProcess:
    pytest.importorskip("vdirsyncer", reason="vdirsyncer (the test extra) is not installed")
    exe = Path(sys.executable).with_name("vdirsyncer")
    proc = subprocess.run([str(exe), "-c", str(config), *args], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_vdirsyncer_reads_and_writes_the_folder(tmp_path):
    org = MemoryOrg()
    org.privileged = {ME}
    ids = [org.create("contact", {"firstname": "Ann", "lastname": f"Lee {n}",
                                  "emailaddress1": f"ann{n}@x.example"}, owner=ME)
           for n in range(3)]
    org.create("appointment", {"subject": "Review", "scheduledstart": "2026-05-01T10:00:00Z",
                               "scheduledend": "2026-05-01T11:00:00Z", "isalldayevent": False},
               owner=ME)
    org.create("task", {"subject": "Send the offer"}, owner=ME)
    ours, copy = tmp_path / "ours", tmp_path / "copy"
    side = VdirSide(ours, tmp_path / "index.sqlite3")
    sync = Synchronizer(side, MemoryOrgSide(org, ME), stamp_store=side.stamp_store)
    sync.run()
    for name in ("contacts", "calendar", "tasks"):
        (copy / name).mkdir(parents=True)
    config = tmp_path / "vdirsyncer.conf"
    config.write_text(textwrap.dedent(f"""\
        [general]
        status_path = "{tmp_path / 'status'}/"

        [pair cards]
        a = "ours_cards"
        b = "copy_cards"
        collections = ["contacts"]

        [pair cals]
        a = "ours_cals"
        b = "copy_cals"
        collections = ["calendar", "tasks"]

        [storage ours_cards]
        type = "filesystem"
        path = "{ours}/"
        fileext = ".vcf"

        [storage copy_cards]
        type = "filesystem"
        path = "{copy}/"
        fileext = ".vcf"

        [storage ours_cals]
        type = "filesystem"
        path = "{ours}/"
        fileext = ".ics"

        [storage copy_cals]
        type = "filesystem"
        path = "{copy}/"
        fileext = ".ics"
        """))
    vdirsyncer(config, "discover")
    vdirsyncer(config, "sync")
    copied = sorted((copy / "contacts").glob("*.vcf"))
    assert len(copied) == 3
    assert {calcard.parse(p.read_text()).meta.org_record_id for p in copied} == set(ids)
    assert len(list((copy / "calendar").glob("*.ics"))) == 1
    assert len(list((copy / "tasks").glob("*.ics"))) == 1
    assert not list(copy.glob("*.json"))                    # the stamp is no collection

    # an edit made in the other program comes back through vdirsyncer, then to the org
    target = copied[0]
    p = calcard.parse(target.read_text())
    target.write_text(calcard.serialize("contact", {**p.data, "job_title": "Via vdirsyncer"},
                                        uid=p.uid, base=target.read_text()))
    vdirsyncer(config, "sync")
    report = sync.run()
    assert report.counts() == {"org-update": 1}
    assert org.tables["contact"][p.meta.org_record_id]["jobtitle"] == "Via vdirsyncer"
    side.close()
