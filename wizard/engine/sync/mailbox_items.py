"""What the Mailbox window lists and changes, without Qt: the items of one folder of the
configured mailbox side with their tracked flag, the record they are regarding (``TYPE:ID``
only) and who owns the org's copy; tracking and untracking several items at once; and the
"Don't show again" choices of the notices, kept per user in the app's settings file.

Ownership comes from the sync's status rows (the org's owner of each linked record, as the
last sync saw it) and the synchronizing org's user id in the registry: an item someone else
owns keeps its org copy when it is untracked, which the window says before it happens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wizard.engine.errors import WizardError

NOTICES = ("first_track", "first_email_track", "untrack_not_owner")
ACTIVITY_KINDS = ("appointment", "task", "email")


class NoticeStoreFailed(WizardError):
    code = "notice_store_failed"
    template = "Your choice not to show this notice again could not be saved ({path})."
    fix_template = "The notice will be shown again next time."


@dataclass(frozen=True)
class ItemRow:
    local_id: str
    kind: str
    title: str
    tracked: bool
    regarding: str | None          # "TYPE:ID" or None; never a name
    others_own: bool               # the org's copy belongs to someone else
    origin: str

    def to_dict(self) -> dict[str, Any]:
        return {"local_id": self.local_id, "kind": self.kind, "title": self.title,
                "tracked": self.tracked, "regarding": self.regarding,
                "others_own": self.others_own, "origin": self.origin}


def _owners(engine: Any, side: Any, kind: str) -> dict[str, bool]:
    """local id -> True when someone else owns the linked org record."""
    from wizard.engine.sync.status import StatusDB

    profile = engine.registry.primary()
    if profile is None or not profile.org_id:
        return {}
    me = (profile.user_id or "").lower()
    status = StatusDB(side.status_conn, profile.org_id)
    out: dict[str, bool] = {}
    for row in status.rows(kind).values():
        if row.local_id and row.owner_id:
            out[row.local_id] = bool(me) and row.owner_id.lower() != me
    return out


def list_rows(engine: Any, kind: str, *, side: Any = None) -> list[ItemRow]:
    """Every item of ``kind`` in the configured mailbox side, in title order."""
    from wizard.engine.sync.sides import open_side

    own = side is None
    side = side or open_side(engine)
    try:
        if own:
            side.refresh()
        items = side.items(kind)
        owners = _owners(engine, side, kind)
    finally:
        if own:
            side.close()
    rows = []
    for item in items:
        data = item.data if isinstance(item.data, dict) else {}
        regarding = data.get("regarding")
        rows.append(ItemRow(item.local_id, item.kind, item.title, bool(item.tracked),
                            regarding if isinstance(regarding, str) and regarding else None,
                            owners.get(item.local_id, False), item.origin))
    rows.sort(key=lambda r: (r.title.casefold(), r.local_id))
    return rows


def set_tracked(engine: Any, local_ids: list[str], tracked: bool) -> int:
    """Track or untrack items (queued: the next sync acts on it). Returns how many changed."""
    from wizard.engine.sync.sides import open_side

    side = open_side(engine)
    changed = 0
    try:
        with side.transaction():
            for local_id in local_ids:
                item = side.require(local_id)
                if item.tracked != tracked:
                    side.set_tracked(item.local_id, tracked)
                    changed += 1
    finally:
        side.close()
    return changed


# ------------------------------------------------------------------ notices

def _load_settings(engine: Any) -> dict[str, Any]:
    path = engine.paths.settings_file
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def notice_wanted(engine: Any, name: str) -> bool:
    """Whether the notice ``name`` is still to be shown (no "Don't show again" yet)."""
    dismissed = _load_settings(engine).get("notices_dismissed")
    return not (isinstance(dismissed, list) and name in dismissed)


def dismiss_notice(engine: Any, name: str) -> None:
    """Remember "Don't show again" for ``name`` (atomically; a failure raises
    :class:`NoticeStoreFailed` and the notice simply shows again)."""
    from wizard.engine.storage import atomic_write_json

    data = _load_settings(engine)
    dismissed = data.get("notices_dismissed")
    dismissed = [d for d in dismissed if isinstance(d, str)] if isinstance(dismissed, list) else []
    if name not in dismissed:
        dismissed.append(name)
    data["notices_dismissed"] = dismissed
    path = engine.paths.settings_file
    try:
        engine.paths.ensure()
        atomic_write_json(path, data, what="the app's settings")
    except (OSError, WizardError) as exc:
        raise NoticeStoreFailed(path=str(path), details=str(exc)) from exc


# ------------------------------------------------------------------ Set Regarding

def synchronizing_org(engine: Any) -> Any:
    """The synchronizing org's side (connected on first use, silent sign-in): what
    :mod:`wizard.engine.sync.regarding` searches online."""
    from wizard.engine.connect import SignInOptions
    from wizard.engine.sync.run import synchronizing_profile
    from wizard.engine.sync.webapi import DataverseOrgSide

    profile = synchronizing_profile(engine)

    def connect() -> Any:
        return engine.connector.connect(profile, SignInOptions(method="silent")).client

    return DataverseOrgSide(connect, org_id=profile.org_id, org_name=profile.label)


def _unreachable(exc: BaseException) -> bool:
    from wizard.engine.http_errors import NetworkError
    from wizard.engine.sync.orgside import OrgUnreachable

    e: BaseException | None = exc
    while e is not None:
        if isinstance(e, OrgUnreachable) or (isinstance(e, NetworkError) and e.kind != "tls"):
            return True
        e = e.__cause__
    return False


def search_records(engine: Any, text: str, *, offline: bool = False,
                   org: Any = None) -> tuple[list[Any], bool]:
    """Records whose name contains ``text``: the org's (online), or when it cannot be reached
    (or ``offline``) the mailbox's contacts that came from the org. Returns (records, offline);
    the names in them are for display only."""
    import wizard.engine.sync.regarding as regarding
    from wizard.engine.sync.sides import open_side

    if not offline:
        try:
            return regarding.search_online(org or synchronizing_org(engine), text), False
        except Exception as exc:
            if not _unreachable(exc):
                raise
    side = open_side(engine)
    try:
        return regarding.search_offline(side, text), True
    finally:
        side.close()


def record_names(engine: Any, values: list[str], *, org: Any = None) -> dict[str, str]:
    """``TYPE:ID`` -> display name, for showing (kept in memory by the caller, never
    stored); offline, the mailbox's contacts. A record that cannot be named is left out."""
    import wizard.engine.sync.regarding as regarding
    from wizard.engine.sync.sides import open_side

    records = []
    for value in dict.fromkeys(values):
        try:
            records.append(regarding.parse(value))
        except WizardError:
            continue
    out: dict[str, str] = {}
    online = True
    org = org if org is not None else None
    side = None
    try:
        for record in records:
            name = None
            if online:
                try:
                    org = org or synchronizing_org(engine)
                    name = regarding.name_online(org, record)
                except Exception as exc:
                    if not _unreachable(exc):
                        raise
                    online = False
            if name is None and not online:
                side = side or open_side(engine)
                name = regarding.name_offline(side, record)
            if name:
                out[record.value] = name
    finally:
        if side is not None:
            side.close()
    return out


def set_regarding(engine: Any, local_ids: list[str], value: str | None) -> int:
    """Set (``TYPE:ID``) or clear (None) the regarding record of items; queued for the
    next sync. Returns how many items were changed."""
    import wizard.engine.sync.regarding as regarding
    from wizard.engine.sync.sides import open_side

    record = regarding.parse(value) if value else None
    side = open_side(engine)
    changed = 0
    try:
        for local_id in local_ids:
            regarding.set_regarding(side, local_id, record)
            changed += 1
    finally:
        side.close()
    return changed
