"""Switching the contact address setting: mailing address only <-> all three addresses.

Switching remaps existing contacts, which can change or lose data, so it is two steps:
:func:`plan_address_switch` is the dry run (every field that would change or be lost, per
contact), :func:`apply_address_switch` takes a backup of both sides' values first, changes
the org setting, and writes the remapped values.

Rule for a field pair that starts synchronizing: if only one side has a value, it is
copied to the other; if both have different values, the direction decides, and for
two-way fields the org's value wins (the same rule as sync conflicts): the mailbox value
is listed as *lost* in the dry run and kept in the backup. Pairs that stop synchronizing
keep their values on both sides.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wizard.engine.errors import WizardError
from wizard.engine.sync.engine import Synchronizer
from wizard.engine.sync.mapping import (
    ADDRESS_COLUMNS,
    BOTH,
    NONE,
    TO_MAILBOX,
    TO_ORG,
    FieldMapping,
    SyncSettings,
    effective_mappings,
)
from wizard.engine.sync.orgside import OrgWrite

ADDRESS_ORG_PREFIXES = ("address1_", "address2_", "address3_")


class AddressSwitchError(WizardError):
    code = "address_switch"


class ContactsNotRemapped(AddressSwitchError):
    """``contacts`` lists the contacts that changed meanwhile; ``backup`` is the backup file."""

    count_param = "count"
    template = ("The setting was switched, but {count} contacts changed in the organization "
                "meanwhile and were not remapped: {contacts}.")
    one_template = ("The setting was switched, but 1 contact changed in the organization "
                    "meanwhile and was not remapped: {contacts}.")
    fix_template = "Synchronize again; the backup is {backup}."


@dataclass
class FieldChange:
    side: str              # "mailbox" or "org": where the value changes
    field: str
    old: Any
    new: Any
    lost: bool = False
    org_field: str = ""
    agreed: Any = None          # the value both sides hold afterwards (org representation)

    def to_dict(self) -> dict[str, Any]:
        return {k: self.__dict__[k] for k in ("side", "field", "old", "new", "lost")}


@dataclass
class ContactRemap:
    local_id: str
    org_record_id: str
    title: str
    changes: list[FieldChange] = field(default_factory=list)
    etag: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"local_id": self.local_id, "org_record_id": self.org_record_id,
                "title": self.title, "changes": [c.to_dict() for c in self.changes]}


@dataclass
class AddressSwitchPlan:
    mailing_only_before: bool
    mailing_only_after: bool
    contacts: list[ContactRemap] = field(default_factory=list)
    stop_syncing: list[str] = field(default_factory=list)

    @property
    def mode_after(self) -> str:
        return "mailing" if self.mailing_only_after else "all"

    @property
    def lost(self) -> int:
        return sum(1 for c in self.contacts for ch in c.changes if ch.lost)

    def to_dict(self) -> dict[str, Any]:
        return {"from": "mailing" if self.mailing_only_before else "all",
                "to": self.mode_after, "contacts": [c.to_dict() for c in self.contacts],
                "changed_fields": sum(len(c.changes) for c in self.contacts),
                "lost_values": self.lost, "stop_syncing": self.stop_syncing}

    def describe(self) -> str:
        names = {True: "the mailing address only", False: "all three addresses"}
        lines = [f"Contact addresses: from {names[self.mailing_only_before]} to "
                 f"{names[self.mailing_only_after]}."]
        if not self.contacts:
            lines.append("No existing contact changes.")
        for c in self.contacts:
            lines.append(f"  {c.title}:")
            for ch in c.changes:
                where = "mailbox" if ch.side == "mailbox" else "organization"
                lost = "  (LOST: kept only in the backup)" if ch.lost else ""
                lines.append(f"    {where} {ch.field}: {ch.old!r} -> {ch.new!r}{lost}")
        if self.stop_syncing:
            lines.append("No longer synchronized (values stay as they are): "
                         + ", ".join(self.stop_syncing))
        return "\n".join(lines)


def _address_maps(sync: Synchronizer, mailing_only: bool, slot: str,
                  rows: list[dict[str, Any]]) -> list[FieldMapping]:
    settings = replace(_settings_cache(sync), mailing_address_only=mailing_only)
    return [m for m in effective_mappings("contact", settings, rows, mailing_slot=slot)
            if m.org_field.startswith(ADDRESS_ORG_PREFIXES) and m.direction != NONE]


def _settings_cache(sync: Synchronizer) -> SyncSettings:
    settings: SyncSettings = sync.__dict__.setdefault("_addr_settings", sync.org.settings())
    return settings


def plan_address_switch(sync: Synchronizer, mailing_only: bool) -> AddressSwitchPlan:
    sync.__dict__.pop("_addr_settings", None)
    current = _settings_cache(sync)
    plan = AddressSwitchPlan(current.mailing_address_only, mailing_only)
    if current.mailing_address_only == mailing_only:
        return plan
    rows_map = sync.org.attribute_mappings()
    columns = sorted({f"address{n}_{c}" for n in (1, 2, 3) for c in ADDRESS_COLUMNS.values()})
    batch = sync.org.changes("contact", None, columns)
    org_rows = {r.id: r for r in batch.rows}
    statuses = sync.status.rows("contact")
    stop: set[str] = set()
    for rid, st in sorted(statuses.items()):
        if st.state != "linked" or not st.local_id:
            continue
        item = sync.store.get(st.local_id)
        row = org_rows.get(rid)
        if item is None or row is None:
            continue
        slot = item.data.get("mailing_address") or "business"
        old = _address_maps(sync, current.mailing_address_only, slot, rows_map)
        new = _address_maps(sync, mailing_only, slot, rows_map)
        old_pairs = {(m.mailbox_field, m.org_field) for m in old}
        new_pairs = {(m.mailbox_field, m.org_field) for m in new}
        stop |= {f"{mb} <-> {org}" for mb, org in old_pairs - new_pairs}
        remap = ContactRemap(item.local_id, rid, item.title, etag=row.etag)
        for m in new:
            if (m.mailbox_field, m.org_field) in old_pairs:
                continue
            mv, ov = m.org_value(item.data), row.data.get(m.org_field) or None
            if mv == ov:
                continue
            to_org = m.direction == TO_ORG or (ov is None and m.direction == BOTH)
            if to_org and mv is not None:
                remap.changes.append(FieldChange("org", m.org_field, ov, mv, ov is not None,
                                                 m.org_field, mv))
            elif m.direction in (BOTH, TO_MAILBOX) and ov is not None:
                remap.changes.append(FieldChange("mailbox", m.mailbox_field,
                                                 item.data.get(m.mailbox_field),
                                                 m.mailbox_value(row.data), mv is not None,
                                                 m.org_field, ov))
        if remap.changes:
            plan.contacts.append(remap)
    plan.stop_syncing = sorted(stop)
    return plan


def apply_address_switch(sync: Synchronizer, plan: AddressSwitchPlan, backup_dir: Path,
                         clock: Callable[[], float] = time.time) -> Path:
    """Back up, switch the org setting, remap. Returns the backup file."""
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(clock()))
    backup = backup_dir / f"contact-addresses-{stamp}.json"
    snapshot = {"plan": plan.to_dict(), "mailbox": {}, "org": {}}
    for c in plan.contacts:
        item = sync.store.get(c.local_id)
        snapshot["mailbox"][c.local_id] = item.data if item else None
        rec = sync.org.get("contact", c.org_record_id)
        snapshot["org"][c.org_record_id] = (
            {k: v for k, v in rec.data.items() if k.startswith(ADDRESS_ORG_PREFIXES)}
            if rec else None)
    from wizard.engine.storage import atomic_write_json

    atomic_write_json(backup, snapshot)
    sync.org.update_settings(mailing_address_only=plan.mailing_only_after)
    writes, owners = [], []
    for c in plan.contacts:
        org_changes = {ch.field: ch.new for ch in c.changes if ch.side == "org"}
        if org_changes:
            writes.append(OrgWrite("update", "contact", c.org_record_id, org_changes,
                                   if_match=c.etag))
            owners.append(c)
    results = sync.org.write(writes) if writes else []
    refused = [c.title for c, r in zip(owners, results) if not r.ok]
    etags = {c.org_record_id: r.record.etag for c, r in zip(owners, results)
             if r.ok and r.record is not None}
    with sync.store.transaction():
        statuses = sync.status.rows("contact")
        for c in plan.contacts:
            mb_changes = {ch.field: ch.new for ch in c.changes if ch.side == "mailbox"}
            item = sync.store.update(c.local_id, mb_changes) if mb_changes else \
                sync.store.get(c.local_id)
            st = statuses.get(c.org_record_id)
            if st is not None and item is not None and c.title not in refused:
                st.etag = etags.get(c.org_record_id, st.etag)
                st.local_hash = item.hash
                for ch in c.changes:
                    st.base[ch.org_field] = ch.agreed
                sync.status.put(st)
    if refused:
        raise ContactsNotRemapped(count=len(refused), contacts=", ".join(refused), backup=str(backup))
    return backup
