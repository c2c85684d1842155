"""The diagnostics bundle: one zip a user sends to the helpdesk.

What it holds (``manifest.json`` lists the files): app, OS and library versions, the
keyring backend, the org list, each org's connection-test steps, the mailbox stamp and
last sync, the deployment state and the newest log lines.

Two layers of protection, applied to every string before it is written:

1. :func:`wizard.engine.logs.redact` masks tokens, passwords, cookies and authorization
   headers, always; values under secret-looking keys are masked whatever they look like.
2. Unless the user agrees (``include_identities=True``), an :class:`Anonymizer` replaces
   user names, tenant IDs, org addresses, unique and display names and org/user IDs with
   stable placeholders (``user-1``, ``tenant-1``, ``org-1.crm4.dynamics.com``,
   ``host-1.example``), the same placeholder for the same value across the whole bundle,
   so the helpdesk can still tell which log line belongs to which org.

Nothing here reads the keyring's secrets or the token cache. The GUI runs
:func:`build_bundle` on its task runner (it may run connection tests over the network).
"""

from __future__ import annotations

import io
import ipaddress
import json
import os
import platform
import re
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.engine.errors import WizardError
from wizard.engine.logs import MASK, SECRET_KEYS, recent_log_text, redact

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.context import Engine

BUNDLE_FORMAT = 1
LOG_BYTES_PER_FILE = 256_000
_SECRET_FIELD = re.compile(
    "|".join(SECRET_KEYS) + r"|authorization|cookie|credential|private_?key", re.IGNORECASE)
# Hosts that name a service everyone uses, not the user's organization.
PUBLIC_HOSTS = (
    "login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn", "login.windows.net", "login.live.com",
    "microsoft.com", "microsoftonline.com", "localhost", "127.0.0.1", "::1",
)
ONLINE_SUFFIX = re.compile(
    r"^(?P<org>[^.]+)(?P<api>\.api)?(?P<suffix>\.(?:crm\d*\.dynamics\.com|crm\.dynamics\.cn|"
    r"crm\.microsoftdynamics\.us|crm\.appsplatform\.us))$", re.IGNORECASE)
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?![\w-])")
_URL_HOST = re.compile(r"(?i)\b(https?://(?:[^/\s@?#'\"<>]*@)?)(\[[0-9a-f:.]+\]|[\w.-]+)")
_TENANT_AFTER_AUTHORITY = re.compile(
    rf"(?i)(login\.[a-z0-9.-]+(?::\d+)?/|tenant[_ ]?id[\"']?\s*[:=]\s*[\"']?|tid[\"']?\s*:\s*[\"'])"
    rf"({_GUID})")


class DiagnosticsError(WizardError):
    code = "diagnostics_failed"


