"""The connection test's own words: each step's outcome composes its text from a code,
a template and params, like every engine error (:mod:`wizard.engine.errors`).

:meth:`wizard.engine.connect.Connector.test` reports each step as a
:class:`~wizard.engine.connect.StepResult` whose ``text`` is one of these (or the engine
error the step failed with); the CLI prints the English ``message``, the GUI renders
``text`` through ``tr`` (:func:`wizard.gui.render.render`), and the catalogue lists every
template and variant below (``python -m wizard.gui.render``).

- :class:`StepPassed`: what a step found (returned, never raised).
- :class:`StepSkipped`: why a step was not checked (raised inside the test, caught there).
- :class:`StepFailure`: a step's own failure, with its ``code`` (``dns_failed`` …).

Where the wording depends on a field (through a proxy or not, a known user or not…), a
class names its variants ``<variant>_template`` and :meth:`StepText.variant` picks one.
"""

from __future__ import annotations

from typing import ClassVar

from wizard.engine.errors import Action, WizardError


class StepText(WizardError):
    """The words of one step's outcome; ``variant()`` names the ``<variant>_template`` to
    use (``None``: the class's ``template``)."""

    code: ClassVar[str] = "step"

    def variant(self) -> str | None:
        return None

    def templates(self) -> tuple[str | None, str | None]:
        key = self.variant()
        chosen = getattr(type(self), f"{key}_template", None) if key else None
        if isinstance(chosen, str):
            return chosen, self.fix_template
        return super().templates()


class _ViaProxy(StepText):
    """Variant ``proxy`` when the step checked the proxy server (``via_proxy``)."""

    def variant(self) -> str | None:
        return "proxy" if self.params.get("via_proxy") else None


# -- passed ---------------------------------------------------------------------------------
class StepPassed(StepText):
    code = "step_passed"


class UrlPassed(StepPassed):
    """``kind`` (online, onprem, ifd) and, when known, ``cloud`` (its display name)."""

    code = "url_ok"
    template = "{org} is an online organization."
    online_cloud_template = "{org} is an online organization in the {cloud} cloud."
    onprem_template = "{org} is an on-premises organization."
    onprem_cloud_template = "{org} is an on-premises organization in the {cloud} cloud."
    ifd_template = "{org} is an internet-facing (IFD) organization."
    ifd_cloud_template = "{org} is an internet-facing (IFD) organization in the {cloud} cloud."

    def variant(self) -> str | None:
        kind = self.params.get("kind")
        return f"{kind}_cloud" if self.params.get("cloud") else kind


class DnsPassed(StepPassed, _ViaProxy):
    code = "dns_ok"
    template = "{host} is at {addresses}."
    proxy_template = "{host} (the proxy server) is at {addresses}."


class TcpPassed(StepPassed):
    code = "tcp_ok"
    template = "Connected to {host} port {port}."


class TlsPassed(StepPassed):
    code = "tls_ok"
    template = "{tls_version}, certificate issued by {issuer}."
    trusted_template = "{tls_version}, certificate issued by a trusted authority."

    def variant(self) -> str | None:
        return None if self.params.get("issuer") else "trusted"


class ProxyPassed(StepPassed):
    code = "proxy_ok"
    template = "The proxy {proxy} lets the connection through."
    direct_template = "No proxy: the organization is reached directly."

    def variant(self) -> str | None:
        return None if self.params.get("proxy") else "direct"


class SignInPassed(StepPassed):
    """``auth_method`` (ntlm, adfs, oauth or another name) and ``user`` (may be None)."""

    code = "signin_ok"
    template = "Signed in as {user} with {auth_method}."
    you_template = "Signed in as you with {auth_method}."
    ntlm_template = "Signed in as {user} with Windows authentication."
    ntlm_you_template = "Signed in as you with Windows authentication."
    adfs_template = "Signed in as {user} with AD FS."
    adfs_you_template = "Signed in as you with AD FS."
    oauth_template = "Signed in as {user} with Microsoft Entra ID."
    oauth_you_template = "Signed in as you with Microsoft Entra ID."

    def variant(self) -> str | None:
        method = self.params.get("auth_method")
        known = method if method in ("ntlm", "adfs", "oauth") else None
        if self.params.get("user"):
            return known
        return f"{known}_you" if known else "you"


class WhoAmIPassed(StepPassed):
    code = "whoami_ok"
    template = "The organization knows you (user id {user_id})."


