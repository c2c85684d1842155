"""``mailbox connect dav URL --user U`` asks for the password on a terminal (it raised
``TypeError: 'bool' object is not callable`` there) and refuses without one."""

from __future__ import annotations

import argparse
import io

import pytest

from wizard.cli import cmd_mailbox_side
from wizard.cli.base import CliContext


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _args() -> argparse.Namespace:
    return argparse.Namespace(side="dav", user="ann", password_stdin=False)


def _ctx(stdin: io.StringIO) -> CliContext:
    return CliContext(home=None, json=False, cloud_files=[], ca_bundle=None, verbose=False,
                      stdin=stdin)


def test_a_terminal_is_asked_for_the_password(monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(cmd_mailbox_side.getpass, "getpass",
                        lambda prompt: asked.append(prompt) or "s3cret")
    assert cmd_mailbox_side._password(_ctx(Terminal()), _args()) == "s3cret"
    assert asked == ["Password for ann: "]


def test_without_a_terminal_the_password_must_come_from_stdin():
    with pytest.raises(cmd_mailbox_side.CliMailboxError) as caught:
        cmd_mailbox_side._password(_ctx(io.StringIO()), _args())
    assert "--password-stdin" in str(caught.value.fix)
