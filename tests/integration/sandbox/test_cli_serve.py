"""``d365-orgs sandbox serve`` as a real subprocess: ready line, faults, clean stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.sandbox import trusting_session

pytestmark = pytest.mark.sandbox


def _serve(tmp_path, *extra):
    env = {**os.environ, "D365_WIZARD_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "wizard.cli", "sandbox", "serve", "--json", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        pytest.fail(f"no ready line; stderr: {proc.stderr.read()}")
    return proc, json.loads(line), env


def _stop(proc, sig):
    proc.send_signal(sig)
    try:
        rc = proc.wait(timeout=20)
    finally:
        rest = proc.stdout.read()
        err = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
    return rc, rest, err


def _free_port_block(n=4):
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n >= 65535:
            continue
        ok = True
        for p in range(base, base + n):
            with socket.socket() as t:
                try:
                    t.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    pytest.skip("no free block of ports")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_one_ready_line_and_stops_cleanly(tmp_path, sig):
    proc, info, env = _serve(tmp_path, "--data", str(tmp_path / "sb"), "--fault", "latency=0")
    try:
        assert set(info) >= {"authority_url", "discovery_url", "org_urls", "ca_file",
                             "cloud_file", "users"}
        assert info["users"][0]["password"] == "Contoso-Sandbox-1"
        cloud = json.loads(Path(info["cloud_file"]).read_text())
        assert cloud["authority"] == info["authority_url"]
        with trusting_session(info["ca_file"]) as s:
            r = s.get(info["authority_url"] + "/v2.0/.well-known/openid-configuration")
            assert r.status_code == 200
    finally:
        rc, rest, err = _stop(proc, sig)
    assert rc == 0, err
    assert rest == ""           # nothing after the ready line


def test_fault_command_switches_a_running_sandbox(tmp_path):
    data = str(tmp_path / "sb")
    proc, info, env = _serve(tmp_path, "--data", data)
    try:
        out = subprocess.run([sys.executable, "-m", "wizard.cli", "sandbox", "fault",
                              "--data", data, "--json", "throttle=7"],
                             capture_output=True, text=True, env=env, timeout=60)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["faults"] == {"throttle": 7}
        with trusting_session(info["ca_file"]) as s:
            r = s.get(info["discovery_url"] + "/api/discovery/v2.0/Instances")
            assert r.status_code == 401      # no token: the challenge comes before faults
        out = subprocess.run([sys.executable, "-m", "wizard.cli", "sandbox", "fault",
                              "--data", data, "--reset"],
                             capture_output=True, text=True, env=env, timeout=60)
        assert out.returncode == 0 and "none" in out.stdout
    finally:
        rc, _, err = _stop(proc, signal.SIGTERM)
    assert rc == 0, err


def test_fixed_port_and_remembered_ports(tmp_path):
    base = _free_port_block()
    data = str(tmp_path / "sb")
    proc, info, _ = _serve(tmp_path, "--data", data, "--port", str(base))
    try:
        assert info["discovery_url"] == f"https://127.0.0.1:{base}"
        assert info["org_urls"]["contosona"] == f"https://127.0.0.1:{base + 1}"
        assert info["org_urls"]["contosojp"] == f"https://127.0.0.1:{base + 2}"
    finally:
        assert _stop(proc, signal.SIGTERM)[0] == 0
    # Without --port the next run reuses the same ports, so saved org URLs keep working.
    proc, again, _ = _serve(tmp_path, "--data", data)
    try:
        assert again["org_urls"] == info["org_urls"]
        assert again["ca_file"] == info["ca_file"]
    finally:
        assert _stop(proc, signal.SIGTERM)[0] == 0


def test_bad_fault_is_a_clean_error(tmp_path):
    out = subprocess.run([sys.executable, "-m", "wizard.cli", "sandbox", "serve", "--json",
                          "--data", str(tmp_path / "sb"), "--fault", "gremlins"],
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "D365_WIZARD_HOME": str(tmp_path / "home")})
    assert out.returncode == 1
    assert json.loads(out.stdout)["error"]["code"] == "sandbox_error"
