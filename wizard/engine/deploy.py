"""Silent deployment: a prepared org list applied without questions.

The successor of the original ``ConfigWizard.exe /Q /i config.xml``. An administrator
writes a JSON *deployment file* (format below, also in wizard/engine/HELPDESK.md) and either runs
``d365-orgs deploy FILE`` / ``d365-wizard --deploy FILE`` on each machine, or puts it at
the machine-wide location (:attr:`AppPaths.site_deployment_file`) where every start of
the app applies it once (:func:`apply_site_deployment`; unchanged files are not re-applied).

The file never carries secrets: a key that looks like a password or token refuses the
whole file. Orgs are recorded without connecting (``auth_method`` "unknown"); users sign
in on first use. Decisions, all reported in the :class:`DeployReport`:

* An org is matched to the user's list by organization ID or normalized URL (discovery
  entries: by cloud and unique name). Re-applying a file changes nothing the second time.
* **The user's display name wins.** If the user already has the org under another name,
  it is kept and reported (``kept_user_name``); so is a name another org already uses
  (``name_taken``; the org gets a free name instead).
* **The synchronizing org is never switched silently.** The file's primary org becomes
  the synchronizing org only when the user has none (for example on a fresh machine);
  a different synchronizing org is kept and the report says how to switch.
* ``replace`` removes the user's orgs that the file does not list. Removing the
  synchronizing org is allowed but always reported (``removed_primary``).
* Entries by discovery (cloud + unique name, no URL) cannot be resolved without signing
  in; they are kept as *pending* in the deployment state and added by
  :func:`resolve_pending` once the user has signed in and discovery has listed the orgs.

Format (``schema_version`` 1)::

    {
      "schema_version": 1,
      "replace": false,                  # optional; like --replace
      "keep_connected_minutes": 15,      # optional; Keep me connected interval, 1-1440
      "orgs": [
        {"url": "https://contoso.crm4.dynamics.com", "display_name": "Contoso Sales",
         "primary": true},
        {"url": "https://crm.contoso.local/contoso", "display_name": "Contoso On-Premises"},
        {"cloud": "gcchigh", "unique_name": "contosogov", "display_name": "Contoso Gov"},
        {"url": "https://127.0.0.1:8443", "cloud_file": "sandbox-cloud.json"}
      ]
    }

Org keys: ``url`` or ``unique_name`` + ``cloud`` (discovery), ``display_name``, ``cloud``,
``cloud_file`` (a cloud definition, relative to the deployment file), ``primary``,
``org_id``, ``unique_name``, ``keep_connected``.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.engine import deploy_errors as E
from wizard.engine.clouds import BUILTIN_CLOUDS, SECRET_KEY, SECRET_VALUE, Cloud, CloudFileSecret, load_cloud_file
from wizard.engine.deploy_errors import DeploymentContainsSecret as DeploymentContainsSecret
from wizard.engine.deploy_errors import DeploymentError as DeploymentError
from wizard.engine.errors import InvalidOrgUrl, WizardError
from wizard.engine.storage import atomic_write_bytes, atomic_write_json, locked, read_versioned_json

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.context import Engine
    from wizard.engine.discovery import DiscoveredOrg
    from wizard.engine.orgs import OrgProfile, OrgRegistry
    from wizard.engine.paths import AppPaths

SCHEMA_VERSION = 1
STATE_SCHEMA_VERSION = 1
FILE_KIND = "d365-wizard-deployment"
MAX_FILE_BYTES = 1_000_000

TOP_KEYS = {"schema_version", "kind", "replace", "orgs", "comment", "exported_at",
            "keep_connected_minutes"}
ORG_KEYS = {"url", "display_name", "cloud", "cloud_file", "primary", "org_id", "unique_name",
            "keep_connected", "comment"}
_SECRET_KEY = SECRET_KEY
_SECRET_VALUE = SECRET_VALUE


@dataclass(frozen=True)
class OrgEntry:
    """One org of a deployment file, validated."""

    index: int                            # 1-based position in the file, for messages
    url: str | None                       # normalized base URL (None: discovery entry)
    display_name: str | None
    cloud: str | None
    unique_name: str | None
    org_id: str | None
    primary: bool
    keep_connected: bool | None
    cloud_file: str | None                # path as written in the file
    kind: str | None = None
    region: str | None = None
    api_url: str | None = None

    @property
    def by_discovery(self) -> bool:
        return self.url is None

    @property
    def label(self) -> str:
        name = self.display_name or self.unique_name or self.url or "?"
        return f"“{name}” (entry {self.index})"


@dataclass(frozen=True)
class Deployment:
    orgs: tuple[OrgEntry, ...]
    replace: bool
    clouds: dict[str, Cloud]              # custom clouds the file's cloud_file entries define
    cloud_paths: dict[str, Path]          # their source files
    sha256: str
    source: str
    keep_connected_minutes: int | None = None   # the Keep me connected interval to set


@dataclass
class OrgOutcome:
    entry: str                            # the entry's label
    action: str                           # added | updated | unchanged | pending | removed
    org: str | None = None                # display name in the user's list
    key: str | None = None
    notes: list[str] = field(default_factory=list)
    kept_user_name: str | None = None     # the file's name that was NOT applied
    name_taken: str | None = None


@dataclass
class DeployReport:
    source: str
    sha256: str
    outcomes: list[OrgOutcome] = field(default_factory=list)
    primary: str | None = None            # the synchronizing org after applying (display name)
    primary_note: str | None = None
    removed_primary: str | None = None
    skipped: bool = False                 # the machine-wide file was applied before, unchanged
    warnings: list[str] = field(default_factory=list)
    keep_connected_minutes: int | None = None   # set to this by the file (None: not changed)

    @property
    def changed(self) -> bool:
        return (any(o.action in ("added", "updated", "removed") for o in self.outcomes)
                or self.keep_connected_minutes is not None)

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["changed"] = self.changed
        return d

    def text(self) -> str:
        if self.skipped:
            return f"{self.source} was already applied and has not changed; nothing to do."
        lines = [f"Applied {self.source}: {self.count('added')} added, "
                 f"{self.count('updated')} updated, {self.count('unchanged')} unchanged, "
                 f"{self.count('pending')} waiting for sign-in, {self.count('removed')} removed."]
        for o in self.outcomes:
            line = f"  {o.action:<9} {o.org or o.entry}"
            lines.append(line)
            lines.extend(f"            {n}" for n in o.notes)
        if self.removed_primary:
            lines.append(f"WARNING: {self.removed_primary}")
        if self.primary_note:
            lines.append(self.primary_note)
        lines.extend(f"warning: {w}" for w in self.warnings)
        if self.keep_connected_minutes is not None:
            lines.append(f"Keep me connected: every {self.keep_connected_minutes} minutes.")
        if self.count("added"):
            lines.append("Users sign in to each organization the first time they use it.")
        return "\n".join(lines)


# -- reading and validating -----------------------------------------------------------------
def load_deployment(path: str | Path, *, known_clouds: dict[str, Cloud] | None = None
                    ) -> Deployment:
    """Read and validate a deployment file. Raises :class:`DeploymentError` (nothing applied)."""
    from wizard.engine.fileio import FileProblem, decode_text, parse_json, read_input

    path = Path(path)
    what = "the deployment file"
    try:
        raw = read_input(path, what=what, max_bytes=MAX_FILE_BYTES)
        data = parse_json(decode_text(raw, path=path, what=what), path=path, what=what)
    except FileProblem as exc:
        raise E.DeploymentFileUnusable(cause=exc, details=exc.details) from exc
    return parse_deployment(data, source=str(path), base_dir=path.parent,
                            sha256=hashlib.sha256(raw).hexdigest(), known_clouds=known_clouds)


def parse_deployment(data: Any, *, source: str = "deployment file", base_dir: Path | None = None,
                     sha256: str | None = None, known_clouds: dict[str, Cloud] | None = None
                     ) -> Deployment:
    if sha256 is None:
        sha256 = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    _refuse_secrets(data, source)
    replace, minutes, orgs_raw = _check_top_level(data, source)
    clouds: dict[str, Cloud] = dict(known_clouds or {})
    cloud_paths: dict[str, Path] = {}
    entries = [_parse_entry(raw, {"source": source, "index": i}, base_dir, clouds, cloud_paths)
               for i, raw in enumerate(orgs_raw, 1)]
    primaries = [e for e in entries if e.primary]
    if len(primaries) > 1:
        raise E.SeveralPrimaries(source=source, count=len(primaries), labels=", ".join(e.label for e in primaries))
    _refuse_duplicates(entries, source)
    return Deployment(tuple(entries), replace, {k: v for k, v in clouds.items()
                                                if k in cloud_paths}, cloud_paths, sha256, source,
                      keep_connected_minutes=minutes)


def _check_top_level(data: Any, source: str) -> tuple[bool, int | None, list[Any]]:
    """The file's own settings, checked: (replace, keep-connected minutes, the raw org list)."""
    if not isinstance(data, dict):
        raise E.NotAnObject(source=source)
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise E.NoSchemaVersion(source=source)
    if version > SCHEMA_VERSION:
        raise E.NewerFormat(source=source, version=version, supported=SCHEMA_VERSION)
    if data.get("kind", FILE_KIND) != FILE_KIND:
        raise E.WrongKind(source=source, kind=data.get("kind"))
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise E.UnknownSettings(source=source, count=len(unknown), keys=", ".join(sorted(unknown)),
                                allowed=", ".join(sorted(TOP_KEYS)))
    replace = data.get("replace", False)
    if not isinstance(replace, bool):
        raise E.ReplaceNotBool(source=source)
    minutes = _keep_connected_minutes(data.get("keep_connected_minutes"), source)
    orgs_raw = data.get("orgs")
    if not isinstance(orgs_raw, list):
        raise E.NoOrgsList(source=source)
    return replace, minutes, orgs_raw


