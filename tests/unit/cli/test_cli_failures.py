"""Every CLI failure is a plain message (the JSON error object with --json) and a non-zero
exit; bad arguments are refused; an unexpected exception never prints a traceback."""

from __future__ import annotations

import io
import json
import os

import pytest

from wizard.cli import main
from wizard.engine.logs import shutdown_logging
from wizard.engine.paths import AppPaths


@pytest.fixture
def cli(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    yield run
    shutdown_logging()


def error_of(out: str) -> dict:
    data = json.loads(out)
    assert set(data) == {"error"} and isinstance(data["error"]["code"], str)
    assert isinstance(data["error"]["message"], str) and data["error"]["message"]
    return data["error"]


@pytest.mark.parametrize("argv", [
    ["--json"],                                     # no command
    ["--json", "nonsense"],
    ["--json", "list", "--no-such-flag"],
    ["--json", "mailbox", "add"],                   # --folder required
    ["--json", "mailbox", "add", "--folder", "attic"],
    ["--json", "sandbox", "serve", "--contacts", "lots"],
    ["deploy", "--json"],                           # --json after the command
])
def test_usage_errors_print_the_json_error(cli, argv):
    code, out, err = cli(*argv)
    assert code == 2
    assert error_of(out)["code"] == "usage"
    assert "Traceback" not in out + err


def test_usage_errors_without_json_are_one_message(cli):
    code, out, err = cli("list", "--no-such-flag")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "--help" in err and "Traceback" not in err


@pytest.mark.parametrize("arg", ["caf\udce9", "a\x00b"])
def test_arguments_that_are_not_text_are_refused(cli, arg):
    code, out, err = cli("--json", "check-url", arg)
    assert code == 2 and "not valid text" in error_of(out)["message"]


@pytest.mark.parametrize("out_arg", ["", "   ", "x" * 300 + ".zip", "folder/", ".", "a\nb.zip"])
def test_bad_output_names_are_refused(cli, tmp_path, out_arg):
    code, out, _ = cli("--json", "diagnostics", "--no-connect", "--bundle", out_arg)
    assert code == 2 and error_of(out)["code"] == "usage"
    code, out, _ = cli("--json", "mailbox", "export", "--folder", "contacts", "--out", out_arg)
    assert code == 2


def test_an_existing_folder_is_not_an_output_name(cli, tmp_path):
    code, out, _ = cli("--json", "export-deployment", "--out", str(tmp_path))
    assert code == 2 and "folder" in error_of(out)["message"]


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "soon"])
def test_negative_durations_are_refused(cli, value):
    code, out, _ = cli("--json", "practice", "expired-sign-in", "--duration", value)
    assert code == 2 and error_of(out)["code"] == "usage"


def test_home_that_is_a_file(cli, tmp_path):
    home = tmp_path / "home"
    home.write_text("just a file")
    for argv in (["list"], ["mailbox", "list"], ["deploy", "--site"], ["check-url", "x"]):
        code, out, err = cli("--json", "--home", str(home), *argv)
        assert code == 1 and error_of(out)["code"] == "not_a_directory", argv
        assert "Traceback" not in out + err
    assert home.read_text() == "just a file"


def test_an_unexpected_exception_is_a_short_message_and_a_log_entry(cli, monkeypatch,
                                                                    wizard_home):
    import wizard.cli.cmd_orgs as cmd_orgs

    def broken(ctx, args):
        raise KeyError("secret-looking-internal-detail")

    monkeypatch.setattr(cmd_orgs, "cmd_list", broken)
    for json_mode in (True, False):
        argv = (["--json"] if json_mode else []) + ["list"]
        # the parser is built per call, so the patched handler is the one registered
        code, out, err = cli(*argv)
        assert code == 1
        text = out + err
        assert "Traceback" not in text and "secret-looking-internal-detail" not in text
        log = AppPaths.resolve(wizard_home).log_dir / "d365-orgs.log"
        if json_mode:
            e = error_of(out)
            assert e["code"] == "internal_error" and e["log_file"] == str(log)
        else:
            assert "unexpected problem (KeyError)" in err and str(log) in err
            assert "diagnostics --bundle" in err
    shutdown_logging()
    logged = log.read_text()
    assert "Traceback" in logged and "secret-looking-internal-detail" in logged


def test_os_errors_are_classified_not_unexpected(cli, monkeypatch):
    import errno

    import wizard.cli.cmd_orgs as cmd_orgs

    def full(ctx, args):
        raise OSError(errno.ENOSPC, "No space left on device", "/somewhere/file")

    monkeypatch.setattr(cmd_orgs, "cmd_list", full)
    code, out, _ = cli("--json", "list")
    assert code == 1 and error_of(out)["code"] == "disk_full"


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
def test_a_fifo_as_an_input_file_does_not_hang(cli, tmp_path):
    fifo = tmp_path / "cloud.json"
    os.mkfifo(fifo)
    code, out, _ = cli("--json", "--cloud-file", str(fifo), "list")
    assert code == 1 and error_of(out)["code"] == "not_a_file"
    code, out, _ = cli("--json", "--ca-bundle", str(fifo), "check-url",
                       "https://contoso.crm.dynamics.com")
    assert code in (0, 1)        # check-url needs no TLS; if it did, the bundle is refused
    code, out, _ = cli("--json", "deploy", str(fifo))
    assert code == 1 and error_of(out)["code"] == "not_a_file"
