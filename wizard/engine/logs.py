"""Rotated, redacted log files, and the one ``redact()`` that logs and diagnostics share.

Call :func:`setup_logging` once per process, right after the command line is parsed:

* CLI (``d365-orgs``): done in ``wizard.cli.main`` (file ``d365-orgs.log``).
* GUI (``d365-wizard``): call ``setup_logging(engine.paths, verbose=args.verbose,
  name="d365-wizard")`` in ``wizard.gui.app.main`` before the first window; it is cheap
  (no network, no keyring) and safe to call again (it replaces its own handlers only).

Everything that reaches our handlers passes :class:`RedactingFilter` and is formatted by
:class:`RedactingFormatter`, so a token that some library (msal, urllib3) logs is masked
before it is written, tracebacks included. The CLI and the GUI write separate files so
two processes never rotate the same file (rotation of a shared file fails on Windows).
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from wizard.engine.fileio import FileProblem, ensure_private_dir, foreign_owner, open_private_append
from wizard.engine.paths import AppPaths

MASK = "[REDACTED]"

LOG_MAX_BYTES = 1_000_000
LOG_BACKUP_COUNT = 5
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(name)s: %(message)s"

# Names whose values are secrets wherever they appear as key=value or "key": "value".
# ``code`` (the OAuth authorization code) is handled separately: "code" is also the name
# of every error code we want to keep readable.
SECRET_KEYS = (
    "access_token", "refresh_token", "id_token", "client_secret", "client_assertion",
    "assertion", "device_code", "code_verifier", "password", "passwd", "pwd", "passphrase",
    "secret", "api_key", "apikey", "api-key", "session_key", "sessionkey", "token", "sas",
    "cookie", "samlresponse", "samlart", "wresult", "subscription-key", "subscription_key",
    "accountkey", "sharedaccesskey", "sharedaccesssignature", "functions-key",
)
# Whole values masked. WWW-Authenticate is not: its Bearer challenge (authority, resource)
# is what diagnosis needs; NTLM/Negotiate blobs in it are masked by the blob patterns.
SENSITIVE_HEADERS = ("authorization", "proxy-authorization", "cookie", "set-cookie",
                     "x-ms-refresh-token", "x-api-key", "api-key", "apikey",
                     "ocp-apim-subscription-key", "x-functions-key", "x-goog-api-key",
                     "x-auth-token", "x-csrf-token", "x-xsrf-token", "x-amz-security-token")

_KEYS = "|".join(sorted((re.escape(k) for k in SECRET_KEYS), key=len, reverse=True))
_HEADERS = "|".join(re.escape(h) for h in SENSITIVE_HEADERS)

# An error code such as 0x80040265, invalid_grant or 401 is kept; an OAuth code is not.
_ERROR_CODE_VALUE = re.compile(r"0x[0-9A-Fa-f]{1,8}|[A-Za-z]+(?:[_.\-][A-Za-z]+)*|\d{1,6}|")

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Header lines "Authorization: Bearer ..." (to the end of the line) ...
    (re.compile(rf"(?im)((?:{_HEADERS})\s*:[ \t]*)[^\r\n]+"), rf"\1{MASK}"),
    # ... and URL-encoded: "Authorization%3A%20Bearer%20...", "authorization=Bearer%20..."
    (re.compile(rf"(?i)((?:{_HEADERS})(?:%22|%27)?(?:%3A|%3D|=)(?:%20|%22|%27|\+)*+)"
                r"(?!\[REDACTED)[^\s&;'\"<>]+"), rf"\1{MASK}"),
    # a SAML assertion as XML (decoded SAMLResponse / WS-Federation wresult)
    (re.compile(r"(?is)<(?:[\w-]+:)?Assertion\b.*?</(?:[\w-]+:)?Assertion\s*>"), MASK),
    # cookie jars as requests prints them: <Cookie ESTSAUTH=... for .example.com/>
    (re.compile(r"(?i)(<Cookie\s+[^=\s]+=)[^\s>]+"), rf"\1{MASK}"),
    # Shared Access Signatures (Azure Storage, Service Bus): ...&sig=<base64>
    (re.compile(r"(?i)((?:^|[?&;\s'\"])sig(?:=|%3D))(?!\[REDACTED)[^\s&;'\"<>]+"),
     rf"\1{MASK}"),
    # ... and headers inside dict reprs / JSON: 'Authorization': 'Bearer ...'
    (re.compile(rf"(?i)(['\"](?:{_HEADERS})['\"]\s*[:=]\s*)(['\"])(?:\\.|(?!\2).)*\2"),
     rf"\1\2{MASK}\2"),
    # Credentials in URLs: scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s/@:'\"<>]*:[^\s/@'\"<>]*@"), rf"\1{MASK}@"),
    # JSON / repr: "password": "value" (any quoting, escaped quotes inside)
    (re.compile(rf"(?i)(['\"][\w\-]*(?:{_KEYS})['\"]\s*[:=]\s*)(['\"])(?:\\.|(?!\2).)*\2"),
     rf"\1\2{MASK}\2"),
    # JSON / repr with a bare (non-string) value: "password": 12345
    (re.compile(rf"(?i)(['\"][\w\-]*(?:{_KEYS})['\"]\s*:\s*)(?!['\"\s])[^,}}\]\s]+"),
     rf"\1{MASK}"),
    # query strings, form bodies, "key=value" and "key: value" in prose
    (re.compile(rf"(?i)([\w\-]*(?:{_KEYS})(?:%22|['\"])?\s*(?:=|:|%3D)\s*['\"]?)"
                rf"(?!\[REDACTED)[^\s&;'\"<>]+"), rf"\1{MASK}"),
    # the OAuth authorization code in query strings and form bodies
    (re.compile(r"(?i)((?:^|[?&;#\s'\"])code=)[^\s&;#'\"<>]+"), rf"\1{MASK}"),
    # Entra refresh tokens ("0.A..." / "1.A...") wherever they appear
    (re.compile(r"(?<![A-Za-z0-9_.\-])[01]\.A[A-Za-z0-9_\-.]{40,}"), MASK),
    # JWTs anywhere (access and id tokens), also truncated ones
    (re.compile(r"eyJ[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]*){0,2}"), MASK),
    # Authorization schemes followed by their credential, wherever they appear
    # (not a challenge's parameters: Bearer authorization_uri="...", realm="...")
    (re.compile(r"(?i)(Bearer|Basic|Digest|NTLM|Negotiate|Kerberos)(\s+)(?!\[REDACTED)"
                r"(?![A-Za-z_]+=\s*\"?[A-Za-z])[A-Za-z0-9+/._~\-]{8,}=*"), rf"\1\2{MASK}"),
    # ... also URL-encoded ("Bearer%20eyJ...", "Basic+dXNlcjpw...")
    (re.compile(r"(?i)(Bearer|Basic|Digest|NTLM|Negotiate)(%20|\+)(?!\[REDACTED)"
                r"[A-Za-z0-9+/._~%\-]{8,}"), rf"\1\2{MASK}"),
    # bare NTLMSSP ("TlRMTVNTUA" is base64 of "NTLMSSP\0") and SPNEGO/Kerberos blobs
    (re.compile(r"TlRMTVNTUA[A-Za-z0-9+/]*=*"), MASK),
    (re.compile(r"\b(?:YII|oYI|oRs|oXs|oYH)[A-Za-z0-9+/]{20,}=*"), MASK),
)


def _redact_json_code(match: re.Match[str]) -> str:
    value = match.group(3)
    if _ERROR_CODE_VALUE.fullmatch(value):
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{MASK}{match.group(2)}"


_JSON_CODE = re.compile(r"""(?i)(['"]code['"]\s*:\s*)(['"])((?:\\.|(?!\2).)*)\2""")


def redact(text: str) -> str:
    """``text`` with every token, password, cookie and credential header value masked.

    Idempotent (``redact(redact(t)) == redact(t)``); it never raises. Used for log
    records and for everything written into a diagnostics bundle.
    """
    if not text:
        return text
    out = text
    for pattern, replacement in _PATTERNS:
        out = pattern.sub(replacement, out)
    return _JSON_CODE.sub(_redact_json_code, out)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (arguments merged in) to its redacted form."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted output, so tracebacks and stack info are covered too."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Log files readable by their owner only (they hold org URLs and user names), opened
    without following a symbolic link planted in their place (``O_NOFOLLOW``)."""

    def _open(self) -> io.TextIOWrapper:
        return open_private_append(self.baseFilename, encoding=self.encoding or "utf-8")

    def shouldRollover(self, record: logging.LogRecord) -> int:  # noqa: N802 - base class
        # The base class stats the path (following links) to decide; rotating renames
        # files, which never follows a link, and the new file is opened as above.
        try:
            return super().shouldRollover(record)
        except OSError:
            return False


