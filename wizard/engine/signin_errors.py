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
from typing import Any, ClassVar

from wizard.engine.errors import Action, WizardError
from wizard.engine.http_errors import NetworkError

_AADSTS = re.compile(r"AADSTS(\d+)")


class SignInError(WizardError):
    """Signing in did not work. ``aadsts`` is Entra's error number when there is one."""

    code = "signin_failed"

    def __init__(self, *, aadsts: int | None = None, error: str | None = None, **kw: Any) -> None:
        super().__init__(aadsts=aadsts, error=error, **kw)
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
    template = "The sign-in was cancelled."


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
    count_param = "minutes"
    template = "The sign-in was not completed in the browser within {minutes} minutes."
    one_template = "The sign-in was not completed in the browser within a minute."
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


class NewSignInAsked(NotSignedIn):
    template = "A new sign-in was asked for."


class AccountAmbiguous(NotSignedIn):
    code = "account_ambiguous"
    template = "Several accounts are signed in; say which one to use."
    fix_template = "Say which user name to use, or sign in again."


class TokenCacheReset(NotSignedIn):
    """The saved sign-ins could not be read (``reason``) and were moved to ``moved_to``."""

    code = "token_cache_reset"
    template = "Your saved sign-ins could not be read ({reason}). It was moved to {moved_to}."
    fix_template = "Sign in again; nothing else was lost."


class TokenCacheDropped(TokenCacheReset):
    """As :class:`TokenCacheReset`, but the damaged file could not even be moved aside."""

    template = "Your saved sign-ins could not be read ({reason})."


class CredentialsRequired(SignInError):
    code = "credentials_required"
    action = Action.ENTER_CREDENTIALS
    template = "A user name and password are needed for this sign-in."
    fix_template = "Give the user name and password, or sign in with the browser."


class AuthorityInvalid(SignInError):
    code = "authority_invalid"
    template = "The sign-in service at {authority} could not be used."
    fix_template = "Check the cloud file's 'authority' or the organization address."


class AuthorityUnknown(SignInError):
    code = "authority_unknown"
    template = "This organization did not say where to sign in."
    fix_template = "Check the address, or give the cloud with --cloud/--cloud-file."


class BrowserAnswerMismatch(SignInError):
    code = "signin_state_mismatch"
    template = "The browser returned an answer that does not belong to this sign-in."
    fix_template = "Start the sign-in again."


class NoAnswer(SignInError):
    template = "The sign-in service did not answer."
    fix_template = "Try again."


class SignInServiceUnreachable(NetworkError):
    """``cause`` is the network error; its code, ``kind`` and ``host`` are this one's."""

    keeps_cause_code = True
    template = "Could not reach the sign-in service: {cause}"

    def __init__(self, *, cause: NetworkError, **kw: Any) -> None:
        super().__init__(cause=cause, host=cause.host, details=cause.details, **kw)
        self.kind = cause.kind


class WindowsAuthFailed(SignInError):
    code = "windows_auth_failed"
    template = "Windows sign-in could not start."
    fix_template: ClassVar[str | None] = "Check the user name (DOMAIN\\user or user@domain)."


class WindowsAnswerNotUnderstood(WindowsAuthFailed):
    template = "The server's Windows sign-in answer was not understood."
    fix_template = None


class WindowsPasswordRejected(BadPassword):
    """``user`` is the Windows user name that was refused."""

    action = Action.ENTER_PASSWORD
    template = "The server did not accept the Windows user name or password for {user}."
    fix_template = "Check the user name (DOMAIN\\user) and the password, and watch Caps Lock."


class SavedSignInUnusable(NotSignedIn):
    template = "Your saved sign-in cannot be used for this organization."
    fix_template = "Sign in again."


# -- what Entra ID said, by AADSTS number or OAuth error -----------------------------------

class MfaNeeded(MfaRequired):
    """AADSTS50076."""

    template = ("Your organization requires multi-factor authentication (a code or app approval) "
                "for this sign-in.")
    fix_template = ("Sign in with the browser or a device code so you can complete the second "
                    "step; signing in with only a password cannot do that.")


