"""The in-app sign-in: the app answers the authority's own sign-in form for the user.

msal's auth-code flow normally opens the system browser. Where the authority's form is the
simple one Entra shows (``login``/``passwd``, then ``otc`` for a verification code) and the
user typed their name, password and code into the app, :class:`FormSignIn` plays the browser
instead: it reads each page, answers the form, and hands the final answer (``form_post`` or
redirect) to msal's loopback listener as a browser would. The sandbox tenant relies on it:
no system browser has to trust the sandbox CA.

The front ends only call :func:`sign_in_with_form`; nothing here knows a widget or a command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import requests

from wizard.engine.signin_errors import BadPassword, MfaRequired, SignInError

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.auth import Authenticator, SignInResult
    from wizard.engine.connect import SignInTarget

#: How long msal waits for the loopback answer of an in-app sign-in (seconds).
FORM_SIGNIN_TIMEOUT_S = 30
_MAX_PAGES = 8


class SignInPageFailed(SignInError):
    """The sign-in page answered with an error page instead of a form."""

    code = "signin_failed"
    template = "The sign-in page reported a problem: {page_text}"
    fix_template = "Try again."

    def __init__(self, *, page_text: str) -> None:
        super().__init__(page_text=page_text)


class SignInPageEmpty(SignInError):
    code = "signin_failed"
    template = "The sign-in page failed."
    fix_template = "Try again."

    def __init__(self) -> None:
        super().__init__()


class SignInPageUnanswerable(SignInError):
    code = "signin_failed"
    template = "The sign-in page asked for something this app cannot answer."
    fix_template = "Use sign-in with a code instead."

    def __init__(self) -> None:
        super().__init__()


class SignInUnfinished(SignInError):
    code = "signin_failed"
    template = "The sign-in did not finish."
    fix_template = "Try again."

    def __init__(self) -> None:
        super().__init__()


class VerificationCodeNeeded(MfaRequired):
    template = "Your organization requires multi-factor authentication."
    fix_template = "Enter the verification code from your authenticator app."

    def __init__(self) -> None:
        super().__init__()


class VerificationCodeRejected(MfaRequired):
    template = "The verification code was not accepted."
    fix_template = "Check the code and try again."

    def __init__(self, *, details: str) -> None:
        super().__init__(details=details)


class PasswordRejected(BadPassword):
    template = "The user name or password is not correct."
    fix_template = "Check them and try again."

    def __init__(self, *, details: str) -> None:
        super().__init__(details=details)


@dataclass(frozen=True)
class FormAnswers:
    """What the user typed into the app for the authority's form."""

    username: str
    password: str = field(repr=False)
    mfa_code: str = field(default="", repr=False)


class SignInPage:
    """The first form of an HTML page (action, inputs), its error paragraph and its text."""

    def __init__(self, page: str) -> None:
        self.action: str | None = None
        self.inputs: dict[str, str] = {}
        self.hidden: dict[str, str] = {}
        self.error = ""
        self._text: list[str] = []
        parser = _FormParser(self)
        parser.feed(page)
        parser.close()
        self.error = " ".join(self.error.split())

    @property
    def text(self) -> str:
        return " ".join("".join(self._text).split())


class _FormParser(HTMLParser):
    def __init__(self, page: SignInPage) -> None:
        super().__init__()
        self.page = page
        self.in_form = False
        self.in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        page = self.page
        if tag == "form" and page.action is None:
            page.action = a.get("action", "")
            self.in_form = True
        elif tag == "input" and self.in_form and a.get("name"):
            page.inputs[a["name"]] = a.get("value", "")
            if a.get("type") == "hidden":
                page.hidden[a["name"]] = a.get("value", "")
        elif "error" in a.get("class", "").split():
            self.in_error = True

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        if tag == "p":
            self.in_error = False

    def handle_data(self, data: str) -> None:
        self.page._text.append(data)  # noqa: SLF001 - the parser fills its own page
        if self.in_error:
            self.page.error += data


class FormSignIn:
    """msal's ``open_browser``: answers the authority's sign-in form with ``answers``."""

    def __init__(self, session: requests.Session, answers: FormAnswers) -> None:
        self.session = session
        self.answers = answers

    @staticmethod
    def _loopback(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")

    @staticmethod
    def _deliver(method: str, url: str, data: dict[str, str] | None = None) -> None:
        with requests.Session() as plain:   # the loopback is plain HTTP on this machine
            plain.trust_env = False
            plain.request(method, url, data=data, timeout=10).close()

    def __call__(self, url: str) -> None:
        response = self.session.get(url, allow_redirects=False)
        for _ in range(_MAX_PAGES):
            if response.is_redirect:
                location = urljoin(response.url, response.headers["Location"])
                response.close()
                if self._loopback(location):
                    self._deliver("GET", location)
                    return
                response = self.session.get(location, allow_redirects=False)
                continue
            page = SignInPage(response.text)
            base = response.url
            response.close()
            if page.action is None:
                if page.text:
                    raise SignInPageFailed(page_text=page.text[:300])
                raise SignInPageEmpty()
            action = urljoin(base, page.action)
            if self._loopback(action):
                self._deliver("POST", action, page.hidden)
                return
            response = self.session.post(action, data=self._answer(page), allow_redirects=False)
        raise SignInUnfinished()

    def _answer(self, page: SignInPage) -> dict[str, str]:
        fields = dict(page.hidden)
        if "otc" in page.inputs:
            if not self.answers.mfa_code:
                raise VerificationCodeNeeded()
            if page.error:
                raise VerificationCodeRejected(details=page.error)
            fields["otc"] = self.answers.mfa_code
        elif "passwd" in page.inputs:
            if page.error:
                raise PasswordRejected(details=page.error)
            fields["login"] = self.answers.username
            fields["passwd"] = self.answers.password
        else:
            raise SignInPageUnanswerable()
        return fields


def sign_in_with_form(authenticator: Authenticator, session: requests.Session,
                      target: SignInTarget, answers: FormAnswers) -> SignInResult:
    """Sign in through msal's auth-code flow with the app answering the sign-in form."""
    return authenticator.interactive(
        target.authority, target.scopes, login_hint=answers.username, prompt="login",
        client_id=target.client_id, open_browser=FormSignIn(session, answers),
        timeout=FORM_SIGNIN_TIMEOUT_S)
