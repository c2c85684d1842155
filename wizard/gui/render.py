"""Engine errors in the user's language: :func:`render` gives (text, fix, action).

An engine error composes its English text from a class ``template`` and its ``params``
(:mod:`wizard.engine.errors`). The GUI renders the same template through :func:`tr`, so the
catalogue (``resources/translations``) has one entry per engine template; the entries below
keep ``pyside6-lupdate`` aware of templates it cannot see in a ``tr(...)`` call. An error
still raised with a literal message is shown as the engine wrote it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP

from wizard.engine.errors import Action, WizardError
from wizard.gui.i18n import tr

# The engine's templates, for pyside6-lupdate (never called; the catalogue's source texts).
ENGINE_TEXTS = (
    # wizard/engine/signin_form.py
    QT_TRANSLATE_NOOP("", "The sign-in page reported a problem: {page_text}"),
    QT_TRANSLATE_NOOP("", "The sign-in page failed."),
    QT_TRANSLATE_NOOP("", "Try again."),
    QT_TRANSLATE_NOOP("", "The sign-in page asked for something this app cannot answer."),
    QT_TRANSLATE_NOOP("", "Use sign-in with a code instead."),
    QT_TRANSLATE_NOOP("", "The sign-in did not finish."),
    QT_TRANSLATE_NOOP("", "Your organization requires multi-factor authentication."),
    QT_TRANSLATE_NOOP("", "Enter the verification code from your authenticator app."),
    QT_TRANSLATE_NOOP("", "The verification code was not accepted."),
    QT_TRANSLATE_NOOP("", "Check the code and try again."),
    QT_TRANSLATE_NOOP("", "The user name or password is not correct."),
    QT_TRANSLATE_NOOP("", "Check them and try again."),
)


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _compose(template: str | None, params: dict[str, Any]) -> str:
    return tr(template).format_map(_Params(params)) if template else ""


def render(exc: BaseException) -> tuple[str, str, Action | None]:
    """(text, fix, action) of an exception for a dialog, in the user's language."""
    if isinstance(exc, WizardError):
        if exc.composed and type(exc).template:
            return (_compose(type(exc).template, exc.params), _compose(type(exc).fix_template, exc.params),
                    exc.action)
        return exc.message or type(exc).__name__, exc.fix or "", exc.action
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(text), str(getattr(exc, "fix", None) or ""), None
