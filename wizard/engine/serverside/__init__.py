"""The signed-in user's mailbox records in the orgs (server-side synchronization).

- :mod:`.records`: one org's own mailbox record: read it, write it conditionally.
- :mod:`.switch`: the multi-org switch (plan, parallel conditional writes, Test & Enable,
  read-back), the status across orgs, the one-click "None in the other orgs", and the gate
  of the local sync engine.
- :mod:`.journal`: what a half-done switch still has to do (kept in the org list).
- :mod:`.words`: the sentences as codes and params; :mod:`.errors`: the errors.
"""

from wizard.engine.serverside.switch import MailboxSwitcher, ServerSwitchPlan, ServerSwitchResult, check_local_sync

__all__ = ["MailboxSwitcher", "ServerSwitchPlan", "ServerSwitchResult", "check_local_sync"]
