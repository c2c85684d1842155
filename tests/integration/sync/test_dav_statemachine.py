"""The sync state machine (tests/unit/engine/sync/test_sync_statemachine.py) over the DAV
side on a real Radicale: the mailbox is the account's address book, reset for every
example. Fewer and shorter examples than over the local side (each step is HTTP)."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from tests.fixtures.radicale import USERS, Dav
from tests.unit.engine.sync.test_sync_statemachine import ME, SyncMachine
from wizard.engine.sync.engine import Synchronizer
from wizard.engine.sync.orgside import MemoryOrg, MemoryOrgSide


def dav_machine(server, session, runs: list) -> type[SyncMachine]:
    class DavSyncMachine(SyncMachine):
        def __init__(self) -> None:
            from wizard.engine.sync.dav import DavClient, DavSide, choose, discover

            RuleBasedStateMachine.__init__(self)
            Dav(server, "ann").reset()
            self.dir = Path(tempfile.mkdtemp(prefix="syncsm-dav-"))
            self.org = MemoryOrg()
            self.org.privileged = {ME}
            self.side = MemoryOrgSide(self.org, ME)
            counter = itertools.count(1)
            client = DavClient(session, server.url, user="ann", password=USERS["ann"])
            self.store = DavSide(client, choose(discover(client)), self.dir / "index.sqlite3",
                                 clock=lambda: float(next(counter)))
            self.sync = Synchronizer(
                self.store, self.side,
                id_factory=lambda: f"00000000-0000-4000-8000-{next(counter):012d}")
            self._init_model()
            real_run = self.sync.run

            def run(**kw):
                runs.append(kw)
                return real_run(**kw)

            self.sync.run = run

    return DavSyncMachine


def test_dav_sync_state_machine(radicale_server, dav_session):
    runs: list = []
    run_state_machine_as_test(
        dav_machine(radicale_server, dav_session, runs),
        settings=settings(max_examples=8, stateful_step_count=15, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.filter_too_much]))
    assert len(runs) >= 8                   # the examples synchronized
