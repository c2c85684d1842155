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


def _sample_params(template: str) -> dict:
    """Sample params of the kinds the engine passes: words, names, a time, a wrapped error,
    the server's own words; every other one a Latin-free placeholder."""
    import datetime as dt

    from wizard.engine.errors import ErrorMessage, ServerText
    from wizard.engine.serverside.errors import MailboxUnreachable
    from wizard.engine.serverside.words import Names, When, Word, note

    kinds = {"was": Word("method", 1), "method": Word("method", 0), "state": Word("approval", 2),
             "status": Word("status", 0), "holders": Names(("《甲》", "《乙》")),
             "when": When(dt.datetime(2026, 12, 4, 9, 5, tzinfo=dt.timezone.utc)),
             "reason": ErrorMessage(MailboxUnreachable(org="《組織》", reason=Word("phrase", "not_read"))),
             "error": ServerText("Server words."), "takes": note("takes_from", holders=Names(("《甲》",))),
             "what": note("what_set", method=Word("method", 2)), "server_message": "Server words."}
    return {name: kinds.get(name, "《値》") for name in re.findall(r"{(\w+)}", template)}


def test_every_switch_note_renders_in_japanese_with_its_params_worded(japanese):
    from tests.gui.test_step_texts import latin_words
    from wizard.engine.serverside.words import TEMPLATES, Note

    left = {}
    for code, template in TEMPLATES.items():
        n = Note(code, _sample_params(template))
        text = render.note_text(n)
        assert "{" not in text and text != n.text, code
        shown = text.replace("サーバーからのメッセージ:「Server words.」", "").replace(
            "Dynamics 365 for Outlook", "")      # a product name
        if latin_words(shown) or not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text):
            left[code] = text
    assert not left, left


def test_every_word_and_not_sent_reason_renders_in_japanese(japanese):
    from tests.gui.test_step_texts import latin_words
    from wizard.engine.errors import ServerText
    from wizard.engine.serverside.words import WORDS, Word, method_word
    from wizard.engine.sync.errors import ItemChangedAgain, ItemRefused

    for kind, table in WORDS.items():
        for value, english in table.items():
            text = render.word_text(Word(kind, value))
            if english in ("?", "Dynamics 365 for Outlook"):
                continue
            assert text != english and not latin_words(text), (kind, value, text)
    assert render.word_text(method_word(7)) == "不明 (7)"
    text = render.render(ItemRefused(status=400, server_message=ServerText("Bad value.")))[0]
    assert text == "組織に拒否されました (HTTP 400): サーバーからのメッセージ:「Bad value.」"
    assert render.render(ItemRefused(status=403, server_message=ServerText("")))[0] == \
        "組織に拒否されました (HTTP 403)"
    assert not latin_words(render.render(ItemChangedAgain())[0])


def test_the_servers_own_words_alone_are_framed(japanese):
    from wizard.engine.dataverse import ServerSays

    text = render.render(ServerSays(400, "0x1", org="《組織》", server_message="Bad value."))[0]
    assert text == "サーバーからのメッセージ:「Bad value.」"