def _keep_connected_minutes(minutes: Any, source: str) -> int | None:
    if minutes is None:
        return None
    from wizard.engine import keepalive

    try:
        return keepalive.check_minutes(minutes, text=False)
    except keepalive.InvalidInterval:
        raise E.BadKeepConnectedMinutes(source=source, value=minutes, low=keepalive.MIN_MINUTES,
                                        high=keepalive.MAX_MINUTES) from None


_TEXT_KEYS = ("url", "display_name", "cloud", "cloud_file", "org_id", "unique_name")


def _parse_entry(raw: Any, at: dict[str, Any], base_dir: Path | None, clouds: dict[str, Cloud],
                 cloud_paths: dict[str, Path]) -> OrgEntry:
    """One org of the file, checked (``at`` names it in errors); a cloud file it names is
    loaded into ``clouds`` and ``cloud_paths``."""
    from wizard.engine.urls import parse_org_url

    text = _entry_texts(raw, at)
    cloud_name = _entry_cloud(text, at, base_dir, clouds, cloud_paths)
    url = kind = region = api_url = None
    if text["url"]:
        try:
            parsed = parse_org_url(text["url"], clouds=clouds)
        except InvalidOrgUrl as exc:
            raise E.EntryBadUrl(**at, cause=exc) from exc
        url, kind, region, api_url = parsed.base_url, parsed.kind, parsed.region, parsed.api_url
        if cloud_name and parsed.cloud and parsed.cloud != cloud_name:
            raise E.UrlInOtherCloud(**at, url=url, url_cloud=parsed.cloud, cloud=cloud_name)
        cloud_name = cloud_name or parsed.cloud
    elif not (text["unique_name"] and cloud_name):
        raise E.EntryWithoutUrl(**at)
    return OrgEntry(
        index=at["index"], url=url, display_name=(text["display_name"] or "").strip() or None,
        cloud=cloud_name, unique_name=text["unique_name"], org_id=text["org_id"],
        primary=bool(raw.get("primary", False)), keep_connected=raw.get("keep_connected"),
        cloud_file=text["cloud_file"], kind=kind, region=region, api_url=api_url)


