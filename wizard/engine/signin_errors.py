"""Sign-in errors in words a user can act on, from Entra ID / ADFS / msal answers.

Entra ID answers ``{"error": "...", "error_description": "AADSTS50076: ...",
"error_codes": [50076], ...}``; msal passes that dict through. :func:`signin_error`
picks the AADSTS code (``error_codes`` first, then the description) and returns the
matching :class:`SignInError` subclass. The server's own description goes to
``details`` (it carries trace ids that help an administrator), never a token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wizard.engine.errors import Action, WizardError

_AADSTS = re.compile(r"AADSTS(\d+)")


class SignInError(WizardError):
    """Signing in did not work. ``aadsts`` is Entra's error number when there is one."""

    code = "signin_failed"

    def __init__(self, message: str | None = None, *, aadsts: int | None = None, error: str | None = None,
                 **kw: Any) -> None:
        super().__init__(message, **kw)
        self.aadsts = aadsts
        self.error = error


class MfaRequired(SignInError):
    code = "mfa_required"


class MfaEnrollmentRequired(SignInError):
    code = "mfa_enrollment_required"


class ConditionalAccessBlocked(SignInError):
    code = "conditional_access"


class ConsentRequired(SignInError):
    code = "consent_required"


class BadPassword(SignInError):
    code = "bad_password"


class SignInExpired(SignInError):
    """The saved sign-in can no longer be used silently: sign in again."""

    code = "signin_expired"
    action = Action.SIGN_IN


class WrongTenant(SignInError):
    code = "wrong_tenant"


class AccountDisabled(SignInError):
    code = "account_disabled"


class DeviceCodeExpired(SignInError):
    code = "device_code_expired"


class AppNotRegistered(SignInError):
    code = "app_not_registered"


class InvalidScope(SignInError):
    code = "invalid_scope"


class ReplyUrlMismatch(SignInError):
    code = "reply_url_mismatch"


class SignInCancelled(SignInError):
    code = "cancelled"


class NoBrowser(SignInError):
    """The system's browser launcher failed (no browser, no handler, a broken ``BROWSER``)."""

    code = "no_browser"
    action = Action.DEVICE_CODE
    template = "No web browser could be opened for sign-in."
    fix_template = ("Open the sign-in address in a web browser yourself, or sign in with a code "
                    "on another device.")


class BrowserSignInTimedOut(SignInCancelled):
    """Nobody finished the browser sign-in in time (the loopback waited ``minutes``)."""

    code = "signin_timeout"
    action = Action.DEVICE_CODE
    template = "The sign-in was not completed in the browser within {minutes} minutes."
    fix_template = "Start it again, or sign in with a code on another device."


class NotSignedIn(SignInError):
    """No saved sign-in for this org/account: an interactive sign-in is needed."""

    code = "signin_required"
    action = Action.SIGN_IN


class NotSignedInYet(NotSignedIn):
    template = "You are not signed in yet."
    fix_template = "Sign in."


class NotSignedInAs(NotSignedIn):
    template = "You are not signed in as {username} yet."
    fix_template = "Sign in."


class SavedSignInUnusable(NotSignedIn):
    template = "Your saved sign-in cannot be used for this organization."
    fix_template = "Sign in again."


_SIGN_IN_AGAIN = "Sign in again."
_ADMIN = "your administrator"