class VersionPassed(StepPassed):
    code = "version_ok"
    template = "Version {version}."


class PrivilegePassed(StepPassed):
    code = "privilege_ok"
    template = "You have the Sync to Outlook privilege."


class MailboxPassed(StepPassed):
    """``method`` and ``status``: the mailbox record's option labels, as its form shows them."""

    code = "mailbox_ok"
    template = "Appointments, contacts and tasks: {method} (Test & Enable: {status})."


class HoldsExchange(StepPassed):
    code = "holds_exchange"
    template = ("This organization holds your Exchange mailbox: its server-side "
                "synchronization synchronizes appointments, contacts and tasks with it.")


class DoesNotHoldExchange(StepPassed):
    code = "does_not_hold_exchange"
    template = "This organization does not hold your Exchange mailbox."


class NoSwitchPending(StepPassed):
    code = "no_switch_pending"
    template = "No switch of the synchronizing organization is waiting to be finished."


class StampUnclaimed(StepPassed):
    code = "stamp_unclaimed"
    template = "The mailbox is not claimed by any organization yet."


class StampHere(StepPassed):
    code = "stamp_here"
    template = "The mailbox synchronizes with this organization (last sync {last_sync})."
    never_template = "The mailbox synchronizes with this organization (last sync never)."

    def variant(self) -> str | None:
        return None if self.params.get("last_sync") else "never"


class StampElsewhere(StepPassed):
    code = "stamp_elsewhere"
    template = "The mailbox synchronizes with {org}; this organization does not synchronize."


# -- skipped --------------------------------------------------------------------------------
class StepSkipped(StepText):
    code = "step_skipped"


class EarlierStepFailed(StepSkipped):
    code = "earlier_step_failed"
    template = "Not checked because an earlier step failed."


class PlainHttp(StepSkipped):
    code = "plain_http"
    template = ("The organization uses plain HTTP (no encryption). Ask your administrator to "
                "enable HTTPS.")


class CheckedThroughProxy(StepSkipped):
    code = "checked_through_proxy"
    template = "Checked through the proxy in the next step."


class MailboxRecordNotRead(StepSkipped):
    code = "mailbox_not_read"
    template = "The mailbox record was not read."


class NoOrgList(StepSkipped):
    code = "no_org_list"
    template = "No organization list."


class NoMailboxStore(StepSkipped):
    code = "no_mailbox_store"
    template = "No local mailbox store."


# -- failed ---------------------------------------------------------------------------------
class StepFailure(StepText):
    code = "step_failed"


class NameNotFound(StepFailure, _ViaProxy):
    code = "dns_failed"
    template = "The name of {host} could not be found (DNS)."
    proxy_template = "The name of the proxy server {host} could not be found (DNS)."
    fix_template = ("Check the address for typos and your network connection (and VPN for "
                    "on-premises servers).")


class TcpFailed(StepFailure, _ViaProxy):
    code = "tcp_failed"
    template = "Could not connect to {host} port {port}."
    proxy_template = "Could not connect to the proxy server {host} port {port}."
    fix_template = ("The server may be down, or a firewall blocks the port. Check the address "
                    "and port, or ask IT.")


class VersionTooOld(StepFailure):
    code = "version_too_old"
    template = "Version {version} is too old for d365-wizard."
    fix_template = "Dynamics CRM 2016 (8.x) or later is needed."


class LacksSyncPrivilege(StepFailure):
    code = "no_sync_privilege"
    template = ("Your security role does not include the “Sync to Outlook” privilege, so "
                "appointments, contacts and tasks cannot synchronize.")
    fix_template = ("Ask your Dynamics 365 administrator to add the Sync to Outlook privilege "
                    "(Business Management tab) to one of your security roles.")


class MailboxRecordMissing(StepFailure):
    code = "no_mailbox"
    template = "No mailbox record was found for your user in this organization."
    fix_template = "Ask your administrator to check your user's mailbox record."


class MailboxStampedElsewhere(StepFailure):
    code = "stamp_conflict"
    action = Action.OVERRIDE_STAMP
    template = ("The mailbox is marked as synchronizing with another organization ({org}), "
                "so this org will not synchronize.")
    fix_template = ("If this org should synchronize, make it the synchronizing org with the "
                    "option “Sync items from this org only, even if the mailbox was set to "
                    "sync with a different org”.")