def _entry_texts(raw: Any, at: dict[str, Any]) -> dict[str, str | None]:
    """An entry's keys and text fields, checked; its text fields by key (None: not given)."""
    if not isinstance(raw, dict):
        raise E.EntryNotObject(**at)
    unknown = set(raw) - ORG_KEYS
    if unknown:
        raise E.EntryUnknownKeys(**at, count=len(unknown), keys=", ".join(sorted(unknown)),
                                 allowed=", ".join(sorted(ORG_KEYS)))
    text: dict[str, str | None] = {k: raw.get(k) for k in _TEXT_KEYS}
    for k, v in text.items():
        if v is not None and (not isinstance(v, str) or not v.strip()):
            raise E.EntryNotText(**at, key=k)
    for k in ("primary", "keep_connected"):
        if k in raw and not isinstance(raw[k], bool):
            raise E.EntryNotBool(**at, key=k)
    _check_text_values(text, at)
    return text


def _check_text_values(text: dict[str, str | None], at: dict[str, Any]) -> None:
    if text["org_id"] is not None:
        try:
            uuid.UUID(text["org_id"].strip().strip("{}"))
        except ValueError:
            raise E.EntryBadOrgId(**at, org_id=text["org_id"]) from None
    for k, v in text.items():
        if v is not None and any(ord(c) < 32 or ord(c) == 127 for c in v):
            raise E.EntryControlCharacter(**at, key=k)


def _entry_cloud(text: dict[str, str | None], at: dict[str, Any], base_dir: Path | None,
                 clouds: dict[str, Cloud], cloud_paths: dict[str, Path]) -> str | None:
    """The cloud an entry names (``cloud``, or the one its ``cloud_file`` defines, loaded)."""
    cloud_name = text["cloud"]
    if text["cloud_file"]:
        cf = Path(text["cloud_file"]).expanduser()
        if not cf.is_absolute() and base_dir is not None:
            cf = base_dir / cf
        try:
            cloud = load_cloud_file(cf)
        except CloudFileSecret as exc:
            raise E.EntryCloudFileSecret(**at, **exc.params) from exc
        except WizardError as exc:
            raise E.EntryCloudFileUnusable(**at, cause=exc) from exc
        if cloud_name and cloud_name != cloud.name:
            raise E.CloudMismatch(**at, cloud=cloud_name, defined=cloud.name)
        cloud_name = cloud.name
        clouds[cloud.name] = cloud
        cloud_paths[cloud.name] = cf
    if cloud_name and cloud_name not in BUILTIN_CLOUDS and cloud_name not in clouds:
        raise E.UnknownCloud(**at, cloud=cloud_name, choices=", ".join(BUILTIN_CLOUDS))
    return cloud_name


