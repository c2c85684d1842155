"""Practice mode for helpdesk training: the sandbox tenant with one named problem.

``d365-orgs practice SCENARIO`` starts the sandbox with the scenario's faults, prepares a
separate *practice home* (its own org list and mailbox stamp, never the trainee's real
profile) and prints how to point the app at it. The trainee diagnoses the problem with
the real app (Test Connection, the diagnostics bundle, the logs) and names the fix; the
trainer can then press Enter to make the problem go away, as the right fix would.

Each :class:`Scenario` documents what the trainee sees and the right fix; wizard/engine/HELPDESK.md lists
them. Scenarios are built on :mod:`wizard.sandbox.faults` and the seeded tenant.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from wizard.engine.errors import WizardError
from wizard.sandbox import seed

if TYPE_CHECKING:  # pragma: no cover
    from wizard.cli.base import CliContext, CommandResult
    from wizard.sandbox.server import Sandbox


class UnknownScenario(WizardError):
    code = "unknown_scenario"


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    faults: tuple[str, ...]          # sandbox --fault specs
    user: str                        # who the trainee signs in as
    symptom: str                     # what the trainee sees
    fix: str                         # the right fix
    expected_step: str | None = None  # the connection-test step that fails
    expected_code: str | None = None  # ... and its error code (tests check it)
    stamp_owner: str | None = None   # unique name of the org that owns the mailbox stamp
    preset_orgs: tuple[str, ...] = ("contosona",)
    # Server-side synchronization: the org the user's Exchange mailbox is stamped with (a
    # unique name, or "unknown" for an OrgID outside the tenant); the first preset org is
    # the synchronizing one, on server-side synchronization.
    exchange_holder: str | None = None
    exchange_tested: bool = True     # the synchronizing org's Test & Enable already ran
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self, *, solution: bool = True) -> dict[str, Any]:
        d = {"name": self.name, "title": self.title, "faults": list(self.faults),
             "user": self.user, "symptom": self.symptom}
        if solution:
            d["fix"] = self.fix
        return d


ALICE = f"alice@{seed.TENANT_DOMAIN}"
BOB = f"bob@{seed.TENANT_DOMAIN}"

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "mfa-required", "Multi-factor authentication required", ("mfa_required",), ALICE,
        symptom="Sign-in fails with AADSTS50076: the organization's sign-in policy requires "
                "multi-factor authentication; saved credentials and password sign-in stop "
                "working.",
        fix="Nothing is broken. Have the user sign in interactively (Sign in with the "
            "browser, or device code over the phone) and complete the second factor. If "
            "they have no second factor yet (AADSTS50079), they register one first at "
            "https://aka.ms/mfasetup. Do not reset the password.",
        expected_step="signin", expected_code="mfa_required"),
    Scenario(
        "stamp-other-org", "Mailbox stamped by another organization", (), ALICE,
        symptom="Synchronization does not run and says the mailbox is set to synchronize with "
                "“Contoso (Japan)”, although the user's synchronizing org is “Contoso (North "
                "America)”. Test Connection shows the local mailbox stamp naming the other "
                "org.",
        fix="Find out why the stamp changed: another org's administrator set up the same "
            "mailbox, the user was migrated, or the stamp's state is unknown. If “Contoso "
            "(North America)” is the right org, select it, press Synchronize and tick “Sync "
            "items from this organization only, even if the mailbox was set to sync with a "
            "different organization” (d365-orgs use ORG --override-stamp). If the other org "
            "is right, make that one the synchronizing org instead.",
        expected_step="stamp", expected_code=None, stamp_owner="contosojp"),
    Scenario(
        "no-privilege", "User lacks the Sync to Outlook privilege", (), BOB,
        symptom="Sign-in and WhoAmI pass, but the connection test's “Sync-to-Outlook "
                "privilege” step fails: the user's security roles do not grant it.",
        fix="Nothing can be fixed on the computer. A Dynamics 365 administrator adds the "
            "“Sync to Outlook” privilege (Security role > Business Management) to one of the "
            "user's security roles, or gives the user a role that has it; then test again.",
        expected_step="privilege", expected_code="no_sync_privilege"),
    Scenario(
        "disabled-org", "The organization is disabled", ("org_disabled=contosona",), ALICE,
        symptom="The org is listed as disabled in online discovery and cannot be added; an "
                "org already in the list fails its connection test (the server answers that "
                "the organization is disabled).",
        fix="The environment was disabled (trial expired, admin action or unpaid "
            "subscription). A Power Platform administrator re-enables it in the admin "
            "center; meanwhile the user can only use their other orgs. Removing and adding "
            "the org again does not help.",
        expected_step="whoami", expected_code=None),
    Scenario(
        "expired-sign-in", "The saved sign-in expired", ("token_expired", "refresh_expired"),
        ALICE,
        symptom="An org that worked before no longer accepts the saved sign-in: the "
                "connection test's access step says “did not accept the sign-in (HTTP 401) - "
                "sign in again”, and renewing it silently fails with AADSTS700082 (the "
                "refresh token expired due to inactivity).",
        fix="Sign in again (Test Connection or Sign in, then the browser or device code). "
            "This is normal after about 90 days without use or after a password change; it "
            "is not a password or server problem.",
        expected_step="whoami", expected_code="signin_required"),
    Scenario(
        "unknown-ca", "TLS certificate from an unknown CA", ("unknown_ca",), ALICE,
        symptom="The “Secure connection (TLS certificate)” step fails and names the "
                "certificate's issuer, which the computer does not trust.",
        fix="Usually a corporate proxy inspects TLS with its own CA. Get that CA certificate "
            "from IT and add it (--ca-bundle FILE, or ca_bundle in the cloud file, or the OS "
            "trust store). Never turn verification off; if IT does not know the issuer, "
            "treat it as an attack and report it.",
        expected_step="tls", expected_code=None),
)


SCENARIOS += (
    Scenario(
        "exchange-overwritten", "Another org's administrator took the Exchange mailbox", (),
        ALICE,
        symptom="Appointments, contacts and tasks stop synchronizing with “Contoso (North "
                "America)”. Test Connection warns that its last Test & Enable failed because "
                "the mailbox “is configured with another organization”, that it does not hold "
                "the Exchange mailbox, and (testing “Contoso (Japan)”) that Japan's record is "
                "still on Server-Side Synchronization.",
        fix="The Japan org's administrator ran Test & Enable for the same mailbox and "
            "overwrote the OrgID stored in Exchange. Select “Contoso (North America)”, press "
            "Synchronize and keep “Sync items from this organization only, even if the "
            "mailbox was set to sync with a different organization” ticked (d365-orgs use "
            "contosona): North America takes the mailbox back and Japan's method becomes "
            "None, so it cannot happen again.",
        expected_step="exchange", expected_code="not_holding",
        preset_orgs=("contosona", "contosojp"), exchange_holder="contosojp"),
    Scenario(
        "exchange-unknown-state", "The Exchange mailbox is in an unknown state", (), ALICE,
        symptom="Server-side synchronization with “Contoso (North America)” keeps failing: "
                "Test Connection warns that Test & Enable failed because the mailbox is "
                "configured with another organization, but none of the user's organizations "
                "holds it.",
        fix="The state stored in Exchange is unknown (no org the user can see holds it). "
            "Select the org, press Synchronize and tick “Sync items from this organization "
            "only, even if the mailbox was set to sync with a different organization” "
            "(d365-orgs use contosona --override-stamp); Test & Enable then takes the "
            "mailbox.",
        expected_step="mailbox", expected_code="configured_elsewhere",
        exchange_holder="unknown"),
    Scenario(
        "exchange-migrated", "User migrated from another organization", (), ALICE,
        symptom="After a move to “Contoso (North America)”, nothing synchronizes there: Test "
                "Connection warns that the org does not hold the Exchange mailbox; the mailbox "
                "status shows that no listed org holds it (Exchange still names the old org).",
        fix="The mailbox is still set to synchronize with the org the user was migrated "
            "from. Select “Contoso (North America)”, press Synchronize and tick “Sync items "
            "from this organization only, even if the mailbox was set to sync with a "
            "different organization” (d365-orgs use contosona --override-stamp).",
        expected_step="exchange", expected_code="not_holding",
        exchange_holder="contosoretired", exchange_tested=False),
)


def get_scenario(name: str) -> Scenario:
    wanted = name.strip().lower().replace("_", "-")
    for s in SCENARIOS:
        if s.name == wanted:
            return s
    raise UnknownScenario(f"There is no practice scenario “{name}”.",
                          fix="Choose one of: " + ", ".join(s.name for s in SCENARIOS) + ".")


@dataclass
class PracticeSession:
    """A running practice: the sandbox and the practice home prepared for a scenario."""

    scenario: Scenario
    sandbox: "Sandbox"
    home: Path

    def describe(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name, "title": self.scenario.title,
            "home": str(self.home), "cloud_file": str(self.sandbox.cloud_file),
            "org_urls": dict(self.sandbox.org_urls),
            "sign_in_as": self.scenario.user, "password": seed.PRACTICE_PASSWORD,
            "mfa_code": seed.MFA_CODE, "faults": self.sandbox.faults.active(),
            "gui": f'd365-wizard --home "{self.home}" --cloud-file "{self.sandbox.cloud_file}"',
            "cli": f'd365-orgs --home "{self.home}" --cloud-file "{self.sandbox.cloud_file}" '
                   "list",
        }

    def solve(self) -> None:
        """What the right fix achieves: the problem disappears."""
        self.sandbox.faults.reset()
        if self.scenario.exchange_holder:
            _exchange_fixed(self.scenario, self.sandbox)

    def stop(self) -> None:
        self.sandbox.stop()


def start_practice(scenario: Scenario, practice_root: Path) -> PracticeSession:
    """Start the sandbox for ``scenario`` and prepare a fresh practice home under
    ``practice_root`` (any previous practice of the same scenario is discarded)."""
    from wizard.sandbox.server import start_sandbox

    home = practice_root / scenario.name
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    sandbox = start_sandbox(practice_root / "sandbox-data", faults=list(scenario.faults))
    try:
        _prepare_home(scenario, sandbox, home)
    except BaseException:
        sandbox.stop()
        raise
    return PracticeSession(scenario, sandbox, home)


def _prepare_home(scenario: Scenario, sandbox: "Sandbox", home: Path) -> None:
    from wizard.engine.context import Engine
    from wizard.engine.orgs import OrgProfile
    from wizard.engine.paths import AppPaths
    from wizard.engine.secrets import MemorySecretStore

    engine = Engine(AppPaths.resolve(home), cloud_files=[sandbox.cloud_file],
                    secret_store=MemorySecretStore())
    engine.paths.ensure()
    user = seed.user_by_upn(scenario.user)
    for name in scenario.preset_orgs:
        org = seed.org_by_name(name)
        assert org is not None and user is not None
        engine.registry.add(OrgProfile(
            base_url=sandbox.org_urls[name], display_name=org.friendly_name,
            unique_name=org.unique_name, org_id=org.org_id, kind="online",
            cloud=sandbox.cloud.name, tenant_id=seed.TENANT_ID, user=user.upn,
            user_id=user.systemuser_id, auth_method="oauth", version=org.version))
    primary = engine.registry.primary()
    if scenario.exchange_holder and primary is not None:
        engine.registry.apply(engine.registry.plan_switch(primary.key), sync_via="server")
        _exchange_problem(scenario, sandbox)
    if scenario.stamp_owner:
        owner = seed.org_by_name(scenario.stamp_owner)
        assert owner is not None
        engine.mailbox.claim(owner.org_id, owner.friendly_name)
    elif primary is not None and primary.org_id:
        engine.mailbox.claim(primary.org_id, primary.display_name)


def run_practice(ctx: "CliContext", scenario: Scenario, *, duration: float | None = None,
                 show_solution: bool = False, out: TextIO = sys.stderr) -> "CommandResult":
    from wizard.cli.base import CommandResult

    practice_root = ctx.engine.paths.data_dir / "practice"
    session = start_practice(scenario, practice_root)
    info = session.describe()
    solved = False
    try:
        lines = [
            f"Practice: {scenario.title} ({scenario.name})",
            f"Sign in as {info['sign_in_as']} with the password {info['password']} "
            f"(one-time code {info['mfa_code']} where asked).",
            "Start the app on the practice profile:",
            f"  {info['gui']}",
            f"  {info['cli']}",
            f"The trainee sees: {scenario.symptom}",
        ]
        if show_solution:
            lines.append(f"Right fix: {scenario.fix}")
        interactive = ctx.interactive and duration is None
        lines.append("Press Enter when the trainee has named the fix (the problem then goes "
                     "away), Ctrl+C to stop." if interactive else
                     f"Running {f'for {duration:.0f} s' if duration is not None else 'until Ctrl+C'}.")
        out.write("\n".join(lines) + "\n")
        out.flush()
        if interactive:
            ctx.stdin.readline()
            session.solve()
            solved = True
            out.write("Problem removed: test the connection again to see it work. "
                      "Ctrl+C to stop.\n")
            out.flush()
            _wait(None)
        else:
            _wait(duration)
    except KeyboardInterrupt:
        pass
    finally:
        session.stop()
    data = {**info, "solved": solved, "symptom": scenario.symptom}
    if show_solution:
        data["fix"] = scenario.fix
    return CommandResult(data=data, text=f"Practice “{scenario.name}” stopped.")


def _wait(duration: float | None) -> None:
    if duration is None:
        threading.Event().wait()  # until Ctrl+C
    else:
        time.sleep(max(0.0, duration))


def _mailbox(sandbox: "Sandbox", org: str, upn: str) -> dict[str, Any]:
    return next(r for r in sandbox.store.rows(org, "mailbox") if r["emailaddress"] == upn)


def _exchange_problem(scenario: Scenario, sandbox: "Sandbox") -> None:
    """Stamp the Exchange mailbox as the scenario says (another admin's Test & Enable, an
    unknown OrgID, the org the user came from)."""
    import uuid

    for name in scenario.preset_orgs:
        sandbox.store.org_data(name)        # built now, so the stamp change reaches them
    holder = scenario.exchange_holder
    org = seed.org_by_name(holder) if holder and holder != "unknown" else None
    sandbox.store.exchange.set_holder(scenario.user, org.org_id if org else str(uuid.uuid4()))
    if holder in scenario.preset_orgs:
        row = _mailbox(sandbox, holder, scenario.user)
        sandbox.store.update(holder, "mailbox", row["mailboxid"], {"actstatus": 1})
    if not scenario.exchange_tested:
        first = scenario.preset_orgs[0]
        row = _mailbox(sandbox, first, scenario.user)
        sandbox.store.update(first, "mailbox", row["mailboxid"], {
            "actstatus": 0, "lastsyncerror": None, "lastsyncerrorcode": None,
            "lastsyncerroroccurredon": None})


def _exchange_fixed(scenario: Scenario, sandbox: "Sandbox") -> None:
    """What Synchronize with "this org only" does: the first org takes the mailbox, the
    others are set to None."""
    first, *others = scenario.preset_orgs
    org = seed.org_by_name(first)
    assert org is not None
    sandbox.store.exchange.set_holder(scenario.user, org.org_id)
    row = _mailbox(sandbox, first, scenario.user)
    sandbox.store.update(first, "mailbox", row["mailboxid"], {
        "actdeliverymethod": 1, "actstatus": 1, "lastsyncerror": None,
        "lastsyncerrorcode": None, "lastsyncerroroccurredon": None})
    for name in others:
        row = _mailbox(sandbox, name, scenario.user)
        sandbox.store.update(name, "mailbox", row["mailboxid"], {"actdeliverymethod": 2})
