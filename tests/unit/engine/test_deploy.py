"""Silent deployment: idempotence, conflicts, --replace, the machine-wide file, no secrets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.engine.context import Engine
from wizard.engine.deploy import (
    DeploymentContainsSecret,
    DeploymentError,
    apply_deployment,
    apply_site_deployment,
    export_deployment,
    pending_orgs,
    resolve_pending,
)
from wizard.engine.orgs import OrgProfile
from wizard.engine.paths import AppPaths

NA = "https://contoso.crm.dynamics.com"
EU = "https://contosoeu.crm4.dynamics.com"
ONPREM = "https://crm.contoso.local/contoso"


class FakeSecrets:
    """The registry deletes an org's keyring entries on removal; we only record that."""

    available = True
    backend_name = "test"

    def __init__(self):
        self.deleted: list[str] = []

    def delete_org(self, key):
        self.deleted.append(key)


@pytest.fixture
def engine(wizard_home):
    return Engine(AppPaths.resolve(wizard_home), secret_store=FakeSecrets())


def write(tmp_path, data, name="deploy.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def standard(tmp_path):
    return write(tmp_path, {"schema_version": 1, "orgs": [
        {"url": EU, "display_name": "Contoso Europe"},
        {"url": NA + "/main.aspx?appid=123&pagetype=dashboard", "display_name": "Contoso Sales",
         "primary": True},
        {"url": ONPREM, "display_name": "Contoso On-Premises"},
    ]})


def test_fresh_machine_gets_every_org_and_the_primary(engine, tmp_path):
    report = apply_deployment(engine, standard(tmp_path))
    orgs = engine.registry.list()
    assert [o.display_name for o in orgs] == ["Contoso Sales", "Contoso Europe",
                                              "Contoso On-Premises"]
    assert [o.base_url for o in orgs] == [NA, EU, ONPREM]
    assert all(o.auth_method == "unknown" and o.user is None for o in orgs)
    assert engine.registry.primary().display_name == "Contoso Sales"
    assert report.primary == "Contoso Sales"
    assert report.count("added") == 3
    assert [o.kind for o in orgs] == ["online", "online", "onprem"]
    assert orgs[1].region == "EUR"


def test_reapplying_is_idempotent(engine, tmp_path):
    path = standard(tmp_path)
    apply_deployment(engine, path)
    before = engine.paths.registry_file.read_bytes()
    report = apply_deployment(engine, path)
    assert report.count("unchanged") == 3 and not report.changed
    assert engine.paths.registry_file.read_bytes() == before


def test_org_already_present_under_another_name_keeps_the_users_name(engine, tmp_path):
    engine.registry.add(OrgProfile(base_url=EU, display_name="My EU org"))
    report = apply_deployment(engine, standard(tmp_path))
    eu = engine.registry.get(EU)
    assert eu.display_name == "My EU org"
    outcome = next(o for o in report.outcomes if o.key == eu.key)
    assert outcome.kept_user_name == "Contoso Europe"
    assert "kept" in " ".join(outcome.notes)
    assert len(engine.registry.list()) == 3
    # The user's existing org was primary (first added); the file's primary is not forced.
    assert engine.registry.primary().display_name == "My EU org"
    assert "never done silently" in report.primary_note
    # and a second run says the same without changing anything
    again = apply_deployment(engine, standard(tmp_path))
    assert not again.changed
    assert next(o for o in again.outcomes if o.key == eu.key).kept_user_name == "Contoso Europe"


def test_user_rename_after_deployment_survives_reapplying(engine, tmp_path):
    path = standard(tmp_path)
    apply_deployment(engine, path)
    engine.registry.rename(NA, "Sales (mine)")
    apply_deployment(engine, path)
    assert engine.registry.get(NA).display_name == "Sales (mine)"


def test_name_used_by_another_org_is_reported(engine, tmp_path):
    engine.registry.add(OrgProfile(base_url="https://other.crm.dynamics.com",
                                   display_name="Contoso Europe"))
    report = apply_deployment(engine, standard(tmp_path))
    outcome = next(o for o in report.outcomes if o.entry.startswith("“Contoso Europe”"))
    assert outcome.name_taken == "Contoso Europe"
    assert engine.registry.get(EU).display_name != "Contoso Europe"


def test_replace_removes_unlisted_orgs_and_says_so_for_the_primary(engine, tmp_path):
    engine.registry.add(OrgProfile(base_url="https://old.crm.dynamics.com", display_name="Old"))
    engine.registry.add(OrgProfile(base_url="https://other.crm.dynamics.com", display_name="Other"))
    assert engine.registry.primary().display_name == "Old"
    report = apply_deployment(engine, standard(tmp_path), replace=True)
    names = [o.display_name for o in engine.registry.list()]
    assert "Old" not in names and "Other" not in names and len(names) == 3
    assert report.count("removed") == 2
    assert report.removed_primary and "Old" in report.removed_primary
    assert "WARNING: Old was your synchronizing organization" in report.text()
    assert len(engine.secrets.deleted) == 2  # their keyring entries went with them
    # the registry became empty first, so the file's primary synchronizes now
    assert engine.registry.primary().display_name == "Contoso Sales"


def test_without_replace_nothing_is_removed(engine, tmp_path):
    engine.registry.add(OrgProfile(base_url="https://old.crm.dynamics.com", display_name="Old"))
    apply_deployment(engine, standard(tmp_path))
    assert "Old" in [o.display_name for o in engine.registry.list()]


@pytest.mark.parametrize("data, where", [
    ({"schema_version": 1, "orgs": [{"url": NA, "password": "hunter2"}]}, "orgs[0].password"),
    ({"schema_version": 1, "orgs": [{"url": NA}], "client_secret": "x"}, "client_secret"),
    ({"schema_version": 1, "orgs": [{"url": NA, "comment": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2ln"}]},
     "orgs[0].comment"),
    ({"schema_version": 1, "orgs": [{"url": "https://bob:pw@crm.contoso.local/contoso"}]},
     "orgs[0].url"),
    ({"schema_version": 1, "orgs": [{"url": NA, "refresh_token": "0.AAA"}]}, "refresh_token"),
])
def test_secrets_refuse_the_whole_file(engine, tmp_path, data, where):
    with pytest.raises(DeploymentContainsSecret) as exc:
        apply_deployment(engine, write(tmp_path, data))
    assert where in str(exc.value) and "never carry secrets" in str(exc.value)
    assert "hunter2" not in str(exc.value)
    assert engine.registry.list() == []


@pytest.mark.parametrize("data, words", [
    ("{not json", "not valid JSON"),
    ({"orgs": []}, "schema_version"),
    ({"schema_version": 9, "orgs": []}, "format 9"),
    ({"schema_version": 1, "orgs": [{"url": NA, "primery": True}]}, "has an unknown key primery"),
    ({"schema_version": 1, "orgs": [{"url": NA, "primary": True},
                                    {"url": EU, "primary": True}]}, "2 orgs as primary"),
    ({"schema_version": 1, "orgs": [{"url": NA}, {"url": NA + "/"}]}, "same org twice"),
    ({"schema_version": 1, "orgs": [{"url": "https://admin.powerplatform.microsoft.com"}]},
     "org 1"),
    ({"schema_version": 1, "orgs": [{"display_name": "x"}]}, "needs a \"url\""),
    ({"schema_version": 1, "orgs": [{"unique_name": "x", "cloud": "moon"}]}, "unknown cloud"),
])
def test_bad_files_change_nothing_and_say_why(engine, tmp_path, data, words):
    engine.registry.add(OrgProfile(base_url=NA, display_name="Mine"))
    before = engine.paths.registry_file.read_bytes()
    with pytest.raises(DeploymentError) as exc:
        apply_deployment(engine, write(tmp_path, data))
    assert words in str(exc.value)
    assert engine.paths.registry_file.read_bytes() == before


def test_discovery_entries_wait_for_sign_in(engine, tmp_path):
    path = write(tmp_path, {"schema_version": 1, "orgs": [
        {"cloud": "gcchigh", "unique_name": "contosogov", "display_name": "Contoso Gov",
         "primary": True}]})
    report = apply_deployment(engine, path)
    assert report.count("pending") == 1 and engine.registry.list() == []
    assert apply_deployment(engine, path).count("pending") == 1
    assert len(pending_orgs(engine)) == 1  # not duplicated by re-applying
    resolved = resolve_pending(engine, "gcchigh", [
        {"UniqueName": "contosogov", "Url": "https://contosogov.crm.microsoftdynamics.us",
         "Id": "a1b2c3d4-0009-4000-8000-000000000009"},
        {"UniqueName": "unrelated", "Url": "https://unrelated.crm.microsoftdynamics.us"}])
    assert resolved.count("added") == 1
    org = engine.registry.get("Contoso Gov")
    assert org.cloud == "gcchigh" and org.unique_name == "contosogov" and org.is_primary
    assert pending_orgs(engine) == []
    # once present, the same discovery entry matches it by cloud and unique name
    assert apply_deployment(engine, path).count("unchanged") == 1


def test_site_file_is_applied_once_until_it_changes(engine, tmp_path):
    site = engine.paths.site_deployment_file
    assert site == engine.paths.site_config_dir / "deployment.json"
    assert apply_site_deployment(engine) is None
    site.parent.mkdir(parents=True)
    site.write_text(json.dumps({"schema_version": 1, "orgs": [{"url": NA, "primary": True}]}))
    first = apply_site_deployment(engine)
    assert first.count("added") == 1 and not first.skipped
    engine.registry.remove(NA)                    # the user removes it ...
    assert apply_site_deployment(engine).skipped  # ... and it does not come back
    assert engine.registry.list() == []
    site.write_text(json.dumps({"schema_version": 1, "orgs": [{"url": NA}, {"url": EU}]}))
    changed = apply_site_deployment(engine)       # the admin changed the file
    assert changed.count("added") == 2
    assert engine.registry.get(NA).extra["deployment"]["source"] == "site"


def test_broken_site_file_is_retried_after_fixing(engine):
    site = engine.paths.site_deployment_file
    site.parent.mkdir(parents=True)
    site.write_text('{"schema_version": 1, "orgs": [{"url": "nonsense"}]}')
    with pytest.raises(DeploymentError):
        apply_site_deployment(engine)
    site.write_text(json.dumps({"schema_version": 1, "orgs": [{"url": NA}]}))
    assert apply_site_deployment(engine).count("added") == 1


def test_export_round_trips(engine, tmp_path):
    apply_deployment(engine, standard(tmp_path))
    engine.registry.update(NA, user="alice@contoso.example", tenant_id="7f3c2a51")
    exported = export_deployment(engine)
    assert "alice" not in json.dumps(exported) and "7f3c2a51" not in json.dumps(exported)
    other = Engine(AppPaths.resolve(tmp_path / "other"), secret_store=FakeSecrets())
    out = write(tmp_path, exported, "exported.json")
    apply_deployment(other, out)
    mine = [(o.display_name, o.base_url, o.is_primary) for o in engine.registry.list()]
    theirs = [(o.display_name, o.base_url, o.is_primary) for o in other.registry.list()]
    assert mine == theirs


def test_custom_cloud_file_is_kept_with_the_org(engine, tmp_path):
    cloud = {"name": "sovereign-x", "display_name": "Sovereign X",
             "authority": "https://login.sovereign.example/organizations",
             "discovery_url": "https://globaldisco.crm.sovereign.example",
             "org_domains": ["crm.sovereign.example"]}
    write(tmp_path, cloud, "cloud.json")
    path = write(tmp_path, {"schema_version": 1, "orgs": [
        {"url": "https://contoso.crm.sovereign.example", "cloud_file": "cloud.json"}]})
    apply_deployment(engine, path)
    org = engine.registry.list()[0]
    assert org.cloud == "sovereign-x" and org.kind == "online"
    stored = org.extra["cloud_file"]
    assert json.loads(Path(stored).read_text())["name"] == "sovereign-x"
    # an export carries the cloud file along, so another machine can apply it
    from wizard.engine.deploy import write_export

    out = write_export(engine, tmp_path / "export" / "deploy.json")
    exported = json.loads(out.read_text())
    assert exported["orgs"][0]["cloud_file"] == "sovereign-x.cloud.json"
    other = Engine(AppPaths.resolve(tmp_path / "other"), secret_store=FakeSecrets())
    apply_deployment(other, out)
    assert other.registry.list()[0].cloud == "sovereign-x"


def run_cli(home, *args):
    return subprocess.run([sys.executable, "-m", "wizard.cli", "--home", str(home), *args],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_cli_deploy_and_export(tmp_path):
    home = tmp_path / "cli-home"
    path = standard(tmp_path)
    proc = run_cli(home, "deploy", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["changed"] is True
    proc = run_cli(home, "deploy", str(path))
    assert proc.returncode == 0 and "3 unchanged" in proc.stdout
    proc = run_cli(home, "export-deployment", "--out", str(tmp_path / "out.json"), "--json")
    assert json.loads(proc.stdout)["orgs"] == 3
    bad = write(tmp_path, {"schema_version": 1, "orgs": [{"url": NA, "password": "x"}]}, "b.json")
    proc = run_cli(home, "deploy", str(bad), "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["code"] == "deployment_contains_secret"
    proc = run_cli(home, "deploy", "--site", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["applied"] is False


def test_any_cli_command_applies_the_site_file_once(tmp_path):
    home = tmp_path / "site-home"
    site = home / "site-config" / "deployment.json"
    site.parent.mkdir(parents=True)
    site.write_text(json.dumps({"schema_version": 1, "orgs": [{"url": NA, "primary": True}]}))
    proc = run_cli(home, "list", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [o["base_url"] for o in json.loads(proc.stdout)["orgs"]] == [NA]
    assert "Applied" in proc.stderr
    proc = run_cli(home, "list", "--json")
    assert "Applied" not in proc.stderr  # unchanged file: not applied again
    site.write_text("{broken")
    proc = run_cli(home, "list", "--json")
    assert proc.returncode == 0 and "was not applied" in proc.stderr
