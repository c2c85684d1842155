"""Keep me connected: the engine's schedule decision, the stored interval, the deployment
file's ``keep_connected_minutes`` and ``d365-orgs keep-connected``."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from wizard.engine import keepalive
from wizard.engine.context import Engine
from wizard.engine.deploy import DeploymentError, apply_deployment, export_deployment
from wizard.engine.orgs import SYNC_MAILBOX, OrgProfile
from wizard.engine.paths import AppPaths
from wizard.engine.storage import SchemaError

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


def _orgs():
    return [OrgProfile("https://a.crm.dynamics.com", "A", key="a", sync_method=SYNC_MAILBOX),
            OrgProfile("https://b.crm.dynamics.com", "B", key="b"),
            OrgProfile("https://c.crm.dynamics.com", "C", key="c", keep_connected=False)]


def test_nothing_is_due_before_the_interval_has_passed():
    work = keepalive.due_work(_orgs(), connected={"a", "b", "c"}, minutes=15,
                              last_round=NOW - timedelta(minutes=14, seconds=59), now=NOW)
    assert not work and work == keepalive.BackgroundWork()


def test_after_the_interval_connected_orgs_refresh_and_the_synchronizing_org_syncs():
    work = keepalive.due_work(_orgs(), connected={"a", "b", "c"}, minutes=15,
                              last_round=NOW - timedelta(minutes=15), now=NOW)
    assert work.refresh == ("a", "b") and work.sync == "a"


def test_off_not_connected_busy_and_server_side_orgs_are_left_alone():
    orgs = _orgs()
    work = keepalive.due_work(orgs, connected={"b"}, minutes=1, last_round=None, now=NOW)
    assert work.refresh == ("b",) and work.sync is None       # a needs sign-in; c is off
    assert keepalive.due_work(orgs, connected={"a"}, minutes=1, last_round=None, now=NOW,
                              busy=True) == keepalive.BackgroundWork(("a",), None)
    orgs[0].sync_via = "server"                               # Dynamics 365 syncs it, not us
    assert keepalive.due_work(orgs, connected={"a"}, minutes=1, last_round=None, now=NOW).sync is None
    for p in orgs:
        p.keep_connected = False
    assert not keepalive.is_active(orgs)
    assert not keepalive.due_work(orgs, connected={"a", "b", "c"}, minutes=1, last_round=None, now=NOW)


@pytest.mark.parametrize("value", [0, 1441, -5, 1.5, True, None, "15", "x"])
def test_file_intervals_must_be_whole_minutes_in_range(value):
    with pytest.raises(keepalive.InvalidInterval) as info:
        keepalive.check_minutes(value, text=False)
    assert info.value.code == "invalid_interval" and "1440" in info.value.message


def test_the_command_line_may_type_digits():
    assert keepalive.check_minutes(" 30 ") == 30
    with pytest.raises(keepalive.InvalidInterval):
        keepalive.check_minutes("0")


def test_the_registry_keeps_the_interval_and_refuses_a_damaged_one(wizard_home):
    from wizard.engine.orgs import check_registry_state

    registry = Engine(AppPaths.resolve(wizard_home), secret_store=_Secrets()).registry
    assert registry.keep_connected_minutes() == keepalive.DEFAULT_MINUTES
    assert registry.set_keep_connected_minutes(45) == 45
    again = Engine(AppPaths.resolve(wizard_home), secret_store=_Secrets()).registry
    assert again.keep_connected_minutes() == 45
    with pytest.raises(keepalive.InvalidInterval):
        registry.set_keep_connected_minutes(0)
    assert registry.keep_connected_minutes() == 45
    with pytest.raises(SchemaError):
        check_registry_state({"orgs": [], "settings": {"keep_connected_minutes": "45"}})
    with pytest.raises(SchemaError):
        check_registry_state({"orgs": [], "settings": []})


class _Secrets:
    available = True
    backend_name = "test"

    def delete_org(self, key):
        pass


def test_the_deployment_file_sets_and_exports_the_interval(wizard_home, tmp_path):
    engine = Engine(AppPaths.resolve(wizard_home), secret_store=_Secrets())
    path = tmp_path / "deploy.json"
    path.write_text(json.dumps({"schema_version": 1, "keep_connected_minutes": 30, "orgs": [
        {"url": "https://contoso.crm.dynamics.com", "keep_connected": False}]}))
    report = apply_deployment(engine, path)
    assert report.keep_connected_minutes == 30 and "every 30 minutes" in report.text()
    assert engine.registry.keep_connected_minutes() == 30
    assert engine.registry.list()[0].keep_connected is False
    again = apply_deployment(engine, path)
    assert again.keep_connected_minutes is None and not again.changed
    exported = export_deployment(engine)
    assert exported["keep_connected_minutes"] == 30
    assert exported["orgs"][0]["keep_connected"] is False


@pytest.mark.parametrize("value", [0, "15", 2000, True])
def test_the_deployment_file_refuses_a_bad_interval_and_changes_nothing(wizard_home, tmp_path, value):
    engine = Engine(AppPaths.resolve(wizard_home), secret_store=_Secrets())
    path = tmp_path / "deploy.json"
    path.write_text(json.dumps({"schema_version": 1, "keep_connected_minutes": value,
                                "orgs": [{"url": "https://contoso.crm.dynamics.com"}]}))
    with pytest.raises(DeploymentError) as info:
        apply_deployment(engine, path)
    assert "keep_connected_minutes" in str(info.value)
    assert engine.registry.list() == [] and engine.registry.keep_connected_minutes() == 15


def _cli(*argv):
    from wizard.cli import build_parser
    from wizard.cli.base import CliContext, run_handler

    args = build_parser().parse_args(list(argv))
    ctx = CliContext.from_args(args)
    ctx.stdin, ctx.stdout, ctx.stderr = io.StringIO(), io.StringIO(), io.StringIO()
    code = run_handler(ctx, args)
    return code, ctx.stdout.getvalue(), ctx.stderr.getvalue()


def test_the_cli_shows_and_sets_keep_connected(wizard_home):
    assert _cli("add", "https://contoso.crm.dynamics.com", "--no-connect")[0] == 0
    code, out, _ = _cli("keep-connected")
    assert code == 0 and "Every 15 minutes" in out and "1. “contoso”: on" in out
    code, out, _ = _cli("keep-connected", "1", "off", "--every", "60")
    assert code == 0 and "every 60 minutes" in out and "may be slower" in out
    data = json.loads(_cli("keep-connected", "--json")[1])
    assert data["minutes"] == 60 and data["orgs"][0]["keep_connected"] is False
    code, out, err = _cli("keep-connected", "--every", "0", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "invalid_interval"
    assert _cli("keep-connected", "1")[0] == 1           # on or off is missing
