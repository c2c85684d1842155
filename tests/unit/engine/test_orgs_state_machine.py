"""A hypothesis state machine: any sequence of registry operations keeps its promises.

Add (in several address spellings, with or without an org id), rename, remove, switch
(plan + apply, with or without override) and a foreign org claiming the mailbox, in any
order. After every step: the registry matches a simple model; at most one org
synchronizes; names are unique ignoring case; no two entries are the same org; and after
a successful switch the mailbox stamp names the synchronizing org.
"""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
import uuid
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from wizard.engine.orgs import InvalidDisplayName, OrgProfile, OrgRegistry, SwitchNotPossible, normalize_base_url
from wizard.engine.stamp import MailboxStore, StampConflict

NS = uuid.UUID("0d0c8a4e-7d0a-4b7e-9c36-2f5b0e0c1a55")
POOL = 3
FOREIGN = "ffffffff-0000-0000-0000-00000000000f"
NAMES = ["Contoso", "contoso", "Fabrikam", " Fabrikam ", "", "   ", "12", "x" * 100,
         "y" * 101, "Tab\there", "Zero\u200bwidth", "Ünïcode 東京", "org3"]


def org_id(i: int) -> str:
    return str(uuid.uuid5(NS, str(i)))


def spellings(i: int) -> list[str]:
    return [f"https://org{i}.crm.dynamics.com", f"HTTPS://ORG{i}.crm.dynamics.com/",
            f"https://org{i}.crm.dynamics.com:443"]


class NoSecrets:
    def delete_org(self, key: str) -> None:
        pass


def valid_name(name: str, others: list[str]) -> str | None:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 100 or cleaned.isdigit():
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in cleaned):
        return None
    if cleaned.casefold() in {o.casefold() for o in others}:
        return None
    return cleaned


class RegistryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="orgs-sm-"))
        self.mailbox = MailboxStore(self.dir / "mailbox.sqlite3")
        self.registry = OrgRegistry(self.dir / "organizations.json", secrets=NoSecrets(),
                                    mailbox=self.mailbox)
        # model: pool index -> [display name or None (unchecked default), has id, primary]
        self.model: dict[int, list] = {}
        self.order: list[int] = []
        self.stamp_should_match = False

    def teardown(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def key_of(self, i: int) -> str:
        return next(p.key for p in self.registry.list()
                    if normalize_base_url(p.base_url) == normalize_base_url(spellings(i)[0]))

    @rule(i=st.integers(0, POOL - 1), spelling=st.integers(0, 2), with_id=st.booleans(),
          name=st.sampled_from(["", "Contoso", "Fabrikam"]))
    def add(self, i, spelling, with_id, name):
        stored, created = self.registry.add(OrgProfile(
            base_url=spellings(i)[spelling], org_id=org_id(i) if with_id else None,
            display_name=name))
        assert created == (i not in self.model)
        if created:
            self.model[i] = [stored.display_name, with_id, not self.order]
            self.order.append(i)
        else:
            self.model[i][1] = self.model[i][1] or with_id
            assert stored.display_name == self.model[i][0]

    @precondition(lambda self: self.order)
    @rule(pick=st.integers(0, POOL - 1), name=st.sampled_from(NAMES))
    def rename(self, pick, name):
        i = self.order[pick % len(self.order)]
        others = [self.model[j][0] for j in self.order if j != i]
        expected = valid_name(name, others)
        try:
            renamed = self.registry.rename(self.key_of(i), name)
        except InvalidDisplayName:
            assert expected is None
        else:
            assert renamed.display_name == expected
            self.model[i][0] = expected

    @precondition(lambda self: self.order)
    @rule(pick=st.integers(0, POOL - 1))
    def remove(self, pick):
        i = self.order[pick % len(self.order)]
        result = self.registry.remove(self.key_of(i))
        assert result.was_primary == self.model[i][2]
        self.order.remove(i)
        del self.model[i]
        if result.was_primary:
            self.stamp_should_match = False

    @precondition(lambda self: self.order)
    @rule(pick=st.integers(0, POOL - 1), override=st.booleans())
    def switch(self, pick, override):
        i = self.order[pick % len(self.order)]
        try:
            plan = self.registry.plan_switch(self.key_of(i))
        except SwitchNotPossible:
            assert not self.model[i][1]
            return
        assert self.model[i][1]
        try:
            self.registry.apply(plan, override=override)
        except StampConflict:
            assert plan.stamp_conflict and not override
            return
        for j in self.order:
            self.model[j][2] = j == i
        self.stamp_should_match = True

    @rule()
    def foreign_org_claims_the_mailbox(self):
        self.mailbox.claim(FOREIGN, "Foreign org", override=True)
        self.stamp_should_match = False

    @invariant()
    def registry_matches_the_model(self):
        orgs = self.registry.list()
        assert [normalize_base_url(p.base_url) for p in orgs] == [
            normalize_base_url(spellings(i)[0]) for i in self.order]
        assert [p.display_name for p in orgs] == [self.model[i][0] for i in self.order]
        assert [p.is_primary for p in orgs] == [self.model[i][2] for i in self.order]
        assert sum(p.is_primary for p in orgs) <= 1
        names = [p.display_name.casefold() for p in orgs]
        assert len(names) == len(set(names))
        ids = [p.org_id for p in orgs if p.org_id]
        assert len(ids) == len(set(ids))
        assert all(p.sync_method in ("mailbox", "none") for p in orgs)

    @invariant()
    def stamp_follows_a_switch(self):
        if self.stamp_should_match:
            primary = self.registry.primary()
            assert primary is not None and self.mailbox.stamp().org_id == primary.org_id


RegistryMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=12,
                                             deadline=None)
test_registry_state_machine = RegistryMachine.TestCase
