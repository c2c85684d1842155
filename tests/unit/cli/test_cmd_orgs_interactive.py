"""``use`` and ``remove`` ask on a terminal; only "y"/"yes" goes ahead."""

from __future__ import annotations

import io
import json

import pytest

from wizard.cli import build_parser
from wizard.cli.base import CliContext, run_handler

ID_A = "aaaaaaaa-0000-0000-0000-000000000001"
ID_B = "bbbbbbbb-0000-0000-0000-000000000002"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def cli(*argv: str, answer: str | None = None) -> tuple[int, str, str]:
    args = build_parser().parse_args(list(argv))
    ctx = CliContext.from_args(args)
    ctx.stdin = Terminal(answer + "\n") if answer is not None else io.StringIO()
    ctx.stdout, ctx.stderr = io.StringIO(), io.StringIO()
    code = run_handler(ctx, args)
    return code, ctx.stdout.getvalue(), ctx.stderr.getvalue()


@pytest.fixture
def two_orgs(wizard_home):
    assert cli("add", "https://contoso.crm.dynamics.com", "--no-connect", "--org-id", ID_A)[0] == 0
    assert cli("add", "https://fabrikam.crm.dynamics.com", "--no-connect", "--org-id", ID_B)[0] == 0


def primary_names() -> list[str]:
    data = json.loads(cli("list", "--json")[1])
    return [o["display_name"] for o in data["orgs"] if o["primary"]]


@pytest.mark.parametrize("answer", ["y", "YES", " yes "])
def test_use_goes_ahead_on_yes(two_orgs, answer):
    code, out, err = cli("use", "fabrikam", answer=answer)
    assert code == 1, err       # switched here; the orgs' records wait (never connected)
    assert "will start synchronizing" in err and "[y/N]" in err   # plan, then the question
    assert "has not been connected yet" in out
    assert "“fabrikam” now synchronizes" in out
    assert primary_names() == ["fabrikam"]


@pytest.mark.parametrize("answer", ["", "n", "no", "yep"])
def test_use_changes_nothing_otherwise(two_orgs, answer):
    code, out, err = cli("use", "fabrikam", answer=answer)
    assert code == 1 and "Nothing was changed" in err
    assert primary_names() == ["contoso"]


def test_remove_asks_and_warns_about_the_primary(two_orgs):
    code, _, err = cli("remove", "contoso", answer="n")
    assert code == 1
    assert "synchronizes with your mailbox. Removing it leaves no organization" in err
    code, out, _ = cli("remove", "contoso", answer="y")
    assert code == 0 and "no organization synchronizes" in out
    assert primary_names() == []