class MfaNotSetUp(MfaEnrollmentRequired):
    """AADSTS50079."""

    template = "Your account must be set up for multi-factor authentication before you can sign in."
    fix_template = ("Sign in once at https://aka.ms/mfasetup in a browser to register a phone or "
                    "authenticator app, then try again.")


class BlockedByPolicy(ConditionalAccessBlocked):
    """AADSTS53003."""

    template = "Your organization's access policy (conditional access) blocked this sign-in."
    fix_template = ("Ask your administrator which devices, locations or apps are allowed; the "
                    "details below help them find the policy.")


class AppNotConsented(ConsentRequired):
    """AADSTS65001."""

    template = "This app has not been allowed (consented) to use Dynamics 365 on your behalf."
    fix_template = ("Sign in interactively and accept the consent prompt, or ask your "
                    "administrator to grant admin consent for the app.")


class ConsentDeclined(ConsentRequired):
    """AADSTS65004."""

    template = "Permission for this app to use Dynamics 365 was declined."
    fix_template = ("Sign in again and accept the consent prompt, or ask your administrator to "
                    "grant consent.")


class WrongPassword(BadPassword):
    """AADSTS50126."""

    template = "The user name or password is incorrect."
    fix_template = ("Check the user name (usually your work e-mail address) and the password, and "
                    "watch Caps Lock.")


class SignInUnused(SignInExpired):
    """AADSTS700082."""

    template = "Your saved sign-in expired because it was not used for a long time."
    fix_template = "Sign in again."


class SignInRevoked(SignInExpired):
    """AADSTS50173."""

    template = ("Your saved sign-in is no longer valid (for example, your password was changed or "
                "an administrator revoked sessions).")
    fix_template = "Sign in again."


class NoLongerSignedIn(SignInExpired):
    """AADSTS50058."""

    template = "You are not signed in any more."
    fix_template = "Sign in again."


class NotInTenant(WrongTenant):
    """AADSTS50020."""

    template = "Your account is not a member of the organization's directory (tenant)."
    fix_template = ("Sign in with the account your company gave you for this organization, or ask "
                    "its administrator to invite you as a guest.")


class TenantNotFound(WrongTenant):
    """AADSTS90002."""

    template = "The directory (tenant) for this sign-in was not found."
    fix_template = ("Check the organization address; if your company uses a sovereign cloud (GCC "
                    "High, DoD, China), choose that cloud.")


class DynamicsNotInTenant(WrongTenant):
    """AADSTS500011."""

    template = "Dynamics 365 was not found in your organization's directory for this address."
    fix_template = ("Check the organization address (typos, region number) and that you sign in "
                    "with an account of the company that owns it.")


class UserDisabled(AccountDisabled):
    """AADSTS50057."""

    template = "Your user account is disabled."
    fix_template = "Ask your administrator to enable the account."


class CodeExpired(DeviceCodeExpired):
    """AADSTS70019."""

    template = "The sign-in code expired before it was entered."
    fix_template = "Start the sign-in again and enter the new code within 15 minutes."


class CodeNotEntered(DeviceCodeExpired):
    """AADSTS70016."""

    template = "The sign-in code was not entered in time."
    fix_template = "Start the sign-in again and enter the code at the address shown."


class NoSuchUser(BadPassword):
    """AADSTS50034."""

    template = "No account with this user name exists in the directory."
    fix_template = "Check the user name (usually your work e-mail address)."


class AppUnknown(AppNotRegistered):
    """AADSTS700016."""

    template = "The sign-in app is not known in your organization's directory."
    fix_template = ("Ask your administrator to allow the app, or use the client id your company "
                    "provides (cloud file field client_id).")


class AppUnregistered(AppNotRegistered):
    """AADSTS700011."""

    template = "The sign-in app is not registered in your organization's directory."
    fix_template = ("Ask your administrator to allow the app, or use the client id your company "
                    "provides (cloud file field client_id).")


class ScopeUnknown(InvalidScope):
    """AADSTS70011."""

    template = "The sign-in asked for a permission the directory does not know (invalid scope)."
    fix_template = ("Check the organization address; if it is right, send the details to your "
                    "administrator.")


class ReplyUrlRefused(ReplyUrlMismatch):
    """AADSTS50011."""

    template = "The sign-in app's reply address is not allowed by the directory."
    fix_template = ("Ask your administrator to add http://localhost as a redirect URI for the app,"
                    " or use device-code sign-in.")


