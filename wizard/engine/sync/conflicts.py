"""Conflict resolution for fields that sync both ways.

A conflict is a two-way field changed on both sides since the last sync, to different
values. The **default rule is "the organization wins"**: the org is the shared system of
record other people read, and its clock is the only one both sides agree on. The losing
value is not silently dropped: every conflict is logged (the ``sync_conflicts`` table,
the Python log, and the sync report) with both values, so the user can restore it.

Other rules can be plugged in (``Synchronizer(resolver=...)``): ``mailbox_wins`` and
``newest_wins`` (the later of the mailbox item's modification time and the org record's
``modifiedon``; ties go to the org).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from wizard.engine.sync.status import Conflict

Resolver = Callable[[Conflict], str]       # returns "org" or "mailbox"


def org_wins(conflict: Conflict) -> str:
    return "org"


def mailbox_wins(conflict: Conflict) -> str:
    return "mailbox"


def newest_wins(conflict: Conflict) -> str:
    if conflict.mailbox_modified is None or not conflict.org_modified:
        return "org"
    try:
        org_time = datetime.fromisoformat(conflict.org_modified.replace("Z", "+00:00"))
    except ValueError:
        return "org"
    if org_time.tzinfo is None:
        org_time = org_time.replace(tzinfo=timezone.utc)
    mailbox_time = datetime.fromtimestamp(conflict.mailbox_modified, tz=timezone.utc)
    return "mailbox" if mailbox_time > org_time else "org"


RESOLVERS: dict[str, Resolver] = {"org-wins": org_wins, "mailbox-wins": mailbox_wins,
                                  "newest-wins": newest_wins}
DEFAULT_RESOLVER = "org-wins"