_OWN_HANDLER = "_d365_wizard_handler"


@dataclass(frozen=True)
class LogSetup:
    log_file: Path | None          # None when the log dir could not be used
    level: int
    problem: str | None = None     # why there is no log file, in words
    warnings: tuple[str, ...] = ()  # e.g. the home belongs to another user


def log_file_for(paths: AppPaths, name: str = "d365-orgs") -> Path:
    return paths.log_dir / f"{name}.log"


def setup_logging(paths: AppPaths, verbose: bool = False, *, name: str = "d365-orgs",
                  console: TextIO | None = None) -> LogSetup:
    """Send log records to ``<log_dir>/<name>.log`` (rotated) and, optionally, ``console``.

    INFO and above normally; DEBUG everywhere (our code, msal, urllib3) with ``verbose``.
    ``console`` (e.g. ``sys.stderr`` for ``d365-orgs --verbose``) gets the same redacted
    records. An unwritable log dir does not stop the app: the result names the problem.
    """
    level = logging.DEBUG if verbose else logging.INFO
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OWN_HANDLER, False):
            root.removeHandler(handler)
            handler.close()
    formatter = RedactingFormatter(LOG_FORMAT)
    target = log_file_for(paths, name)
    log_file: Path | None = target
    problem = None
    try:
        ensure_private_dir(paths.log_dir, what="the log folder")
        file_handler: logging.Handler = _PrivateRotatingFileHandler(
            target, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUP_COUNT, encoding="utf-8")
    except FileProblem as exc:
        problem = f"Logs cannot be written: {exc}"
        log_file = None
    except OSError as exc:
        problem = f"Logs cannot be written to {paths.log_dir}: {exc.strerror or exc}."
        log_file = None
    else:
        _install(root, file_handler, formatter, level)
    if console is not None:
        _install(root, logging.StreamHandler(console), formatter, level)
    root.setLevel(level)
    # Chatty libraries stay at WARNING unless the user asked for detail.
    for noisy in ("urllib3", "msal", "keyring", "filelock", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("wizard").info(
        "d365-wizard %s starting (%s, Python %s, %s)", _version(), name,
        sys.version.split()[0], sys.platform)
    warnings = home_warnings(paths)
    for w in warnings:
        logging.getLogger("wizard").warning("%s", w)
    return LogSetup(log_file, level, problem, tuple(warnings))


def home_warnings(paths: AppPaths) -> list[str]:
    """Folders of the home that belong to another user: that user could read the org list
    and logs, or plant links and files (warned about, not refused: an administrator may
    have prepared the folder)."""
    out = []
    for folder in dict.fromkeys((paths.config_dir.parent, paths.config_dir, paths.data_dir,
                                 paths.cache_dir, paths.log_dir)):
        owner = foreign_owner(folder)
        if owner is not None:
            out.append(f"The folder {folder} belongs to another user (uid {owner}); that user "
                       "can read or change d365-wizard's files. Use a folder of your own "
                       "(--home DIR or D365_WIZARD_HOME).")
    return out


def _install(root: logging.Logger, handler: logging.Handler, formatter: logging.Formatter,
             level: int) -> None:
    handler.setFormatter(formatter)
    handler.addFilter(RedactingFilter())
    handler.setLevel(level)
    setattr(handler, _OWN_HANDLER, True)
    root.addHandler(handler)


def active_log_file() -> Path | None:
    """The log file this process writes (set up by :func:`setup_logging`), if any."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, _OWN_HANDLER, False) and isinstance(
                handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def shutdown_logging() -> None:
    """Close our handlers (tests and embedders; the interpreter does this at exit)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OWN_HANDLER, False):
            root.removeHandler(handler)
            handler.close()


def recent_log_text(paths: AppPaths, max_bytes: int = 256_000) -> dict[str, str]:
    """The newest ``max_bytes`` of each log file (current and rotated), redacted again.

    Keyed by file name; used by the diagnostics bundle.
    """
    out: dict[str, str] = {}
    if not paths.log_dir.is_dir():
        return out
    files = sorted(p for p in paths.log_dir.iterdir()
                   if ".log" in p.name and not p.is_symlink() and p.is_file())
    nofollow = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    for path in files:
        try:
            fd = os.open(path, os.O_RDONLY | nofollow)   # never a planted link's target
            with os.fdopen(fd, "rb") as fh:
                st = os.fstat(fh.fileno())
                if not stat.S_ISREG(st.st_mode):
                    continue
                size = st.st_size
                if size > max_bytes:
                    fh.seek(size - max_bytes)
                data = fh.read(max_bytes)
        except OSError:
            continue
        text = data.decode("utf-8", errors="replace")
        if size > max_bytes:
            text = text.split("\n", 1)[-1]  # drop the partial first line
        out[path.name] = redact(text)
    return out


def _version() -> str:
    from wizard import __version__

    return __version__