# -- anonymizing -------------------------------------------------------------------------------
class Anonymizer:
    """Stable placeholders for identities: the same value gets the same placeholder."""

    def __init__(self) -> None:
        self._ips: dict[str, str] = {}       # compressed IP -> documentation address
        self._ip_outputs: set[str] = set()
        self._map: dict[str, str] = {}       # casefolded value -> placeholder
        self._counters: dict[str, int] = {}
        self._pattern: re.Pattern[str] | None = None

    def placeholder(self, kind: str, value: str) -> str:
        key = value.casefold()
        if key not in self._map:
            n = self._counters[kind] = self._counters.get(kind, 0) + 1
            self._map[key] = {"user": f"user-{n}", "tenant": f"tenant-{n}",
                              "org": f"org-{n}", "host": f"host-{n}.example",
                              "name": f"Organization {n}", "id": f"id-{n}",
                              }.get(kind, f"{kind}-{n}")
            self._pattern = None
        return self._map[key]

    # Registration of what is known to be an identity -------------------------------------------
    def add_user(self, user: str | None) -> None:
        if not user:
            return
        ph = self.placeholder("user", user)
        if "\\" in user:
            domain, local = user.split("\\", 1)
            self._alias(local, ph)
            self._alias(f"{domain}\\\\{local}", ph)  # as written inside JSON strings
        elif "@" in user:
            self._alias(user.split("@", 1)[0], ph)

    def _alias(self, value: str, placeholder: str) -> None:
        if len(value) >= 3:
            self._map.setdefault(value.casefold(), placeholder)
            self._pattern = None

    def add_literal(self, value: str, replacement: str) -> None:
        """Replace ``value`` (e.g. the home folder, which names the OS account) verbatim."""
        if value and len(value) >= 3:
            self._map.setdefault(value.casefold(), replacement)
            self._pattern = None

    def add(self, kind: str, value: str | None) -> None:
        if value and len(value) >= 3:
            self.placeholder(kind, value)

    def add_url(self, url: str | None) -> None:
        if not url:
            return
        m = re.match(r"(?i)https?://(\[[0-9a-f:.]+\]|[^/:?#]+)(?::\d+)?(/[^/?#]+)?", url)
        if not m:
            return
        host, path = m.group(1), m.group(2)
        if _as_ip(host) is not None:
            self._ip(host, org=True)          # an org's address, even a loopback one
        else:
            self._host(host)
        if path and (not _is_public(host) or _as_ip(host) is not None) and len(path) > 3:
            self.placeholder("org", path.strip("/"))  # the on-premises org name

    def _ip(self, text: str, *, org: bool = False) -> str:
        """A documentation address (RFC 5737 / RFC 3849) for an IP address; loopback and
        unspecified addresses stay unless they are an org's address."""
        addr = _as_ip(text)
        if addr is None or text in self._ip_outputs:
            return text
        key = addr.compressed
        if key not in self._ips:
            if not org and (addr.is_loopback or addr.is_unspecified):
                return text
            n = len(self._ips) + 1
            self._ips[key] = (f"192.0.2.{n}" if n < 255 else f"198.51.100.{n % 254 + 1}") \
                if addr.version == 4 else f"2001:db8::{n:x}"
            self._ip_outputs.add(self._ips[key])
        out = self._ips[key]
        return f"[{out}]" if text.startswith("[") else out

    def _host(self, host: str) -> str:
        if _as_ip(host) is not None:
            return self._ip(host)
        if host == MASK or _is_public(host) or re.fullmatch(r"[\d.]+|\[?[0-9a-fA-F:]+\]?", host):
            return host
        online = ONLINE_SUFFIX.match(host)
        if online:
            org = self.placeholder("org", online.group("org"))
            full = f"{org}{online.group('api') or ''}{online.group('suffix')}"
            self._map.setdefault(host.casefold(), full)
            self._pattern = None
            return full
        return self.placeholder("host", host)

    # Applying -------------------------------------------------------------------------------------
    def text(self, text: str) -> str:
        if not text:
            return text
        text = _URL_HOST.sub(lambda m: m.group(1) + self._host(m.group(2)), text)
        text = _BARE_IP.sub(lambda m: self._ip(m.group(0)), text)
        text = _TENANT_AFTER_AUTHORITY.sub(
            lambda m: m.group(1) + self.placeholder("tenant", m.group(2)), text)
        text = _EMAIL.sub(lambda m: self.placeholder("user", m.group(0)), text)
        if self._map:
            if self._pattern is None:
                values = sorted(self._map, key=len, reverse=True)
                self._pattern = re.compile(
                    r"(?<![\w-])(?:" + "|".join(re.escape(v) for v in values) + r")(?![\w-])",
                    re.IGNORECASE)
            text = self._pattern.sub(lambda m: self._map[m.group(0).casefold()], text)
        return text

    def mapping_summary(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for ph in set(self._map.values()):
            kind = ph.split("-")[0] if "-" in ph else ph.split()[0].lower()
            out[kind] = out.get(kind, 0) + 1
        return out


_BARE_IP = re.compile(r"(?<![\w.:\[])(?:(?:\d{1,3}\.){3}\d{1,3}|(?:[0-9A-Fa-f]{0,4}:){2,7}"
                      r"[0-9A-Fa-f]{0,4})(?![\w.:\]])")


def _as_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:

    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _is_public(host: str) -> bool:
    h = host.lower().strip("[]")
    return any(h == p or h.endswith("." + p) for p in PUBLIC_HOSTS) or h.startswith("globaldisco.")


# -- scrubbing structures ------------------------------------------------------------------------
def scrub(value: Any, anonymizer: Anonymizer | None) -> Any:
    """Redact (and anonymize) every string in a JSON-able structure; secret keys masked."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = str(k)
            if _SECRET_FIELD.search(key) and v not in (None, "", False, [], {}) \
                    and not isinstance(v, bool):
                out[key] = MASK
            else:
                out[key] = scrub(v, anonymizer)
        return out
    if isinstance(value, (list, tuple)):
        return [scrub(v, anonymizer) for v in value]
    if isinstance(value, str):
        text = redact(value)
        return anonymizer.text(text) if anonymizer is not None else text
    return value


def scrub_text(text: str, anonymizer: Anonymizer | None) -> str:
    text = redact(text)
    return anonymizer.text(text) if anonymizer is not None else text


# -- the report -----------------------------------------------------------------------------------
@dataclass
class BundleReport:
    path: Path
    size: int
    files: list[str]
    include_identities: bool
    orgs: int
    connection_tests: int
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "size": self.size, "files": self.files,
                "include_identities": self.include_identities, "orgs": self.orgs,
                "connection_tests": self.connection_tests, "problems": self.problems}

    def text(self) -> str:
        who = ("with user names, tenant IDs and addresses (you agreed to include them)"
               if self.include_identities else
               "user names, tenant IDs and addresses replaced by placeholders")
        orgs = "1 organization" if self.orgs == 1 else f"{self.orgs} organizations"
        tests = "1 connection test" if self.connection_tests == 1 else f"{self.connection_tests} connection tests"
        lines = [f"Wrote {self.path} ({self.size // 1024 + 1} KB): {orgs}, {tests}, {who}.",
                 "Tokens, passwords, cookies and authorization headers were removed.",
                 "Send this file to your helpdesk."]
        lines += [f"note: {p}" for p in self.problems]
        return "\n".join(lines)


# -- building ---------------------------------------------------------------------------------------
def build_bundle(engine: "Engine", out_path: str | Path, *, include_identities: bool = False,
                 connection_results: dict[str, Iterable[Any]] | None = None,
                 run_connection_tests: bool = True,
                 progress: Callable[[str], None] | None = None) -> BundleReport:
    """Write the redacted diagnostics zip to ``out_path``.

    ``connection_results`` maps an org key (or display name) to the connection-test steps
    the caller already has (``StepResult`` objects or their dicts), e.g. the GUI's last
    test; other orgs are tested now (silently: no sign-in prompt) when
    ``run_connection_tests`` and the connection engine is available.
    """
    say = progress or (lambda _t: None)
    out = Path(out_path)
    problems: list[str] = []
    anonymizer = None if include_identities else Anonymizer()
    sections: dict[str, Any] = {}

    orgs = _section(problems, "organization list", lambda: engine.registry.list(), [])
    if anonymizer is not None:
        for home, placeholder in _home_paths(engine):
            anonymizer.add_literal(home, placeholder)
        for p in orgs:
            anonymizer.add_user(p.user)
            anonymizer.add("tenant", p.tenant_id)
            anonymizer.add_url(p.base_url)
            anonymizer.add_url(p.api_url)
            anonymizer.add("org", p.unique_name)
            anonymizer.add("name", p.display_name)
            anonymizer.add("id", p.org_id)
            anonymizer.add("id", p.user_id)
            for v in (p.extra or {}).values():
                if isinstance(v, str) and v.startswith("http"):
                    anonymizer.add_url(v)

    say("Collecting versions and settings ...")
    sections["environment.json"] = environment_info(engine)
    sections["keyring.json"] = _section(problems, "keyring", lambda: keyring_info(engine),
                                        {"error": "not available"})
    sections["organizations.json"] = {
        "count": len(orgs),
        "orgs": [_profile_dict(p) for p in orgs],
        "load_warning": _section(problems, "organization list warning",
                                 lambda: _str_or_none(engine.registry.load_warning), None),
    }
    sections["mailbox.json"] = _section(problems, "mailbox stamp", lambda: mailbox_info(engine),
                                        {"error": "not available"})
    sections["deployment.json"] = _section(problems, "deployment state",
                                           lambda: deployment_info(engine), {})

    tests: dict[str, Any] = {}
    given = connection_results or {}
    for p in orgs:
        steps = given.get(p.key, given.get(p.display_name))
        if steps is not None:
            tests[p.key] = {"org": p.display_name, "source": "provided",
                            "steps": [_step_dict(s) for s in steps]}
        elif run_connection_tests:
            say(f"Testing the connection to {p.display_name} ...")
            tests[p.key] = {"org": p.display_name, "source": "run for this bundle",
                            **run_connection_test(engine, p)}
    sections["connection-tests.json"] = {"orgs": tests, "ran": run_connection_tests}

    say("Collecting recent logs ...")
    logs = _section(problems, "logs", lambda: recent_log_text(engine.paths, LOG_BYTES_PER_FILE), {})

    manifest = {
        "bundle_format": BUNDLE_FORMAT,
        "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "include_identities": include_identities,
        "redaction": "tokens, passwords, cookies and authorization headers removed"
                     + ("" if include_identities else "; user names, tenant IDs, addresses, "
                        "org names and IDs replaced by placeholders"),
        "problems": problems,
    }
    files: dict[str, bytes] = {}
    for name, data in sections.items():
        files[name] = _json_bytes(scrub(data, anonymizer))
    for name, text in logs.items():
        files[f"logs/{name}"] = scrub_text(text, anonymizer).encode("utf-8")
    files["summary.txt"] = scrub_text(_summary(sections, tests, problems), anonymizer).encode()
    if anonymizer is not None:
        manifest["placeholders"] = anonymizer.mapping_summary()
    listed = sorted(files) + ["manifest.json"]
    manifest["files"] = listed
    files["manifest.json"] = _json_bytes(scrub(manifest, None))

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            zf.writestr(name, files[name])
    from wizard.engine.fileio import write_private

    write_private(out, buf.getvalue(), what="the diagnostics bundle")
    return BundleReport(out, out.stat().st_size, listed, include_identities,
                        len(orgs), sum(1 for t in tests.values() if t.get("steps")), problems)


def _home_paths(engine: "Engine") -> list[tuple[str, str]]:
    """The user's home folder and the app's home (``--home``), as written and as resolved,
    also JSON-escaped (Windows paths): they name the OS account."""
    out: list[tuple[str, str]] = []
    config = Path(engine.paths.config_dir)
    app_home = config.parent if config.name == "config" else None
    if app_home is not None and _under(app_home, Path.home()):
        app_home = None                     # "~/..." says enough
    for path, placeholder in ((app_home, "<d365-wizard home>"), (Path.home(), "~")):
        if path is None:
            continue
        for form in {str(path), os.path.realpath(path)}:
            if len(form) > 3:
                out.append((form, placeholder))
                out.append((json.dumps(form)[1:-1], placeholder))
    return out


def _under(path: Path, folder: Path) -> bool:
    for a in {path, Path(os.path.realpath(path))}:
        for b in {folder, Path(os.path.realpath(folder))}:
            if a == b or b in a.parents:
                return True
    return False


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


def _section(problems: list[str], what: str, fn: Callable[[], Any], default: Any) -> Any:
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - a bundle is most needed when things are broken
        problems.append(f"{what}: {redact(str(exc))}")
        return default


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _profile_dict(p: Any) -> dict[str, Any]:
    d: dict[str, Any] = p.to_dict()
    d["is_primary"] = p.is_primary
    return d


def _step_dict(step: Any) -> dict[str, Any]:
    if isinstance(step, dict):
        return dict(step)
    if hasattr(step, "to_dict"):
        d: dict[str, Any] = step.to_dict()
        return d
    return {"step": str(step)}


def run_connection_test(engine: "Engine", profile: Any) -> dict[str, Any]:
    try:
        from wizard.engine.connect import SignInOptions
        connector = engine.connector
    except (ImportError, AttributeError) as exc:
        return {"steps": [], "error": f"connection tests are not available in this build ({exc})"}
    steps: list[dict[str, Any]] = []
    try:
        for step in connector.test(profile, SignInOptions(method="silent")):
            steps.append(_step_dict(step))
    except Exception as exc:  # noqa: BLE001 - recorded in the bundle, never fatal
        return {"steps": steps, "error": f"{type(exc).__name__}: {exc}"}
    return {"steps": steps}


# -- the sections -----------------------------------------------------------------------------------
def _dist_version(*names: str) -> str | None:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def environment_info(engine: "Engine") -> dict[str, Any]:
    from wizard import __version__
    from wizard.engine.http import environment_ca_variables

    proxies = {k: redact(v) for k, v in os.environ.items()
               if k.lower() in ("http_proxy", "https_proxy", "no_proxy", "all_proxy")}
    return {
        "app": {"name": "d365-wizard", "version": __version__,
                "frozen": bool(getattr(sys, "frozen", False)), "executable": sys.executable},
        "os": {"system": platform.system(), "release": platform.release(),
               "version": platform.version(), "platform": platform.platform(),
               "machine": platform.machine()},
        "python": {"version": sys.version.split()[0], "implementation":
                   platform.python_implementation()},
        "libraries": {
            "PySide6": _dist_version("PySide6-Essentials", "PySide6"),
            "Qt": _qt_version(),
            "msal": _dist_version("msal"), "keyring": _dist_version("keyring"),
            "requests": _dist_version("requests"), "platformdirs": _dist_version("platformdirs"),
            "cryptography": _dist_version("cryptography"), "pyspnego": _dist_version("pyspnego"),
            "truststore": _dist_version("truststore"),
        },
        "paths": {"config": str(engine.paths.config_dir), "data": str(engine.paths.data_dir),
                  "logs": str(engine.paths.log_dir),
                  "site_deployment_file": str(engine.paths.site_deployment_file),
                  "home_override": bool(os.environ.get("D365_WIZARD_HOME"))},
        "network": {"proxy_variables": proxies,
                    "ca_bundle_variables_set": sorted(environment_ca_variables()),
                    "ca_environment": environment_ca_variables(),
                    "trust": "operating system verifier (truststore) plus extra CA bundles",
                    "extra_ca_bundle": engine.ca_bundle},
        "clouds": {name: {"builtin": c.builtin, "authority_host": c.authority_host,
                          "discovery_url": c.discovery_url}
                   for name, c in engine.custom_clouds.items()},
        "locale": os.environ.get("LANG") or os.environ.get("LC_ALL"),
    }


def _qt_version() -> str | None:
    """Qt's version if the GUI already loaded it (the engine never imports Qt itself)."""
    core = sys.modules.get("PySide6.QtCore")
    if core is not None:
        try:
            return str(core.qVersion())
        except Exception:  # noqa: BLE001 - best effort: a failure here is reported elsewhere or harmless
            return None
    return None


def keyring_info(engine: "Engine") -> dict[str, Any]:
    from wizard.engine.secrets import ALLOW_ENV, allowed_by_setting, trust_reason

    store = engine.secrets
    backend = getattr(store, "backend_name", type(store).__name__)
    available = getattr(store, "available", None)
    return {"available": available, "backend": backend,
            "unavailable_reason": getattr(store, "unavailable_reason", None),
            "trusted_because": trust_reason(backend) if available else None,
            "policy": "known secure keyrings only; another backend only when named in "
                      f"{ALLOW_ENV}",
            "allowed_by_setting": allowed_by_setting()}


def mailbox_info(engine: "Engine") -> dict[str, Any]:
    stamp = engine.mailbox.stamp()
    return {"stamp": stamp.to_dict() if stamp else None,
            "last_sync": (stamp.to_dict().get("last_sync") if stamp else None)}


def deployment_info(engine: "Engine") -> dict[str, Any]:
    from wizard.engine.deploy import deployed_cloud_files, read_state

    state = read_state(engine.paths)
    site = engine.paths.site_deployment_file
    return {"site_file_present": site.is_file(), "site_applied": state.get("site"),
            "pending_discovery": state.get("pending", []),
            "deployed_clouds": [p.name for p in deployed_cloud_files(engine.paths)]}


def _summary(sections: dict[str, Any], tests: dict[str, Any], problems: list[str]) -> str:
    env = sections["environment.json"]
    lines = [
        "d365-wizard diagnostics bundle",
        f"App {env['app']['version']} on {env['os']['platform']}, Python "
        f"{env['python']['version']}",
        f"Keyring: {sections['keyring.json']}",
        "",
        "Organizations:",
    ]
    for p in sections["organizations.json"]["orgs"]:
        mark = "*" if p.get("is_primary") else " "
        lines.append(f" {mark} {p.get('display_name')} ({p.get('kind')}, {p.get('base_url')}, "
                     f"sign-in: {p.get('auth_method')})")
    stamp = (sections["mailbox.json"] or {}).get("stamp")
    lines += ["", f"Mailbox stamp: {stamp}", "", "Connection tests:"]
    for t in tests.values():
        lines.append(f"  {t.get('org')}:")
        for s in t.get("steps", []):
            lines.append(f"    [{s.get('status')}] {s.get('title') or s.get('name')}: "
                         f"{s.get('message')}" + (f" Fix: {s['fix']}" if s.get("fix") else ""))
        if t.get("error"):
            lines.append(f"    (not run: {t['error']})")
    if problems:
        lines += ["", "Problems while collecting:"] + [f"  {p}" for p in problems]
    return "\n".join(lines) + "\n"
