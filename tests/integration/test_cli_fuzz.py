"""A hypothesis fuzz test over every ``d365-orgs`` subcommand's arguments and input files.

The argument grammar is read from the real parser (every subcommand, every option), and
values are drawn from plausible ones and hostile ones: input files that are FIFOs,
``/dev/zero``, folders, too large, too deep, not UTF-8 or with duplicate keys; text with
control characters, percent-encoded line breaks, lone surrogates (arguments that were not
UTF-8), empty and over-long names; negative, NaN and huge numbers. For every run:

- no traceback is printed, and ``main`` returns a status (nothing escapes);
- with ``--json``, a failure prints the JSON error object (``{"error": {"code",
  "message"}}``);
- a value that must be refused (a hostile input file, a non-text argument, a negative
  duration, an empty output name) gives a non-zero status;
- after any failure the configuration (every file under config/), the mailbox's items and
  stamp, and the keyring are exactly as before.

In-process and bounded: the network is switched off (name lookups fail at once, no browser
opens), commands that serve until stopped (``sandbox serve``, a practice run) are left
out, and every example starts from a copy of one prepared home.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import socket
import sqlite3
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wizard.engine.secrets as secrets_module
from wizard.cli import build_parser, main
from wizard.engine.logs import shutdown_logging
from wizard.engine.mailstore import SqliteMailStore
from wizard.engine.orgs import OrgProfile
from wizard.engine.paths import AppPaths
from wizard.engine.secrets import MemorySecretStore, org_secret_key

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="FIFOs")]

COMMON = {"help", "json", "home", "cloud_file", "ca_bundle", "verbose", "version"}
LEFT_OUT = {("sandbox", "serve")}          # serves until stopped; tested on its own


def _leaves(parser, path=()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for name, sub in subs[0].choices.items():
        yield from _leaves(sub, (*path, name))


LEAVES = [(p, parser) for p, parser in _leaves(build_parser()) if p not in LEFT_OUT]


# -- the prepared world --------------------------------------------------------------------
class World:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.template = base / "template"
        self.files = base / "inputs"
        self.files.mkdir(parents=True)
        self._inputs()
        self._home()

    def _inputs(self) -> None:
        f = self.files
        os.mkfifo(f / "fifo.json")
        (f / "folder").mkdir()
        (f / "deep.json").write_text('{"schema_version": 1, "orgs": ' + "[" * 3000
                                     + "]" * 3000 + "}")
        (f / "notutf8.json").write_bytes(b'{"schema_version": 1, "orgs": [{"url": "\xff"}]}')
        (f / "dupkey.json").write_text('{"schema_version": 1, "replace": false, '
                                       '"replace": true, "orgs": []}')
        with open(f / "huge.json", "wb") as fh:            # sparse: 200 MB, no disk used
            fh.truncate(200_000_000)
        (f / "badguid.json").write_text(json.dumps({"schema_version": 1, "replace": True,
                                                    "orgs": [{"url": "https://x.crm.dynamics.com"},
                                                             {"url": "https://y.crm.dynamics.com",
                                                              "org_id": "not-a-guid"}]}))
        (f / "good.json").write_text(json.dumps({"schema_version": 1, "orgs": [
            {"url": "https://fabrikam.crm4.dynamics.com", "display_name": "Fabrikam"}]}))
        (f / "secret-cloud.json").write_text(json.dumps({
            "name": "sov", "authority": "https://127.0.0.1:9/t", "discovery_url":
            "https://127.0.0.1:9", "client_secret": "s3cr3t-s3cr3t"}))
        (f / "cloud.json").write_text(json.dumps({
            "name": "sov", "authority": "https://127.0.0.1:9/t",
            "discovery_url": "https://127.0.0.1:9", "org_hosts": {"127.0.0.1:9": {}}}))
        (f / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\nnot a cert\n"
                                  "-----END CERTIFICATE-----\n")

    def _home(self) -> None:
        paths = AppPaths.resolve(self.template).ensure()
        registry = _registry(paths)
        a, _ = registry.add(OrgProfile(base_url="https://contoso.crm4.dynamics.com",
                                       display_name="Contoso Sales", unique_name="contoso",
                                       org_id="aaaaaaaa-0000-4000-8000-000000000001"))
        registry.add(OrgProfile(base_url="https://crm.contoso.local/onprem", kind="onprem",
                                display_name="On-Prem", unique_name="onprem",
                                auth_method="ntlm", user="CONTOSO\\alice"))
        registry.mailbox.claim(a.org_id, a.display_name)
        with SqliteMailStore(paths.mailbox_db) as store:
            store.add("contact", {"first_name": "Ann", "last_name": "Lee"}, tracked=True)
            store.add("appointment", {"subject": "Review", "start": "2026-05-01T09:00:00Z"})
            store.add("task", {"subject": "Call back", "priority": "high"})
        self.keys = [p.key for p in registry.list()]
        from cryptography.fernet import Fernet

        self.cache_key = Fernet.generate_key().decode("ascii")

    def fresh_home(self, n: int) -> Path:
        home = self.base / f"run-{n}"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(self.template, home)
        return home

    def keyring(self) -> dict[str, str]:
        # with the token cache's key already there (made once, on first use, otherwise)
        return {**{org_secret_key(k, "password"): f"pw-{k}" for k in self.keys},
                "token-cache-key": self.cache_key}


def _registry(paths):
    from wizard.engine.orgs import OrgRegistry
    from wizard.engine.stamp import MailboxStore

    return OrgRegistry(paths.registry_file, secrets=MemorySecretStore(),
                       mailbox=MailboxStore(paths.mailbox_db))


def recorded_incomplete_switch(state: dict) -> bool:
    """The registry holds the journal of a switch left incomplete (and says so)."""
    raw = state["config"].get("config/organizations.json")
    journal = json.loads(raw).get("switch") if raw else None
    return isinstance(journal, dict) and journal.get("phase") == "incomplete"


def snapshot(home: Path, store: MemorySecretStore) -> dict:
    paths = AppPaths.resolve(home)
    config = {}
    for p in sorted(paths.config_dir.rglob("*")):
        if p.is_file() and not p.name.endswith(".lock"):
            config[str(p.relative_to(home))] = p.read_bytes()
    rows = stamp = None
    if paths.mailbox_db.is_file() and paths.mailbox_db.stat().st_size:
        with sqlite3.connect(paths.mailbox_db) as conn:
            rows = conn.execute("SELECT local_id, data, tracked, change_counter FROM mail_items"
                                " ORDER BY local_id").fetchall()
            stamp = conn.execute("SELECT org_id, org_name, last_sync FROM stamp").fetchall()
        conn.close()
    return {"config": config, "rows": rows, "stamp": stamp, "keyring": dict(store.items)}


# -- values ----------------------------------------------------------------------------------
HOSTILE_FILES = ["fifo.json", "/dev/zero", "folder", "deep.json", "notutf8.json",
                 "dupkey.json", "huge.json", "badguid.json", "secret-cloud.json"]
control_text = st.text(alphabet=st.sampled_from(list(string.ascii_letters + "-_ ./:%")
                                                + ["\n", "\t", "\x7f", "\u2028", "\u200b"]),
                       max_size=30)
hostile_text = st.one_of(
    st.sampled_from(["", " ", "-", "--", "%0A", "x" * 5000, "\udcff\udcfe", "a\x00b",
                     "../../etc/passwd", "-1", "nan", "1e309", "🙂" * 10]),
    control_text)
plausible = {
    "org": st.sampled_from(["1", "2", "3", "Contoso Sales", "contoso", "onprem", "nosuch",
                            "https://contoso.crm4.dynamics.com", "0", "-1"]),
    "url": st.sampled_from(["https://fabrikam.crm4.dynamics.com", "http://crmserver/contoso",
                            "https://contoso.crm4.dynamics.com/main.aspx?appid=1",
                            "http://crmserver/contoso%0A", "https://127.0.0.1:9",
                            "https://x:pw@contoso.crm.dynamics.com", "not a url"]),
    "text": st.sampled_from(["https://contoso.crm.dynamics.com", "contoso", ""]),
    "name": st.sampled_from(["New Name", "Contoso Sales", "12345", "x" * 101, "Two\nLines"]),
    "set": st.sampled_from(["first_name=-1", "first_name=Ann", "start=2026-13-01T00:00:00Z",
                            "start=2026-05-01T10:00:00+01:00", "frist_name=x", "=x", "x",
                            "percent_complete=150", "subject=[1,2]", 'first_name="-1"',
                            "birthday=1980-02-30", "to=[\"a@b.c\"]", "required_attendees=5"]),
    "number": st.sampled_from(["-5", "0", "3", "nan", "inf", "1e9", "x", "-0.5"]),
    "user": st.sampled_from(["alice@contoso.example", "CONTOSO\\alice", ""]),
    "cloud": st.sampled_from(["commercial", "gcchigh", "sov", "nosuch"]),
    "spec": st.sampled_from(["unknown_ca", "throttle=-5", "latency=nan", "gremlins",
                             "server_error=200"]),
    "choice_bad": st.sampled_from(["attic", "ON", "maybe"]),
}


def _kind(action: argparse.Action) -> str:
    meta = (action.metavar or "").upper()
    dest = action.dest
    if dest in ("out", "bundle"):
        return "out"
    if meta.startswith("FILE") or dest in ("file",):
        return "in_file"
    if dest == "data":
        return "dir"
    if dest in ("org", "item"):
        return "org" if dest == "org" else "item"
    if dest == "url":
        return "url"
    if dest == "text":
        return "text"
    if dest in ("name", "unique_name", "pick") and not action.choices:
        return "name"
    if dest in ("set", "unset"):
        return "set"
    if dest == "target":
        return "target"
    if dest in ("port", "contacts", "token_lifetime", "refresh_lifetime", "duration", "wait"):
        return "number"
    if dest == "user":
        return "user"
    if dest == "cloud":
        return "cloud"
    if dest in ("specs", "fault", "clear"):
        return "spec"
    return "text"


@st.composite
def value_for(draw, action: argparse.Action, world: World, bad: list[str]) -> str:
    if action.choices and draw(st.integers(0, 4)):
        return draw(st.sampled_from(list(action.choices)))
    kind = _kind(action)
    roll = draw(st.integers(0, 9))
    if kind == "in_file":
        name = draw(st.sampled_from(HOSTILE_FILES + ["good.json", "cloud.json"]))
        if name in HOSTILE_FILES:
            bad.append(f"hostile input file {name}")
        return name if name.startswith("/") else str(world.files / name)
    if kind == "out":
        choice = draw(st.sampled_from(["ok", "empty", "folder", "long", "blank"]))
        if choice != "ok":
            bad.append(f"bad output name ({choice})")
        return {"ok": str(world.base / "out" / "x.zip"), "empty": "", "blank": "  ",
                "folder": str(world.files / "folder"), "long": "y" * 300 + ".zip"}[choice]
    if kind == "dir":
        return str(world.base / "sandbox-data")
    if kind == "target":
        name = draw(st.sampled_from(["vdir", "fifo.json", "folder", "https://127.0.0.1:9/dav/",
                                     "http://[::1]:9/x", "relative/vdir"]))
        return name if "://" in name or name.startswith("relative") else str(world.files / name)
    if kind == "item":
        return draw(st.sampled_from(["0", "ffff", "", "a" * 40]))
    if roll == 0:
        value = draw(hostile_text)
        if "\udcff" in value or "\x00" in value:
            bad.append("argument that is not text")
        return value
    if kind == "number":
        value = draw(plausible["number"])
        if value.startswith("-") or value in ("nan", "inf", "x"):
            bad.append(f"bad number {value}")
        return value
    return draw(plausible.get(kind, plausible["text"]))


@st.composite
def command_line(draw, world: World):
    path, parser = draw(st.sampled_from(LEAVES))
    bad: list[str] = []
    argv: list[str] = list(path)
    if path == ("practice",):
        argv += draw(st.sampled_from([["--list"], ["--list", "--solution"],
                                      ["nosuch-scenario"], ["--duration", "-1"]]))
        if "-1" in argv:
            bad.append("negative duration")
        return argv, bad, draw(st.booleans())
    for action in parser._actions:
        if action.dest in COMMON or action.dest == "help":
            continue
        positional = not action.option_strings
        if positional:
            if action.nargs in ("?", "*") and not draw(st.integers(0, 2)):
                continue
            argv.append(draw(value_for(action, world, bad)))
            continue
        if not draw(st.integers(0, 2)):          # most options are left out
            continue
        argv.append(draw(st.sampled_from(action.option_strings)))
        if action.nargs != 0:
            argv.append(draw(value_for(action, world, bad)))
    if draw(st.integers(0, 5)) == 0:            # a common input file, hostile or not
        option = draw(st.sampled_from(["--cloud-file", "--ca-bundle"]))
        name = draw(st.sampled_from(HOSTILE_FILES[:7] + ["cloud.json"]))
        argv[:0] = [option, name if name.startswith("/") else str(world.files / name)]
        if name != "cloud.json" and option == "--cloud-file":
            bad.append(f"hostile cloud file {name}")
    return argv, bad, draw(st.booleans())


# -- the test ----------------------------------------------------------------------------------
@pytest.fixture
def world(tmp_path_factory, monkeypatch):
    world = World(tmp_path_factory.mktemp("fuzz"))

    def no_network(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "name lookups are off in this test")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection",
                        lambda *a, **k: (_ for _ in ()).throw(ConnectionRefusedError(111, "off")))
    monkeypatch.setattr("webbrowser.open", lambda *a, **k: False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    cwd = world.base / "cwd" / "deep"       # relative paths (../../x) stay inside the test
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    yield world
    shutdown_logging()


RUN = [0]


@settings(max_examples=500, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_no_traceback_json_errors_and_nothing_changed_on_failure(world, monkeypatch, capsys,
                                                                 data):
    argv, bad, json_mode = data.draw(command_line(world))
    RUN[0] += 1
    home = world.fresh_home(RUN[0] % 3)
    store = MemorySecretStore(world.keyring())
    monkeypatch.setattr(secrets_module, "open_secret_store", lambda *a, **k: store)
    monkeypatch.setenv("D365_WIZARD_HOME", str(home))
    monkeypatch.setattr("sys.stdin", io.StringIO("a-password\n"))
    before = snapshot(home, store)
    full = (["--json"] if json_mode else []) + argv
    code = main(full)
    out, err = capsys.readouterr()
    shutdown_logging()
    assert isinstance(code, int), full
    assert "Traceback" not in out + err, (full, out, err)
    if bad:
        assert code != 0, (full, bad, out, err)
    if code != 0:
        if json_mode and "--help" not in full:
            body = json.loads(out.strip().splitlines()[-1] if out.strip().startswith("{\"")
                              else out)
            assert isinstance(body, dict) and "error" in body, (full, out)
            assert {"code", "message"} <= set(body["error"]), (full, out)
            assert body["error"]["message"], (full, out)
        after = snapshot(home, store)
        if argv[0] == "use" and recorded_incomplete_switch(after):
            return  # issue 13: a switch that reached only some orgs is recorded, to be finished
        assert after == before, (full, out, err)
