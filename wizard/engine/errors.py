"""The engine's one error base and the errors several modules share.

An error composes its own text from its fields (qutebrowser's ``configexc`` habit), so
that each front end can render it in its own words and language:

- ``code`` (class attribute): stable, printed by the CLI with ``--json``, matched by tests
  and used by the GUI to find the translation.
- ``template`` / ``fix_template`` (class attributes): neutral English built with
  ``str.format(**params)``. Neutral means no front end's wording: never "run
  ``d365-orgs`` …" or "choose Sign in…"; say what is wrong and what the user can do in
  words every front end can show.
- ``action`` (class attribute or keyword): what the user can do next, as one of
  :class:`Action`. Each front end words it itself: the CLI "run ``d365-orgs signin
  ORG``", the GUI a "Sign in…" button.
- ``params``: the fields the templates use (org name, path, status code…). Never a
  secret: params go to logs and ``--json``.
- ``details``: technical text for a "Details" section and logs (never a secret).
- ``cause``: a param may be another :class:`WizardError` that this one wraps ("{where}:
  {cause}"); each front end renders it in its own words (the CLI ``str(cause)``, the GUI
  its translated template). A class with ``keeps_cause_code`` reports its cause's code
  (so ``--json`` users see ``file_not_found``, not the wrapper's generic code).

A subclass sets ``code`` and ``template`` and passes its fields as keywords::

    class KeyringLocked(SecretStoreError):
        code = "keyring_locked"
        template = "The keyring is locked."
        fix_template = "Unlock it (it usually unlocks when you log in) and try again."

    raise KeyringLocked(backend=name)

Where the wording depends on a field (one change or several, with or without a known
account), the class sets variants as further ``..._template`` attributes and picks one in
:meth:`WizardError.templates`; the GUI renders the same choice, and the catalogue lists every
variant.

The engine never builds an error from literal text: ``tests/unit/engine/
test_error_raise_sites.py`` walks ``wizard/engine`` and fails on a positional message,
``message=``/``fix=`` or a per-instance ``code=``. A server's own words go in a named param
(``server_message``) or ``details``; a wrapped error goes in ``cause``. The front ends may
still pass a literal ``message``/``fix``/``code`` for text that is theirs (the CLI's usage
errors, the GUI adapter re-raising a failed step in the words it already shows); such an
error has ``composed`` False and is shown as written.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, ClassVar


class Action(str, enum.Enum):
    """A next step a front end can offer as a button or word as a command.

    Parameters the front end may use come from the error's ``params`` (``org`` names the
    organization by its display name, ``org_key`` by its registry key).
    """

    SIGN_IN = "sign_in"                  # sign in to ``org`` again
    ENTER_PASSWORD = "enter_password"    # type the password for ``org`` again
    TEST_AGAIN = "test_again"            # run the connection test for ``org`` again
    SHOW_SETTINGS = "show_settings"      # open the synchronization settings
    UNLOCK_KEYRING = "unlock_keyring"    # unlock the OS keyring, then retry
    RETRY = "retry"                      # try the same thing again later
    FINISH_SWITCH = "finish_switch"      # complete a half-done switch of the synchronizing org
    SET_NONE_ELSEWHERE = "set_none_elsewhere"  # set None in every org but the synchronizing one
    CONTACT_ADMIN = "contact_admin"      # only an administrator can fix it
    CHOOSE_ORG = "choose_org"            # pick another org / name the org
    LIST_ORGS = "list_orgs"              # look the orgs up in the list (numbers, names)
    SWITCH_ORG = "switch_org"            # make ``org_ref`` the synchronizing org
    OVERRIDE_STAMP = "override_stamp"    # sync from this org only, even if the mailbox was set
                                         # to sync with a different org (rewrites the stamp)
    CONFIRM_MASS_DELETE = "confirm_mass_delete"  # confirm mirroring a side that was emptied
    LIST_ITEMS = "list_items"            # look the mailbox items up (their ids)
    ENTER_CREDENTIALS = "enter_credentials"  # give a user name and password (Windows auth)
    DIAGNOSTICS = "diagnostics"          # collect a diagnostics bundle for the helpdesk
    DEVICE_CODE = "device_code"          # sign in with a code on another device instead


class WizardError(Exception):
    """Base of every error the engine raises on purpose."""

    code: ClassVar[str] = "error"
    template: ClassVar[str | None] = None
    fix_template: ClassVar[str | None] = None
    action: Action | None = None
    #: A text that depends on a number: ``count_param`` names the param and ``one_template``
    #: is the text for exactly one; ``template`` says it for any other number (no "(s)").
    count_param: ClassVar[str | None] = None
    one_template: ClassVar[str | None] = None
    #: Report the ``cause`` param's code instead of ``code``, unless it is one of
    #: ``generic_cause_codes`` (codes that say no more than this class's own).
    keeps_cause_code: ClassVar[bool] = False
    generic_cause_codes: ClassVar[frozenset[str]] = frozenset({"error"})

    def __init__(self, message: str | None = None, *, fix: str | None = None,
                 details: str | None = None, code: str | None = None,
                 action: Action | None = None, **params: Any) -> None:
        if code is not None:
            self.code = code  # type: ignore[misc]  # a front end's own error (never the engine's)
        if action is not None:
            self.action = action
        cause = params.get("cause")
        if self.keeps_cause_code and isinstance(cause, WizardError) and cause.code not in self.generic_cause_codes:
            self.code = cause.code  # type: ignore[misc]  # the wrapped error's code, on purpose
        self.params: dict[str, Any] = params
        #: True when ``message``/``fix`` came from the class templates (a front end may then
        #: render them in its own words); False for a front end's literal message.
        self.composed = message is None and fix is None
        template, fix_template = self.templates()
        self.message = message if message is not None else self._compose(template)
        self.fix = fix if fix is not None else (self._compose(fix_template) or None)
        self.details = details
        super().__init__(self.message)

    def templates(self) -> tuple[str | None, str | None]:
        """The (template, fix template) this error's text is built from: the class's own,
        or, in a class whose text has variants, the one its fields call for (the variants are
        class attributes named ``..._template`` so the catalogue finds them)."""
        if self.count_param and self.one_template and self.params.get(self.count_param) == 1:
            return self.one_template, self.fix_template
        return self.template, self.fix_template

    def _compose(self, template: str | None) -> str:
        if not template:
            return ""
        return template.format_map(_Params(self.params))

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message} {self.fix}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": str(self)}
        if self.details:
            out["details"] = self.details
        if self.action is not None:
            out["action"] = self.action.value
        if self.params:
            out["params"] = {k: _plain(v) for k, v in self.params.items()}
        return out


class _Params(dict):  # type: ignore[type-arg] # format_map needs a dict subclass
    """``format_map`` source: a missing field shows as ``{name}`` instead of raising."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class ServerText(str):
    """A server's own words in a param (a mailbox's ``lastsyncerror``, an OData message).

    The engine's English shows them as they are; a front end that words the rest in
    another language quotes them, since it cannot translate them."""

    __slots__ = ()


class ErrorMessage:
    """A wrapped error's message (without its fix) as a param: ``str()`` is the engine's
    English; a front end words ``error`` itself."""

    __slots__ = ("error",)

    def __init__(self, error: "WizardError") -> None:
        self.error = error

    def __str__(self) -> str:
        return self.error.message

    def __repr__(self) -> str:
        return f"ErrorMessage({self.error!r})"


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


class InvalidOrgUrl(WizardError, ValueError):
    """Text that is not an organization address; the message says what to paste instead."""

    code = "invalid_url"


class ConfigError(WizardError):
    """A settings or data file could not be read or written."""

    code = "config_error"


class CorruptConfig(ConfigError):
    """A file was unreadable; it was moved aside to ``moved_to`` and the user is told."""

    code = "corrupt_config"

    def __init__(self, *, moved_to: str, **kw: Any) -> None:
        super().__init__(moved_to=moved_to, **kw)
        self.moved_to = moved_to


class NotFound(WizardError):
    code = "not_found"


class SecretStoreUnavailable(WizardError):
    """No secure keyring: the app works, but credentials will not be saved."""

    code = "keyring_unavailable"
