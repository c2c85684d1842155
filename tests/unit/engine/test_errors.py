"""The error base composes its text from fields; front ends get code, params and action."""

from __future__ import annotations

from wizard.engine.errors import Action, WizardError


class _Locked(WizardError):
    code = "sample_locked"
    template = "The keyring of {user} is locked."
    fix_template = "Unlock it and try again."
    action = Action.UNLOCK_KEYRING


def test_template_error_composes_message_fix_and_dict():
    err = _Locked(user="alice")
    assert err.message == "The keyring of alice is locked."
    assert err.fix == "Unlock it and try again."
    assert str(err) == "The keyring of alice is locked. Unlock it and try again."
    assert err.to_dict() == {"code": "sample_locked", "message": str(err),
                             "action": "unlock_keyring", "params": {"user": "alice"}}


def test_missing_field_shows_its_name_instead_of_raising():
    assert _Locked().message == "The keyring of {user} is locked."


def test_a_front_ends_literal_message_is_kept_as_written():
    err = WizardError("Plain text.", fix="Do this.", code="legacy")
    assert (err.code, str(err), err.params) == ("legacy", "Plain text. Do this.", {})
    assert WizardError.code == "error"


class _Wrapper(WizardError):
    code = "sample_wrapper"
    template = "In {where}: {cause}"
    keeps_cause_code = True


def test_a_wrapper_shows_its_cause_and_keeps_a_specific_code():
    err = _Wrapper(where="file.json", cause=_Locked(user="bob"))
    assert str(err) == "In file.json: The keyring of bob is locked. Unlock it and try again."
    assert err.code == "sample_locked" and _Wrapper.code == "sample_wrapper"
    assert err.to_dict()["params"]["cause"] == str(err.params["cause"])
    generic = _Wrapper(where="x", cause=WizardError("Plain."))
    assert generic.code == "sample_wrapper"           # "error" says nothing: the wrapper's own


class _Waited(WizardError):
    code = "sample_waited"
    count_param = "minutes"
    template = "Waited {minutes} minutes."
    one_template = "Waited 1 minute."


def test_a_counted_text_says_one_or_many_never_s_in_brackets():
    assert str(_Waited(minutes=1)) == "Waited 1 minute."
    assert str(_Waited(minutes=3)) == "Waited 3 minutes."
    assert _Waited(minutes=0).templates()[0] == "Waited {minutes} minutes."

