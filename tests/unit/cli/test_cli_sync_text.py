"""The people-facing output of `d365-orgs sync` (progress on stderr, summary on stdout)."""

from __future__ import annotations

import io

from wizard.cli import main
from wizard.engine.mailstore import SqliteMailStore
from wizard.engine.sync.engine import Synchronizer
from wizard.engine.sync.orgside import MemoryOrg, MemoryOrgSide

ME = "5e7a0001-0000-4000-8000-000000000001"


def test_sync_prints_a_summary_and_progress(tmp_path, monkeypatch, capsys):
    org = MemoryOrg()
    org.privileged = {ME}
    org.create("contact", {"firstname": "Ann", "lastname": "Lee"}, owner=ME)
    side = MemoryOrgSide(org, ME)

    def fake_open(engine, *, org_ref=None, resolver="org-wins", progress=None, cancel=None):
        store = SqliteMailStore(tmp_path / "mailbox.sqlite3")
        return Synchronizer(store, side, progress=progress), store

    monkeypatch.setattr("wizard.engine.sync.run.open_synchronizer", fake_open)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["sync"]) == 0
    out, err = capsys.readouterr()
    assert "Synchronized with Contoso (North America): 1 mailbox-create." in out
    assert "mailbox-create  contact     Ann Lee" in out
    assert "reading contacts" in err
    assert main(["sync", "--dry-run"]) == 0
    assert "nothing to do" in capsys.readouterr().out
