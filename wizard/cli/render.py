"""Engine errors in the command line's words: :func:`render`.

The engine says what is wrong and what the user can do in neutral words, and names the
next step as an :class:`~wizard.engine.errors.Action` (:mod:`wizard.engine.errors`). This
module is the only place that words those steps as ``d365-orgs`` commands; the GUI words
the same actions as buttons (``wizard.gui.render``).
"""

from __future__ import annotations

from typing import Any

from wizard.engine.errors import Action, WizardError

#: The command line's wording of each next step. ``{org_ref}`` is the org's registry key
#: (or ORG when the error names none).
ACTION_COMMANDS: dict[Action, str] = {
    Action.SIGN_IN: "d365-orgs signin {org_ref}",
    Action.ENTER_PASSWORD: "d365-orgs signin {org_ref} --user USER --password-stdin",
    Action.ENTER_CREDENTIALS: "d365-orgs ... --user DOMAIN\\user --password-stdin",
    Action.TEST_AGAIN: "d365-orgs test {org_ref}",
    Action.SHOW_SETTINGS: "d365-orgs settings show",
    Action.FINISH_SWITCH: "d365-orgs use   (without ORG: finishes the switch; with ORG: switches again)",
    Action.SET_NONE_ELSEWHERE: "d365-orgs mailbox none-elsewhere",
    Action.LIST_ORGS: "d365-orgs list",
    Action.SWITCH_ORG: "d365-orgs use {org_ref}",
    Action.OVERRIDE_STAMP: "the same command with --override-stamp",
    Action.CONFIRM_MASS_DELETE: "d365-orgs sync --allow-mass-delete",
    Action.LIST_ITEMS: "d365-orgs mailbox list",
    Action.DIAGNOSTICS: "d365-orgs diagnostics --bundle support.zip",
    Action.DEVICE_CODE: "the same command with --device-code",
}


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "ORG" if key == "org_ref" else "{" + key + "}"


def action_command(action: Action | str | None, params: dict[str, Any] | None = None) -> str:
    """The ``d365-orgs`` command for ``action`` ("" when the command line has none)."""
    if action is None:
        return ""
    try:
        wording = ACTION_COMMANDS.get(Action(action), "")
    except ValueError:
        return ""
    values = _Params(params or {})
    if "org_ref" not in values and values.get("org_key"):
        values["org_ref"] = values["org_key"]
    return wording.format_map(values)


def render(err: WizardError) -> str:
    """Message, fix and the command for the next step, in one paragraph."""
    text = str(err)
    command = action_command(err.action, err.params)
    if command and command not in text:
        text += f" (Run: {command}.)" if command.startswith("d365-orgs") else f" (Run {command}.)"
    return text
