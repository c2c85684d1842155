"""``d365-orgs check-url`` as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wizard.cli", "check-url", *args],
                          capture_output=True, text=True, timeout=60, cwd=cwd)


def test_prints_the_parsed_online_address():
    proc = run("  https://contoso.api.crm4.dynamics.com/api/data/v9.2/accounts?$top=1 ")
    assert proc.returncode == 0, proc.stderr
    assert "Organization URL:  https://contoso.crm4.dynamics.com\n" in proc.stdout
    assert "Dynamics 365 (online)" in proc.stdout
    assert "Cloud:             Commercial" in proc.stdout
    assert "EUR (Europe)" in proc.stdout
    assert "https://contoso.api.crm4.dynamics.com/api/data/v9.2/" in proc.stdout
    assert proc.stderr == ""


def test_json_output_is_the_parsed_address():
    proc = run("--json", "http://CRMSERVER:5555/Contoso/main.aspx#x")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["base_url"] == "http://crmserver:5555/contoso"
    assert data["kind"] == "onprem" and data["cloud"] is None and data["org_name"] == "contoso"
    assert data["web_api_base"] == "http://crmserver:5555/contoso/api/data/v9.2/"


def test_gcc_cloud_is_named():
    proc = run("--json", "contoso.crm9.dynamics.com")
    data = json.loads(proc.stdout)
    assert (data["cloud"], data["cloud_name"], data["region"]) == ("gcc", "GCC", None)


def test_error_exits_1_with_a_message():
    proc = run("https://make.powerapps.com/environments")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: This is the Power Apps maker portal")
    assert "Environment URL" in proc.stderr


def test_error_with_json_has_the_shared_shape():
    proc = run("--json", "https://login.microsoftonline.com/common")
    assert proc.returncode == 1
    error = json.loads(proc.stdout)["error"]
    assert set(error) == {"code", "message"} and error["code"] == "invalid_url"
    assert "sign-in page" in error["message"]


def test_password_is_not_printed():
    proc = run("--json", "https://admin:Hunter2xyz@contoso.crm.dynamics.com")
    assert proc.returncode == 1
    assert "Hunter2xyz" not in proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["error"]["code"] == "invalid_url"


def test_cloud_file_orgs_are_recognised(tmp_path):
    cloud_file = tmp_path / "cloud.json"
    cloud_file.write_text(json.dumps({
        "name": "sandbox", "display_name": "Sandbox (Contoso)",
        "authority": "https://127.0.0.1:44360/tenant", "discovery_url": "https://127.0.0.1:44360",
        "org_hosts": {"127.0.0.1:44361": {"region": "EUR", "url_name": "contososales"}},
    }), encoding="utf-8")
    without = run("--json", "https://127.0.0.1:44361/main.aspx")
    assert without.returncode == 1
    proc = run("--json", "--cloud-file", str(cloud_file), "https://127.0.0.1:44361/main.aspx")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert (data["base_url"], data["kind"], data["cloud"], data["cloud_name"], data["region"]) == (
        "https://127.0.0.1:44361", "online", "sandbox", "Sandbox (Contoso)", "EUR")


def test_bad_cloud_file_is_reported(tmp_path):
    proc = run("--json", "--cloud-file", str(tmp_path / "missing.json"), "contoso.crm.dynamics.com")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["code"] == "config_error"