def _refuse_secrets(data: Any, source: str, where: str = "") -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            path = f"{where}.{k}" if where else str(k)
            if _SECRET_KEY.search(str(k)):
                raise E.SecretKey(source=source, path=path)
            _refuse_secrets(v, source, path)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _refuse_secrets(v, source, f"{where}[{i}]")
    elif isinstance(data, str) and _SECRET_VALUE.search(data):
        raise E.SecretValue(source=source, path=where)


def _refuse_duplicates(entries: list[OrgEntry], source: str) -> None:
    from wizard.engine.orgs import normalize_base_url

    seen: dict[str, OrgEntry] = {}
    for e in entries:
        keys = [f"url:{normalize_base_url(e.url)}"] if e.url else []
        if e.org_id:
            keys.append(f"id:{e.org_id.strip('{} ').lower()}")
        if e.by_discovery:
            keys.append(f"disco:{e.cloud}:{(e.unique_name or '').lower()}")
        for k in keys:
            if k in seen:
                raise E.SameOrgTwice(source=source, first=seen[k].label, second=e.label)
            seen[k] = e


# -- applying --------------------------------------------------------------------------------
def apply_deployment(engine: "Engine", file: str | Path, replace: bool = False, *,
                     source_kind: str = "file") -> DeployReport:
    """Apply the deployment file ``file`` to ``engine``'s org list without questions.

    ``replace`` (or ``"replace": true`` in the file) removes orgs the file does not list.
    Raises :class:`DeploymentError` before changing anything when the file is unusable.
    """
    deployment = load_deployment(file, known_clouds=engine.custom_clouds)
    return apply_loaded(engine, deployment, replace=replace or deployment.replace,
                        source_kind=source_kind)


def apply_loaded(engine: "Engine", deployment: Deployment, *, replace: bool,
                 source_kind: str = "file") -> DeployReport:
    """Apply a validated deployment: the whole new org list in ONE registry write.

    The list is computed and validated first (a dry run against the current list), so an
    entry that cannot be stored stops the run before anything changed. Then the cloud
    files are copied, the list is written at once, and only after that write the keyring
    entries and tokens of removed orgs are deleted (the registry finishes that clean-up
    after a crash). A crash at any point leaves the old list or the new one.
    """
    from wizard.engine.orgs import SYNC_MAILBOX, InvalidProfile

    registry = engine.registry
    report = DeployReport(source=deployment.source, sha256=deployment.sha256)
    stored_clouds = {name: str(_cloud_dest(engine.paths, name))
                     for name in deployment.cloud_paths}
    planned: dict[str, Any] = {}

    def change(orgs: list["OrgProfile"]) -> list["OrgProfile"]:
        outcomes, pending, after = _plan_list(registry, orgs, deployment, replace,
                                              stored_clouds, source_kind)
        planned.update(outcomes=outcomes, pending=pending)
        return after

    try:
        registry.apply_batch(change, dry_run=True)
    except InvalidProfile as exc:
        raise E.NotApplied(source=deployment.source, cause=exc) from exc
    _store_clouds(engine, deployment)
    batch = registry.apply_batch(change)
    report.outcomes = planned["outcomes"]
    for outcome in report.outcomes:
        if outcome.action == "removed":
            outcome.notes.extend(p for p in batch.problems if outcome.org and outcome.org in p)
            if outcome.key and any(r.key == outcome.key and r.is_primary for r in batch.removed):
                report.removed_primary = (
                    f"{outcome.org} was your synchronizing organization and is not in the "
                    "deployment file; it was removed. No organization synchronizes with your "
                    "mailbox now.")
    report.warnings.extend(p for p in batch.problems
                           if not any(o.org and o.org in p for o in report.outcomes))

    _save_pending(engine, deployment, planned["pending"])
    if deployment.keep_connected_minutes is not None \
            and registry.keep_connected_minutes() != deployment.keep_connected_minutes:
        report.keep_connected_minutes = registry.set_keep_connected_minutes(deployment.keep_connected_minutes)
    primary_entry = next((e for e in deployment.orgs if e.primary), None)
    current = registry.primary()
    report.primary = current.display_name if current else None
    if primary_entry is not None:
        report.primary_note = _primary_note(registry, primary_entry, current, report)
        current = registry.primary()
        report.primary = current.display_name if current else None
    if current is not None and current.sync_method != SYNC_MAILBOX:  # pragma: no cover
        report.warnings.append("The organization list has an inconsistent synchronizing org.")
    return report


