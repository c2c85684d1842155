"""Engine errors rendered by the GUI: every engine template is in the catalogue and
translated, and a composed error renders in the user's language."""

from __future__ import annotations

import re
from pathlib import Path

from wizard.engine.errors import Action
from wizard.engine.signin_errors import NotSignedInAs
from wizard.engine.signin_form import PasswordRejected
from wizard.gui import render

ENGINE_TEXTS = Path(render.__file__).with_name("engine_texts.py")


def test_the_generated_catalogue_is_current():
    assert ENGINE_TEXTS.read_text(encoding="utf-8") == render.catalogue_source(), \
        "run resources/translations/update.sh (python -m wizard.gui.render) and translate"


def test_every_engine_template_renders_translated_in_japanese(japanese):
    templates = render.engine_templates()
    assert len(templates) > 50
    untranslated = []
    for where, template in templates:
        sample = {name: f"<{name}>" for name in re.findall(r"{(\w+)}", template)}
        text = render._compose(template, sample)
        words = re.sub(r"{\w+}", "", template).strip()     # "{cause}" alone has none to translate
        if words and (text == template.format(**sample)
                      or not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text)):
            untranslated.append(where)
        assert all(f"<{name}>" in text for name in sample), where   # every parameter shown
    assert not untranslated, untranslated[:5]


def test_a_composed_error_renders_in_japanese_and_keeps_its_action(japanese):
    text, fix, action = render.render(NotSignedInAs(username="alice@contoso.example"))
    assert text == "alice@contoso.example としてまだサインインしていません。"
    assert fix == "サインインしてください。" and action is Action.SIGN_IN
    assert render.action_label(action) == "サインイン…"
    text, fix, _ = render.render(PasswordRejected(details="AADSTS50126"))
    assert text == "ユーザー名またはパスワードが正しくありません。"


def test_a_literal_message_is_shown_as_the_engine_wrote_it(japanese):
    from wizard.engine.errors import WizardError

    assert render.render(WizardError("Plain English.", fix="Do this."))[:2] == ("Plain English.", "Do this.")


def test_every_action_has_a_command_line_wording():
    from wizard.cli.render import ACTION_COMMANDS, action_command

    missing = [a for a in Action if a not in ACTION_COMMANDS]
    assert set(missing) <= {Action.UNLOCK_KEYRING, Action.RETRY, Action.CONTACT_ADMIN, Action.CHOOSE_ORG}, missing
    assert action_command(Action.SIGN_IN, {"org_key": "k1"}) == "d365-orgs signin k1"
    assert action_command("switch_org", {}) == "d365-orgs use ORG"
    assert action_command("no_such_action") == ""


def test_a_wrapped_error_renders_its_cause_in_japanese_too(japanese):
    from wizard.engine.deploy_errors import EntryBadUrl
    from wizard.engine.url_errors import PublicWebsite

    text, _fix, _ = render.render(EntryBadUrl(source="d.json", index=2, cause=PublicWebsite()))
    assert text.startswith("d.json の組織 2: これは公開 Web サイトのアドレスで")