class SavedSignInRefused(SignInExpired):
    """OAuth error ``invalid_grant``."""

    template = "Your saved sign-in can no longer be used."
    fix_template = "Sign in again."


class InteractionRequired(SignInExpired):
    """OAuth error ``interaction_required``."""

    template = "The directory needs you to sign in interactively."
    fix_template = "Sign in again."


class CodeTokenExpired(DeviceCodeExpired):
    """OAuth error ``expired_token``."""

    template = "The sign-in code expired before it was entered."
    fix_template = "Start the sign-in again."


class SignInDeclined(SignInCancelled):
    """OAuth error ``authorization_declined``."""

    template = "The sign-in was declined."
    fix_template = "Start it again if that was a mistake."


class SignInRefused(SignInCancelled):
    """OAuth error ``access_denied``."""

    template = "The sign-in was cancelled or refused."
    fix_template = "Start it again if that was a mistake."


class ClientRefused(AppNotRegistered):
    """OAuth error ``invalid_client``."""

    template = "The directory does not accept this sign-in app."
    fix_template = "Ask your administrator about the app registration (client id)."

#: AADSTS number -> the error that explains it.
_BY_AADSTS: dict[int, type[SignInError]] = {
    50076: MfaNeeded,
    50079: MfaNotSetUp,
    53003: BlockedByPolicy,
    65001: AppNotConsented,
    65004: ConsentDeclined,
    50126: WrongPassword,
    700082: SignInUnused,
    50173: SignInRevoked,
    50058: NoLongerSignedIn,
    50020: NotInTenant,
    90002: TenantNotFound,
    500011: DynamicsNotInTenant,
    50057: UserDisabled,
    70019: CodeExpired,
    70016: CodeNotEntered,
    50034: NoSuchUser,
    700016: AppUnknown,
    700011: AppUnregistered,
    70011: ScopeUnknown,
    50011: ReplyUrlRefused,
}
#: OAuth ``error`` -> the error that explains it (when no AADSTS number is known).
_BY_ERROR: dict[str, type[SignInError]] = {
    "invalid_grant": SavedSignInRefused,
    "interaction_required": InteractionRequired,
    "expired_token": CodeTokenExpired,
    "authorization_declined": SignInDeclined,
    "access_denied": SignInRefused,
    "invalid_client": ClientRefused,
}


class SignInFailed(SignInError):
    """An answer no class above explains; ``server_message`` is the first line of Entra's
    description (variants with and without it and the AADSTS number)."""

    template = "Signing in did not work."
    fix_template = "Try again; if it keeps failing, send the details to your administrator."


class SignInFailedNumbered(SignInFailed):
    template = "Signing in did not work (AADSTS{aadsts})."


class SignInFailedSaying(SignInFailed):
    template = "Signing in did not work. The sign-in service said: {server_message}"


class SignInFailedNumberedSaying(SignInFailed):
    template = "Signing in did not work (AADSTS{aadsts}). The sign-in service said: {server_message}"


class DeviceCodeNotStarted(SignInError):
    """The device-code flow could not start; ``cause`` says why (its code is reported)."""

    keeps_cause_code = True
    template = "Could not start a device-code sign-in: {cause}"


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


def signin_error(result: Mapping[str, Any]) -> SignInError:
    """The SignInError for an msal/Entra error result (a dict with ``error``)."""
    code = aadsts_code(result)
    error = str(result.get("error") or "") or None
    description = str(result.get("error_description") or "").strip()
    details = "; ".join(x for x in (
        f"error={error}" if error else "",
        description.splitlines()[0] if description else "",
        f"correlation_id={result['correlation_id']}" if result.get("correlation_id") else "",
    ) if x)
    known: dict[str, Any] = {"aadsts": code, "error": error, "details": details or None}
    if code in _BY_AADSTS:
        return _BY_AADSTS[code](**known)
    if error in _BY_ERROR:
        return _BY_ERROR[error](**known)
    if description:
        cls = SignInFailedNumberedSaying if code else SignInFailedSaying
        return cls(server_message=description.splitlines()[0], **known)
    return (SignInFailedNumbered if code else SignInFailed)(**known)