def _plan_list(registry: OrgRegistry, existing: list["OrgProfile"], deployment: Deployment, replace: bool,
               stored_clouds: dict[str, str], source_kind: str
               ) -> tuple[list[OrgOutcome], list[dict[str, Any]], list["OrgProfile"]]:
    """The new list (and the report's outcomes) for ``deployment`` applied to ``existing``."""
    outcomes: list[OrgOutcome] = []
    matches: dict[int, OrgProfile] = {}
    claimed: dict[str, OrgEntry] = {}
    for entry in deployment.orgs:
        found = _match(existing, entry)
        if found is None:
            continue
        if found.key in claimed:
            raise E.TwoEntriesOneOrg(source=deployment.source, first=claimed[found.key].label,
                                     second=entry.label, org=found.display_name)
        claimed[found.key] = entry
        matches[entry.index] = found

    keep = {p.key for p in matches.values()}
    after = list(existing)
    if replace:
        after = [p for p in existing if p.key in keep]
        for profile in existing:
            if profile.key not in keep:
                outcomes.append(OrgOutcome(entry="(not in the file)", action="removed",
                                           org=profile.display_name, key=profile.key))

    pending: list[dict[str, Any]] = []
    # The primary goes first so that, on a machine without orgs, it becomes the
    # synchronizing org by the registry's own rule ("the first org added").
    for entry in sorted(deployment.orgs, key=lambda e: not e.primary):
        if entry.by_discovery and entry.index not in matches:
            pending.append(_pending_record(entry, deployment))
            outcomes.append(OrgOutcome(
                entry=entry.label, action="pending", org=entry.display_name,
                notes=[f"Will be added after the user signs in to the {entry.cloud} cloud and "
                       f"discovery finds “{entry.unique_name}”."]))
            continue
        outcome, profile = _plan_entry(registry, entry, matches.get(entry.index), after,
                                       stored_clouds, source_kind)
        outcomes.append(outcome)
        if entry.index in matches:
            after = [profile if p.key == profile.key else p for p in after]
        else:
            after.append(profile)
    return outcomes, pending, after


def _match(existing: list["OrgProfile"], entry: OrgEntry) -> "OrgProfile | None":
    """The org of the user's list that ``entry`` names: by org id, else by URL, else (a
    discovery entry) by cloud and unique name."""
    for same in _identities(entry):
        for p in existing:
            if same(p):
                return p
    return None


def _identities(entry: OrgEntry) -> list[Callable[["OrgProfile"], bool]]:
    """The tests, in the order they are tried, of whether an org is the one ``entry`` names."""
    from wizard.engine.orgs import normalize_base_url

    tests: list[Callable[[OrgProfile], bool]] = []
    if entry.org_id:
        wanted_id = entry.org_id.strip("{} ").lower()
        tests.append(lambda p: bool(p.org_id and p.org_id.strip("{} ").lower() == wanted_id))
    if entry.url:
        url = normalize_base_url(entry.url)
        tests.append(lambda p: normalize_base_url(p.base_url) == url)
    if entry.by_discovery:
        name = (entry.unique_name or "").lower()
        tests.append(lambda p: (p.unique_name or "").lower() == name and (p.cloud or None) == entry.cloud)
    return tests


def _plan_entry(registry: OrgRegistry, entry: OrgEntry, existing: "OrgProfile | None",
                current: list["OrgProfile"], stored_clouds: dict[str, str],
                source_kind: str) -> tuple[OrgOutcome, "OrgProfile"]:
    import dataclasses

    marker = {"source": source_kind}
    if entry.display_name:
        marker["display_name"] = entry.display_name
    wanted: dict[str, Any] = {
        "kind": entry.kind, "cloud": entry.cloud, "region": entry.region,
        "api_url": entry.api_url, "unique_name": entry.unique_name, "org_id": entry.org_id,
        "keep_connected": entry.keep_connected,
    }
    wanted = {k: v for k, v in wanted.items() if v is not None}
    extra: dict[str, Any] = {"deployment": marker}
    if entry.cloud in stored_clouds:
        extra["cloud_file"] = stored_clouds[entry.cloud]

    if existing is None:
        return _plan_new(registry, entry, current, wanted, extra)

    outcome = OrgOutcome(entry=entry.label, action="unchanged", org=existing.display_name,
                         key=existing.key)
    if entry.display_name and entry.display_name != existing.display_name:
        outcome.kept_user_name = entry.display_name
        outcome.notes.append(f"Already in the list as “{existing.display_name}”; that name was "
                             f"kept (the file calls it “{entry.display_name}”).")
    changes = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
    # An org id or unique name learned by connecting is better than the file's silence,
    # but a value the file states and the user's list contradicts is reported, not forced.
    for k in ("org_id", "unique_name"):
        if k in changes and getattr(existing, k):
            outcome.notes.append(f"The file's {k} “{changes.pop(k)}” differs from the one "
                                 f"recorded when connecting (“{getattr(existing, k)}”); the "
                                 "recorded one was kept.")
    new_extra = dict(existing.extra)
    # Where the org first came from stays; the file's name is remembered for reports.
    old_marker = existing.extra.get("deployment")
    new_extra["deployment"] = ({**old_marker, **{k: v for k, v in marker.items()
                                                  if k != "source"}}
                               if isinstance(old_marker, dict) else marker)
    if "cloud_file" in extra and existing.extra.get("cloud_file") != extra["cloud_file"]:
        new_extra["cloud_file"] = extra["cloud_file"]
    if new_extra != existing.extra:
        changes["extra"] = new_extra
    if not changes:
        return outcome, existing
    updated = dataclasses.replace(existing.copy(), **changes)
    outcome.action = "updated"
    outcome.org = updated.display_name
    return outcome, updated


