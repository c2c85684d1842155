"""Every GUI string has a finished Japanese translation, and --lang ja uses it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from wizard.gui.i18n import install_translators, pick_language, resources_dir, tr

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "d365_wizard_ja.ts"
QM = ROOT / "resources" / "translations" / "d365_wizard_ja.qm"


def _tool(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def _messages(path: Path) -> dict[str, ET.Element]:
    return {m.findtext("source"): m.find("translation") for m in ET.parse(path).iter("message")}


def test_every_source_string_has_a_finished_japanese_translation(tmp_path):
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "wizard" / "gui").glob("*.py"))
    subprocess.run([_tool("pyside6-lupdate"), *sources, "-ts", str(fresh)], check=True,
                   capture_output=True)
    in_code = set(_messages(fresh))
    assert len(in_code) > 200
    committed = _messages(TS)
    missing = sorted(s for s in in_code if s not in committed)
    assert not missing, f"run resources/translations/update.sh and translate: {missing[:5]}"
    unfinished = sorted(s for s in in_code
                        if committed[s].get("type") in ("unfinished", "vanished", "obsolete")
                        or not "".join(committed[s].itertext()).strip())   # plurals: <numerusform>
    assert not unfinished, unfinished[:5]
    assert QM.stat().st_mtime >= TS.stat().st_mtime - 1, "compile the .qm (update.sh)"


def test_placeholders_survive_translation():
    import re

    for source, translation in _messages(TS).items():
        text = "".join(translation.itertext())      # plurals keep their forms in <numerusform>
        assert set(re.findall(r"{\w+}", source)) == set(re.findall(r"{\w+}", text)), source
        assert ("%n" in source) <= ("%n" in text), source
        if "&" in source.replace("&&", ""):
            assert "&" in text, f"mnemonic lost: {source}"


def test_lang_ja_translates(qapp):
    translators = install_translators(qapp, "ja")
    try:
        assert translators
        assert tr("Configure Organizations") == "組織の構成"
        assert tr("Do you want to change your synchronizing organization?") == "同期する組織を変更しますか?"
    finally:
        for t in translators:
            QCoreApplication.removeTranslator(t)
        from PySide6.QtCore import QLocale
        QLocale.setDefault(QLocale("en_US"))
    assert tr("Configure Organizations") == "Configure Organizations"


@pytest.mark.parametrize("requested, expected", [("ja", "ja"), ("ja_JP", "ja"), ("en", "en"), ("xx", "en")])
def test_pick_language(requested, expected):
    assert pick_language(requested) == expected


def test_resources_found():
    assert (resources_dir() / "icons" / "add.svg").exists()


def test_system_locale_selects_japanese():
    import os

    code = ("from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]); "
            "from wizard.gui.i18n import pick_language; print(pick_language(None))")
    env = {**os.environ, "LANG": "ja_JP.UTF-8", "LC_ALL": "ja_JP.UTF-8", "LANGUAGE": "ja"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                          cwd=ROOT)
    assert done.stdout.strip() == "ja", done.stderr


def test_no_gui_visible_text_words_a_plural_as_s_in_brackets():
    """ "organization(s)" reads badly and cannot be translated: ``tr`` with ``n`` or a
    one/many pair of texts instead (the GUI's strings and every engine template)."""
    from wizard.gui.render import engine_templates

    offenders = [s for s in _messages(TS) if s and "(s)" in s]
    offenders += [where for where, text in engine_templates() if "(s)" in text]
    assert not offenders, offenders
