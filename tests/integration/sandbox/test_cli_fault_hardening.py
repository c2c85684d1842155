"""``sandbox fault`` can always clear ``unknown_ca``; negative sizes and bad fault values are
refused with a message; ``sandbox revoke`` reaches a running sandbox."""

from __future__ import annotations

import io
import json

import pytest

from wizard.cli import main
from wizard.sandbox.faults import Faults

pytestmark = [pytest.mark.sandbox]


@pytest.fixture
def cli(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    def run(*argv: str) -> tuple[int, dict]:
        code = main(["--json", *argv])
        out = capsys.readouterr().out
        return code, json.loads(out) if out.strip() else {}
    return run


def test_unknown_ca_can_always_be_cleared(sandbox, cli):
    data = str(sandbox.data_dir)
    code, out = cli("sandbox", "fault", "--data", data, "unknown_ca")
    assert code == 0 and out["faults"] == {"unknown_ca": True}
    # every new connection now gets the untrusted certificate, the admin one too
    code, out = cli("sandbox", "fault", "--data", data, "--clear", "unknown_ca")
    assert code == 0, out
    assert out["faults"] == {}
    assert sandbox.faults.get("unknown_ca") is None


def test_revoke_reaches_a_running_sandbox(sandbox, cli):
    code, out = cli("sandbox", "revoke", "--data", str(sandbox.data_dir),
                    "alice@contoso.example", "--sessions")
    assert code == 0 and out == {"revoked": "alice@contoso.example", "sessions": True}
    code, out = cli("sandbox", "revoke", "--data", str(sandbox.data_dir), "nobody@x")
    assert code == 1 and out["error"]["code"] == "sandbox_error"


@pytest.mark.parametrize("argv", [
    ["sandbox", "serve", "--contacts", "-5"],
    ["sandbox", "serve", "--token-lifetime", "-1"],
    ["sandbox", "serve", "--refresh-lifetime", "0"],
    ["sandbox", "serve", "--port", "-80"],
    ["sandbox", "serve", "--fault", "latency=-1"],
    ["sandbox", "serve", "--fault", "latency=nan"],
    ["sandbox", "serve", "--fault", "throttle=-5"],
    ["sandbox", "fault", "throttle=-5"],
])
def test_negative_and_bad_sizes_are_refused(cli, tmp_path, argv):
    code, out = cli(*argv, *(["--data", str(tmp_path / "sb")] if "--data" not in argv else []))
    assert code != 0
    assert set(out["error"]) >= {"code", "message"} and out["error"]["message"]
    assert not (tmp_path / "sb" / "ports.json").exists()   # nothing was started


def test_counted_faults_need_a_positive_count():
    faults = Faults()
    for bad in (0, -3, True, 1.5):
        with pytest.raises(ValueError):
            faults.set("throttle", 2, count=bad)
    faults.set("throttle", 2, count=1)
    assert faults.take("throttle") == 2 and faults.take("throttle") is None