def _plan_new(registry: OrgRegistry, entry: OrgEntry, current: list["OrgProfile"],
              wanted: dict[str, Any], extra: dict[str, Any]) -> tuple[OrgOutcome, "OrgProfile"]:
    """An entry the user's list does not have yet: added (under a free name if its own is
    taken)."""
    from wizard.engine.orgs import InvalidDisplayName, OrgProfile, check_display_name

    profile = OrgProfile(base_url=entry.url or "", display_name=entry.display_name or "",
                         auth_method="unknown", extra=extra, **wanted)
    outcome = OrgOutcome(entry=entry.label, action="added")
    if entry.display_name:
        try:
            check_display_name(entry.display_name, existing=current)
        except InvalidDisplayName as exc:
            outcome.name_taken = entry.display_name
            outcome.notes.append(f"The name “{entry.display_name}” could not be used "
                                 f"({exc.message}); another name was chosen.")
    stored = registry.new_entry(profile, current)
    outcome.org, outcome.key = stored.display_name, stored.key
    return outcome, stored


def _primary_note(registry: OrgRegistry, entry: OrgEntry, current: "OrgProfile | None",
                  report: DeployReport) -> str | None:
    from wizard.engine.stamp import StampConflict

    outcome = next((o for o in report.outcomes if o.entry == entry.label), None)
    if outcome is None or outcome.action == "pending":
        return (f"The file's primary org {entry.label} will be added after sign-in; make it "
                "the synchronizing org then.")
    assert outcome.key is not None  # every outcome but "pending" names its org
    target = registry.get(outcome.key)
    if current is not None and current.key == target.key:
        return None
    if current is not None:
        return (f"Your synchronizing organization stays “{current.display_name}”. The file "
                f"names “{target.display_name}” as primary; switching changes what "
                "synchronizes with the mailbox, so it is never done silently: make it the "
                "synchronizing org yourself to switch.")
    if not target.org_id:
        return (f"No organization synchronizes with the mailbox. “{target.display_name}” (the "
                "file's primary org) becomes the synchronizing org after the user connects to "
                "it once and makes it the synchronizing org.")
    try:
        plan = registry.plan_switch(target.key)
        result = registry.apply(plan, override=False)
    except StampConflict as exc:
        return (f"“{target.display_name}” was not made the synchronizing org: {exc}")
    except WizardError as exc:
        return f"“{target.display_name}” was not made the synchronizing org: {exc}"
    return result.message