# AADSTS number -> (class, message, fix)
_TABLE: dict[int, tuple[type[SignInError], str, str]] = {
    50076: (MfaRequired,
            "Your organization requires multi-factor authentication (a code or app "
            "approval) for this sign-in.",
            "Sign in with the browser or a device code so you can complete the second "
            "step; signing in with only a password cannot do that."),
    50079: (MfaEnrollmentRequired,
            "Your account must be set up for multi-factor authentication before you can "
            "sign in.",
            "Sign in once at https://aka.ms/mfasetup in a browser to register a phone or "
            "authenticator app, then try again."),
    53003: (ConditionalAccessBlocked,
            "Your organization's access policy (conditional access) blocked this sign-in.",
            f"Ask {_ADMIN} which devices, locations or apps are allowed; the details below "
            "help them find the policy."),
    65001: (ConsentRequired,
            "This app has not been allowed (consented) to use Dynamics 365 on your behalf.",
            f"Sign in interactively and accept the consent prompt, or ask {_ADMIN} to grant "
            "admin consent for the app."),
    65004: (ConsentRequired,
            "Permission for this app to use Dynamics 365 was declined.",
            "Sign in again and accept the consent prompt, or ask your administrator to "
            "grant consent."),
    50126: (BadPassword,
            "The user name or password is incorrect.",
            "Check the user name (usually your work e-mail address) and the password, and "
            "watch Caps Lock."),
    700082: (SignInExpired,
             "Your saved sign-in expired because it was not used for a long time.",
             _SIGN_IN_AGAIN),
    50173: (SignInExpired,
            "Your saved sign-in is no longer valid (for example, your password was changed "
            "or an administrator revoked sessions).",
            _SIGN_IN_AGAIN),
    50058: (SignInExpired,
            "You are not signed in any more.",
            _SIGN_IN_AGAIN),
    50020: (WrongTenant,
            "Your account is not a member of the organization's directory (tenant).",
            "Sign in with the account your company gave you for this organization, or ask "
            "its administrator to invite you as a guest."),
    90002: (WrongTenant,
            "The directory (tenant) for this sign-in was not found.",
            "Check the organization address; if your company uses a sovereign cloud "
            "(GCC High, DoD, China), choose that cloud."),
    500011: (WrongTenant,
             "Dynamics 365 was not found in your organization's directory for this address.",
             "Check the organization address (typos, region number) and that you sign in "
             "with an account of the company that owns it."),
    50057: (AccountDisabled,
            "Your user account is disabled.",
            f"Ask {_ADMIN} to enable the account."),
    70019: (DeviceCodeExpired,
            "The sign-in code expired before it was entered.",
            "Start the sign-in again and enter the new code within 15 minutes."),
    70016: (DeviceCodeExpired,
            "The sign-in code was not entered in time.",
            "Start the sign-in again and enter the code at the address shown."),
    50034: (BadPassword,
            "No account with this user name exists in the directory.",
            "Check the user name (usually your work e-mail address)."),
    700016: (AppNotRegistered,
             "The sign-in app is not known in your organization's directory.",
             f"Ask {_ADMIN} to allow the app, or use the client id your company provides "
             "(cloud file field client_id)."),
    700011: (AppNotRegistered,
             "The sign-in app is not registered in your organization's directory.",
             f"Ask {_ADMIN} to allow the app, or use the client id your company provides "
             "(cloud file field client_id)."),
    70011: (InvalidScope,
            "The sign-in asked for a permission the directory does not know (invalid scope).",
            "Check the organization address; if it is right, send the details to your "
            "administrator."),
    50011: (ReplyUrlMismatch,
            "The sign-in app's reply address is not allowed by the directory.",
            f"Ask {_ADMIN} to add http://localhost as a redirect URI for the app, or use "
            "device-code sign-in."),
}

_BY_ERROR: dict[str, tuple[type[SignInError], str, str]] = {
    "invalid_grant": (SignInExpired, "Your saved sign-in can no longer be used.",
                      _SIGN_IN_AGAIN),
    "interaction_required": (SignInExpired,
                             "The directory needs you to sign in interactively.",
                             _SIGN_IN_AGAIN),
    "expired_token": (DeviceCodeExpired, "The sign-in code expired before it was entered.",
                      "Start the sign-in again."),
    "authorization_declined": (SignInCancelled, "The sign-in was declined.",
                               "Start it again if that was a mistake."),
    "access_denied": (SignInCancelled, "The sign-in was cancelled or refused.",
                      "Start it again if that was a mistake."),
    "invalid_client": (AppNotRegistered, "The directory does not accept this sign-in app.",
                       f"Ask {_ADMIN} about the app registration (client id)."),
}


def aadsts_code(result: Mapping[str, Any]) -> int | None:
    codes = result.get("error_codes")
    if isinstance(codes, list):
        for c in codes:
            try:
                return int(c)
            except (TypeError, ValueError):
                continue
    match = _AADSTS.search(str(result.get("error_description") or ""))
    return int(match.group(1)) if match else None


def signin_error(result: Mapping[str, Any], *, context: str | None = None) -> SignInError:
    """The SignInError for an msal/Entra error result (a dict with ``error``)."""
    code = aadsts_code(result)
    error = str(result.get("error") or "") or None
    description = str(result.get("error_description") or "").strip()
    details = "; ".join(x for x in (
        f"error={error}" if error else "",
        description.splitlines()[0] if description else "",
        f"correlation_id={result['correlation_id']}" if result.get("correlation_id") else "",
    ) if x)
    if code in _TABLE:
        cls, message, fix = _TABLE[code]
    elif error in _BY_ERROR:
        cls, message, fix = _BY_ERROR[error]
    else:
        cls = SignInError
        message = "Signing in did not work" + (f" (AADSTS{code})." if code else ".")
        if description:
            message += " The sign-in service said: " + description.splitlines()[0]
        fix = ("Try again; if it keeps failing, send the details to your administrator.")
    if context:
        message = f"{context}: {message}"
    return cls(message, fix=fix, details=details or None, aadsts=code, error=error)
