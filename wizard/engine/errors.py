"""The engine's one error base and the errors several modules share.

Each error composes its own user-facing text (``str(err)``) and carries a stable
``code`` that the CLI prints with ``--json`` and tests match on. ``fix`` is an
optional plain-language next step; ``details`` is technical text for a
"Details" section and logs (never a secret).
"""

from __future__ import annotations


class WizardError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, fix: str | None = None, details: str | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.details = details
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message} {self.fix}"

    def to_dict(self) -> dict[str, str]:
        out = {"code": self.code, "message": str(self)}
        if self.details:
            out["details"] = self.details
        return out


class InvalidOrgUrl(WizardError, ValueError):
    """Text that is not an organization address; the message says what to paste instead."""

    code = "invalid_url"


class ConfigError(WizardError):
    """A settings or data file could not be read or written."""

    code = "config_error"


class CorruptConfig(ConfigError):
    """A file was unreadable; it was moved aside to ``moved_to`` and the user is told."""

    code = "corrupt_config"

    def __init__(self, message: str, *, moved_to: str, **kw) -> None:
        super().__init__(message, **kw)
        self.moved_to = moved_to


class NotFound(WizardError):
    code = "not_found"


class SecretStoreUnavailable(WizardError):
    """No secure keyring: the app works, but credentials will not be saved."""

    code = "keyring_unavailable"