def _cloud_dest(paths: AppPaths, name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "cloud"
    return clouds_dir(paths) / f"{safe}.json"


def _store_clouds(engine: "Engine", deployment: Deployment) -> dict[str, str]:
    """Copy the file's cloud definitions next to the org list; returns name -> stored path.

    The copies are private (0600) and never carry a secret: a cloud file with one was
    refused when the deployment was read.
    """
    from wizard.engine.fileio import read_json

    stored: dict[str, str] = {}
    for name, src in deployment.cloud_paths.items():
        dest = _cloud_dest(engine.paths, name)
        raw = read_json(src, what="the cloud file")
        ca = raw.get("ca_bundle")
        if isinstance(ca, str) and ca and not Path(ca).expanduser().is_absolute():
            raw["ca_bundle"] = str((src.parent / ca).resolve())  # keeps working after the copy
        content = (json.dumps(raw, indent=2, sort_keys=True) + "\n").encode()
        atomic_write_bytes(dest, content, what="the copy of the cloud file")
        stored[name] = str(dest)
        engine.custom_clouds.setdefault(name, deployment.clouds[name])
    return stored


def clouds_dir(paths: AppPaths) -> Path:
    """Where deployed cloud definitions are kept (``<config>/clouds/NAME.json``)."""
    return paths.config_dir / "clouds"


def deployed_cloud_files(paths: AppPaths) -> list[Path]:
    """Cloud files a deployment stored; the GUI/CLI may load them like ``--cloud-file``."""
    d = clouds_dir(paths)
    return sorted(d.glob("*.json")) if d.is_dir() else []


# -- deployment state: pending discovery entries, the machine-wide file's hash -----------------
def state_file(paths: AppPaths) -> Path:
    return paths.config_dir / "deployment-state.json"


def read_state(paths: AppPaths) -> dict[str, Any]:
    data = read_versioned_json(state_file(paths), schema_version=STATE_SCHEMA_VERSION,
                               kind="deployment state") or {}
    data.setdefault("schema_version", STATE_SCHEMA_VERSION)
    data.setdefault("pending", [])
    data.setdefault("site", None)
    return data


def _update_state(paths: AppPaths, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    path = state_file(paths)
    with locked(path):
        try:
            state = read_state(paths)
        except WizardError:
            state = {"schema_version": STATE_SCHEMA_VERSION, "pending": [], "site": None}
        change(state)
        atomic_write_json(path, state)
    return state


def _pending_record(entry: OrgEntry, deployment: Deployment) -> dict[str, Any]:
    return {"cloud": entry.cloud, "unique_name": entry.unique_name,
            "display_name": entry.display_name, "primary": entry.primary,
            "org_id": entry.org_id, "keep_connected": entry.keep_connected,
            "source": deployment.source}


def _save_pending(engine: "Engine", deployment: Deployment, pending: list[dict[str, Any]]) -> None:
    def change(state: dict[str, Any]) -> None:
        others = [p for p in state["pending"] if p.get("source") != deployment.source]
        state["pending"] = others + pending
    if pending or any(p.get("source") == deployment.source
                      for p in _safe_state(engine.paths)["pending"]):
        _update_state(engine.paths, change)


def _safe_state(paths: AppPaths) -> dict[str, Any]:
    try:
        return read_state(paths)
    except WizardError:
        return {"pending": [], "site": None}


def pending_orgs(engine: "Engine") -> list[dict[str, Any]]:
    """Discovery entries still waiting for the user's first sign-in."""
    return list(_safe_state(engine.paths)["pending"])


def resolve_pending(engine: "Engine", cloud: str, instances: list[Any]) -> DeployReport:
    """Add the pending entries of ``cloud`` that discovery found after a sign-in.

    ``instances`` are Global Discovery results: objects or dicts with ``UniqueName`` /
    ``unique_name`` and ``Url`` / ``url`` (and optionally ``Id`` / ``org_id``). Entries
    discovery did not find stay pending. Call it from the sign-in flow of the GUI or CLI.
    """
    report = DeployReport(source=f"pending entries ({cloud})", sha256="")
    by_name: dict[str, dict[str, Any]] = {}
    for inst in instances:
        get = (inst.get if isinstance(inst, dict) else lambda k, o=inst: getattr(o, k, None))
        name = get("UniqueName") or get("unique_name")
        url = get("Url") or get("url") or get("base_url")
        if name and url:
            by_name[str(name).lower()] = {"url": url, "org_id": get("Id") or get("org_id")}
    still: list[dict[str, Any]] = []
    resolved: list[dict[str, Any]] = []
    for rec in pending_orgs(engine):
        hit = by_name.get((rec.get("unique_name") or "").lower()) if rec.get("cloud") == cloud \
            else None
        if hit is None:
            still.append(rec)
            continue
        resolved.append({"url": hit["url"], "cloud": cloud, "unique_name": rec["unique_name"],
                         "display_name": rec.get("display_name"),
                         "org_id": rec.get("org_id") or hit["org_id"],
                         "primary": bool(rec.get("primary")),
                         "keep_connected": rec.get("keep_connected")})
    if resolved:
        data = {"schema_version": SCHEMA_VERSION,
                "orgs": [{k: v for k, v in r.items() if v is not None} for r in resolved]}
        deployment = parse_deployment(data, source=report.source,
                                      known_clouds=engine.custom_clouds)
        report = apply_loaded(engine, deployment, replace=False, source_kind="discovery")

    def change(state: dict[str, Any]) -> None:
        state["pending"] = still
    _update_state(engine.paths, change)
    return report


def resolve_pending_by_discovery(engine: "Engine") -> DeployReport:
    """Resolve pending discovery entries with the user's existing sign-in (no prompt).

    For each cloud that pending entries name, a discovery token is taken silently from the
    token cache; clouds the user has not signed in to yet are reported in ``warnings``
    (``d365-orgs signin --cloud NAME`` first). Enabled orgs that discovery lists are added.
    """
    report = DeployReport(source="pending entries", sha256="")
    clouds = sorted({str(p["cloud"]) for p in pending_orgs(engine) if p.get("cloud")})
    for name in clouds:
        try:
            found = _discover_silently(engine, name)
        except WizardError as exc:
            report.warnings.append(
                f"{name}: {exc} Sign in to that cloud first, then try again.")
            continue
        sub = resolve_pending(engine, name, [o for o in found if o.can_add])
        report.outcomes.extend(sub.outcomes)
        report.primary, report.primary_note = sub.primary, sub.primary_note or report.primary_note
    for rec in pending_orgs(engine):
        report.outcomes.append(OrgOutcome(
            entry=f"“{rec.get('display_name') or rec.get('unique_name')}”", action="pending",
            org=rec.get("display_name"),
            notes=[f"Not found by discovery in {rec.get('cloud')} (yet)."]))
    return report


def _discover_silently(engine: "Engine", name: str) -> list[DiscoveredOrg]:
    """The orgs discovery lists in cloud ``name``, with a token taken silently from the cache."""
    from wizard.engine.discovery import discovery_scopes, list_instances

    cloud = engine.cloud(name)
    result = engine.authenticator.silent(cloud.authority, discovery_scopes(cloud),
                                         client_id=cloud.client_id)
    return list_instances(engine.session, cloud, lambda: result.authorization)


def apply_site_deployment(engine: "Engine", *, force: bool = False) -> DeployReport | None:
    """Apply the machine-wide deployment file if there is one and it changed since last time.

    Returns ``None`` when there is no such file, a report with ``skipped=True`` when the
    same content was applied before (by this user, on this machine). Call it on every
    start (GUI) — it reads one small file when nothing changed. Raises
    :class:`DeploymentError` for a broken file (the hash is not recorded, so a fixed file
    is applied on the next start).
    """
    path = engine.paths.site_deployment_file
    if not path.is_file():
        return None
    deployment = load_deployment(path, known_clouds=engine.custom_clouds)
    site = _safe_state(engine.paths).get("site") or {}
    if not force and site.get("sha256") == deployment.sha256:
        return DeployReport(source=str(path), sha256=deployment.sha256, skipped=True)
    report = apply_loaded(engine, deployment, replace=deployment.replace, source_kind="site")
    applied_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def change(state: dict[str, Any]) -> None:
        state["site"] = {"sha256": deployment.sha256, "path": str(path), "applied_at": applied_at}
    _update_state(engine.paths, change)
    return report


# -- export --------------------------------------------------------------------------------------
def export_deployment(engine: "Engine") -> dict[str, Any]:
    """The user's org list as a deployment file (no user names, tenants or secrets)."""
    orgs: list[dict[str, Any]] = []
    for p in engine.registry.list():
        item: dict[str, Any] = {"url": p.base_url, "display_name": p.display_name}
        if p.cloud:
            item["cloud"] = p.cloud
        if p.unique_name:
            item["unique_name"] = p.unique_name
        if p.org_id:
            item["org_id"] = p.org_id
        if p.is_primary:
            item["primary"] = True
        if not p.keep_connected:
            item["keep_connected"] = False
        cf = p.extra.get("cloud_file")
        if cf and Path(cf).is_file():
            item["cloud_file"] = str(cf)
        orgs.append(item)
    has_primary = any(o.get("primary") for o in orgs)
    for rec in pending_orgs(engine):
        orgs.append({k: v for k, v in {
            "cloud": rec.get("cloud"), "unique_name": rec.get("unique_name"),
            "display_name": rec.get("display_name"), "org_id": rec.get("org_id"),
            "primary": (rec.get("primary") and not has_primary) or None}.items() if v})
    from wizard.engine import keepalive

    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "kind": FILE_KIND,
                            "exported_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                            "orgs": orgs}
    minutes = engine.registry.keep_connected_minutes()
    if minutes != keepalive.DEFAULT_MINUTES:
        data["keep_connected_minutes"] = minutes
    return data


def write_export(engine: "Engine", out: str | Path) -> Path:
    """Write the export to ``out``; custom cloud files are copied beside it and referenced
    by relative name, so the folder can be copied to other machines as it is."""
    out = Path(out)
    data = export_deployment(engine)
    for item in data["orgs"]:
        cf = item.get("cloud_file")
        if cf:
            dest = out.parent / f"{item.get('cloud') or Path(cf).stem}.cloud.json"
            if Path(cf).resolve() != dest.resolve():
                from wizard.engine.fileio import read_input

                atomic_write_bytes(dest, read_input(cf, what="the cloud file"),
                                   what="the copy of the cloud file")
            item["cloud_file"] = dest.name
    atomic_write_json(out, data, what="the deployment file")
    return out


__all__ = [
    "DeployReport", "Deployment", "DeploymentContainsSecret", "DeploymentError", "OrgEntry",
    "OrgOutcome", "apply_deployment", "apply_site_deployment", "export_deployment",
    "load_deployment", "parse_deployment", "pending_orgs", "resolve_pending",
    "resolve_pending_by_discovery", "write_export",
]
