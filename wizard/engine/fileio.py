"""Every file the app reads or writes goes through here: bounded reads, private writes,
and one classifier that turns an operating-system error into a plain message.

Reading **input files** (a deployment file, a cloud file, a CA bundle, a password file, an
import file; anything a user or an administrator names) with :func:`read_input`,
:func:`read_text` or :func:`read_json`:

- only regular files: a directory, a FIFO, a device (``/dev/zero``) or a socket is refused
  before a single byte is read, so nothing hangs or fills memory (the file is opened
  non-blocking and checked with ``fstat`` on the descriptor, so a file swapped in between
  cannot slip through);
- at most ``max_bytes`` (the file's size is checked first, and the read stops one byte
  past the cap whatever ``stat`` said);
- text is strict UTF-8 (a BOM is dropped), and the message names the byte that is wrong;
- JSON is nested at most ``max_depth`` levels (checked before parsing, so no recursion
  limit is ever reached), a key may appear only once per object, and ``NaN``/``Infinity``
  are refused.

The app's **own files** (the registry, state files, caches) are read with
``private=True``: then a symbolic link in place of the file is refused as well.

**Writing** (:func:`write_private`, :func:`write_private_json`): every file the app writes
(settings, state, caches, logs, exports, diagnostics bundles, copies of cloud files) is
readable by its owner only (0600; folders the app creates are 0700), and replaces the old
content atomically: a temp file in the same folder, written, fsynced, renamed over the
target, then the folder fsynced. A symbolic link or a folder where the file should be is
refused, never followed or replaced, and the temp file is created with ``O_EXCL`` and
``O_NOFOLLOW`` so a link planted under its name cannot redirect the write.

**Errors**: :func:`classify_os_error` and :func:`classify_sqlite_error` map what the OS or
SQLite said (read-only file system, disk full or quota exceeded, permission denied, a
folder or link where a file should be, a file where a folder should be, a damaged
database) to :class:`FileProblem` subclasses with a stable ``code``, neutral text and a fix.
A full disk is never called a damaged file.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import secrets
import sqlite3
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from wizard.engine.errors import Action, ConfigError, _Params

DEFAULT_MAX_BYTES = 1_000_000
DEFAULT_MAX_DEPTH = 32
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
MAX_NAME_BYTES = 255

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


# -- errors ----------------------------------------------------------------------------------
class FileProblem(ConfigError):
    """A file or folder could not be used. ``params``: ``path``, ``what`` (e.g. "the
    deployment file"), ``verb`` ("read" / "write" / "open")."""

    code = "file_error"
    template = "Could not {verb} {what} {path}: {reason}."
    fix_template = "Check the file and try again."

    def __init__(self, **params: Any) -> None:
        params.setdefault("what", "the file")
        params.setdefault("verb", "use")
        params.setdefault("reason", "the operating system refused")
        super().__init__(**params)
        self.path = params.get("path")

    def _compose(self, template: str | None) -> str:
        # ``{What}``: the ``what`` field with a capital letter, for a sentence's start.
        if not template:
            return ""
        what = str(self.params.get("what") or "the file")
        return template.format_map(_Params({**self.params,
                                            "What": what[:1].upper() + what[1:]}))


class FileNotFound(FileProblem):
    code = "file_not_found"
    template = "{What} {path} does not exist."
    fix_template = "Check the path."


class DiskFull(FileProblem):
    code = "disk_full"
    template = ("There is no space left on the disk (or your disk quota is used up), so "
                "{what} {path} could not be written.")
    fix_template = ("Free some disk space (or ask IT to raise the quota) and try again. "
                    "Nothing was changed.")
    action = Action.RETRY


class ReadOnlyLocation(FileProblem):
    code = "read_only"
    template = "{path} cannot be written: the disk or folder is read-only."
    fix_template = ("Use a folder you can write to (--home DIR or the D365_WIZARD_HOME "
                    "setting), or ask IT why your home folder is read-only.")


class PermissionDenied(FileProblem):
    code = "permission_denied"
    template = "You do not have permission to {verb} {path}."
    fix_template = ("Check who owns the file or folder and its permissions, or use another "
                    "folder (--home DIR or the D365_WIZARD_HOME setting).")


class NotARegularFile(FileProblem):
    """A folder, FIFO, device or socket where a file is expected."""

    code = "not_a_file"
    template = "{path} is {found}, not a regular file, so it cannot be used as {what}."
    fix_template = "Give the path of an ordinary file."


class PathIsDirectory(NotARegularFile):
    code = "path_is_directory"
    template = "{path} is a folder where d365-wizard expects {what}."
    fix_template = ("Move that folder away (d365-wizard keeps a file there) and try again; "
                    "nothing was changed.")


class SymlinkRefused(FileProblem):
    code = "symlink_refused"
    template = ("{path} is a symbolic link; d365-wizard does not read or write its own files "
                "through links.")
    fix_template = ("Replace the link with the file it points to (or remove it) and try "
                    "again; nothing was changed.")


class NotADirectory(FileProblem):
    """A file where a folder is needed (``--home`` pointing at a file)."""

    code = "not_a_directory"
    template = "{path} is a file, not a folder, so d365-wizard cannot keep its files there."
    fix_template = ("Give a folder with --home DIR (or D365_WIZARD_HOME), or move that file "
                    "away.")


class FileTooLarge(FileProblem):
    code = "file_too_large"
    template = "{What} {path} is larger than {limit}, so it is not {what} d365-wizard can use."
    fix_template = "Check that you gave the right file."


class NotUtf8(FileProblem):
    code = "not_utf8"
    template = "{What} {path} is not UTF-8 text (the byte at position {offset} is not valid)."
    fix_template = "Save the file as UTF-8 text and try again."


class DiskIoError(FileProblem):
    fix_template = "Check the disk (it may be full, failing or disconnected) and try again."


class InvalidJson(FileProblem):
    code = "invalid_json"
    template = "{What} {path} is not valid JSON: {reason}."
    fix_template = "Check it with a JSON validator and correct it."


class JsonTooDeep(InvalidJson):
    code = "json_too_deep"
    template = ("{What} {path} is nested more than {limit} levels deep, far more than any "
                "file d365-wizard reads.")
    fix_template = "Check that you gave the right file."


class NameTooLong(FileProblem):
    code = "name_too_long"
    template = "The file name {path} is too long for the file system."
    fix_template = "Choose a shorter name."


class DatabaseDamaged(FileProblem):
    """An SQLite file that is not a database, truncated, or damaged. Never re-created
    silently: it may hold the user's only copy of their items."""

    code = "database_damaged"
    template = "{What} {path} is damaged and cannot be read ({reason})."
    fix_template = ("Close d365-wizard, restore the file from a backup, or move it away to "
                    "start with an empty one (items from the organization are downloaded "
                    "again at the next synchronization; items that were only on this "
                    "computer are lost). Send the file to your helpdesk if you need it "
                    "recovered.")
    action = Action.DIAGNOSTICS


class DatabaseBusy(FileProblem):
    code = "database_busy"
    template = "{What} {path} is busy: another d365-wizard process kept it locked."
    fix_template = "Close other d365-wizard windows or commands and try again."
    action = Action.RETRY


# -- the classifier --------------------------------------------------------------------------
_FOUND = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISLNK, "a symbolic link"))


def describe_mode(mode: int) -> str:
    for test, words in _FOUND:
        if test(mode):
            return words
    return "not a regular file"


def classify_os_error(exc: BaseException, path: str | os.PathLike[str] | None = None, *,
                      verb: str = "use", what: str = "the file") -> FileProblem:
    """The :class:`FileProblem` for an ``OSError`` raised while ``verb``-ing ``path``."""
    if isinstance(exc, FileProblem):
        return exc
    where = str(path if path is not None else getattr(exc, "filename", None) or "?")
    code = getattr(exc, "errno", None)
    details = f"{type(exc).__name__}: {exc}"
    kw: dict[str, Any] = {"path": where, "what": what, "verb": verb, "details": details}
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return DiskFull(**kw)
    if code == errno.EROFS:
        return ReadOnlyLocation(**kw)
    if code in (errno.EACCES, errno.EPERM):
        return PermissionDenied(**kw)
    if code == errno.ELOOP:
        return SymlinkRefused(**kw)
    if code == errno.EISDIR:
        return PathIsDirectory(**kw)
    if code == errno.ENOTDIR:
        blocker = _first_file_in(where)
        return NotADirectory(**{**kw, "path": blocker or where})
    if code == errno.ENOENT:
        return FileNotFound(**kw)
    if code == errno.ENAMETOOLONG:
        return NameTooLong(**kw)
    if isinstance(exc, FileExistsError):
        found = _lstat_mode(where)
        if found is not None and not stat.S_ISDIR(found):
            return NotADirectory(**kw)
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return FileProblem(**{**kw, "reason": reason})


def _lstat_mode(path: str) -> int | None:
    try:
        return os.lstat(path).st_mode
    except (OSError, ValueError):
        return None


def _first_file_in(path: str) -> str | None:
    """The first existing component of ``path`` that is not a folder (ENOTDIR's cause)."""
    p = Path(path)
    for parent in reversed([p, *p.parents]):
        mode = _stat_mode(str(parent))
        if mode is None:
            return None
        if not stat.S_ISDIR(mode):
            return str(parent)
    return None


def _stat_mode(path: str) -> int | None:
    try:
        return os.stat(path).st_mode
    except (OSError, ValueError):
        return None


def classify_sqlite_error(exc: sqlite3.Error, path: str | os.PathLike[str], *,
                          what: str = "the database", verb: str = "use") -> FileProblem:
    """The :class:`FileProblem` for an SQLite error on the database file ``path``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    kw: dict[str, Any] = {"path": str(path), "what": what, "verb": verb,
                          "details": f"{type(exc).__name__}: {text}"}
    if name == "SQLITE_FULL" or "disk is full" in text:
        return DiskFull(**kw)
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        if _writable_location(Path(path)) is False:
            return ReadOnlyLocation(**kw)
        return PermissionDenied(**{**kw, "verb": "write"})
    if name in ("SQLITE_PERM", "SQLITE_AUTH"):
        return PermissionDenied(**kw)
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB" or \
            "malformed" in text or "not a database" in text:
        return DatabaseDamaged(**{**kw, "reason": text})
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return DatabaseBusy(**kw)
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return _cantopen(Path(path), kw)
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return DiskIoError(**{**kw, "reason": "a disk input/output error"})
    return FileProblem(**{**kw, "reason": text})


def _cantopen(path: Path, kw: dict[str, Any]) -> FileProblem:
    mode = _lstat_mode(str(path))
    if mode is not None and stat.S_ISLNK(mode):
        return SymlinkRefused(**kw)
    if mode is not None and stat.S_ISDIR(mode):
        return PathIsDirectory(**kw)
    blocker = _first_file_in(str(path.parent))
    if blocker is not None:
        return NotADirectory(**{**kw, "path": blocker})
    writable = _writable_location(path)
    if writable is False:
        return PermissionDenied(**{**kw, "verb": "write", "path": str(path.parent)})
    return FileProblem(**{**kw, "reason": "SQLite could not open it"})


def _writable_location(path: Path) -> bool | None:
    folder = path.parent
    try:
        if path.exists():
            return os.access(path, os.W_OK) and os.access(folder, os.W_OK)
        return os.access(folder, os.W_OK)
    except (OSError, ValueError):
        return None


# -- reading ---------------------------------------------------------------------------------
def _limit_text(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000} MB"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000} kB"
    return f"{n} bytes"


def read_input(path: str | os.PathLike[str], *, what: str = "the file",
               max_bytes: int = DEFAULT_MAX_BYTES, private: bool = False) -> bytes:
    """The bytes of the regular file ``path`` (at most ``max_bytes``).

    Raises :class:`FileNotFound`, :class:`NotARegularFile`, :class:`FileTooLarge`, or the
    classified OS error. ``private=True`` (the app's own files) also refuses a symbolic
    link in place of the file.
    """
    p = os.fspath(path)
    if not isinstance(p, str) or not p or "\x00" in p:
        raise FileNotFound(path=repr(p), what=what, verb="read")
    flags = os.O_RDONLY | _O_NONBLOCK | _O_CLOEXEC | _O_BINARY | (_O_NOFOLLOW if private else 0)
    try:
        fd = os.open(p, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and private:
            raise SymlinkRefused(path=p, what=what, verb="read") from exc
        raise classify_os_error(exc, p, verb="read", what=what) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            cls = PathIsDirectory if private and stat.S_ISDIR(st.st_mode) else NotARegularFile
            raise cls(path=p, what=what, verb="read", found=describe_mode(st.st_mode))
        if st.st_size > max_bytes:
            raise FileTooLarge(path=p, what=what, limit=_limit_text(max_bytes))
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise FileTooLarge(path=p, what=what, limit=_limit_text(max_bytes))
        return b"".join(chunks)
    except OSError as exc:
        raise classify_os_error(exc, p, verb="read", what=what) from exc
    finally:
        os.close(fd)


def decode_text(raw: bytes, *, path: str | os.PathLike[str], what: str = "the file") -> str:
    """Strict UTF-8 (a leading BOM is dropped)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8(path=str(path), what=what, offset=exc.start) from None
    return text[1:] if text.startswith("\ufeff") else text


def read_text(path: str | os.PathLike[str], *, what: str = "the file",
              max_bytes: int = DEFAULT_MAX_BYTES, private: bool = False) -> str:
    return decode_text(read_input(path, what=what, max_bytes=max_bytes, private=private),
                       path=path, what=what)


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether JSON ``text`` nests arrays/objects deeper than ``limit`` (strings skipped)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def parse_json(text: str, *, path: str | os.PathLike[str] = "(text)", what: str = "the file",
               max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """JSON with the rules of this module (depth cap, unique keys, no NaN)."""
    if json_depth_exceeds(text, max_depth):
        raise JsonTooDeep(path=str(path), what=what, limit=max_depth)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except _DuplicateKey as exc:
        raise InvalidJson(path=str(path), what=what,
                          reason=f"the key “{exc.args[0]}” appears twice in one object") from None
    except json.JSONDecodeError as exc:
        raise InvalidJson(path=str(path), what=what,
                          reason=f"{exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:
        raise InvalidJson(path=str(path), what=what, reason=str(exc) or "not JSON") from None


def read_json(path: str | os.PathLike[str], *, what: str = "the file",
              max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH,
              private: bool = False) -> Any:
    """Read and parse a JSON input file (see the module docstring for the rules)."""
    text = read_text(path, what=what, max_bytes=max_bytes, private=private)
    return parse_json(text, path=path, what=what, max_depth=max_depth)


# -- writing ---------------------------------------------------------------------------------
def ensure_private_dir(path: str | os.PathLike[str], *, what: str = "a folder") -> Path:
    """Create ``path`` and its missing parents with mode 0700; refuse a file in the way."""
    target = Path(path)
    missing: list[Path] = []
    cur = target
    while True:
        mode = _stat_mode(str(cur))
        if mode is not None:
            if not stat.S_ISDIR(mode):
                raise NotADirectory(path=str(cur), what=what)
            break
        missing.append(cur)
        if cur.parent == cur:
            break
        cur = cur.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, PRIVATE_DIR_MODE)
        except FileExistsError:
            if not os.path.isdir(d):
                raise NotADirectory(path=str(d), what=what) from None
        except OSError as exc:
            raise classify_os_error(exc, d, verb="create", what=what) from exc
    return target


def check_target(path: str | os.PathLike[str], *, what: str = "the file") -> None:
    """Refuse a symbolic link or a folder where the app is about to write a file."""
    mode = _lstat_mode(os.fspath(path))
    if mode is None:
        return
    if stat.S_ISLNK(mode):
        raise SymlinkRefused(path=str(path), what=what, verb="write")
    if stat.S_ISDIR(mode):
        raise PathIsDirectory(path=str(path), what=what, verb="write")
    if not stat.S_ISREG(mode):
        raise NotARegularFile(path=str(path), what=what, verb="write",
                              found=describe_mode(mode))


def write_private(path: str | os.PathLike[str], data: bytes, *, what: str = "the file",
                  mode: int = PRIVATE_FILE_MODE) -> None:
    """Replace ``path`` with ``data`` atomically; the file is readable by its owner only.

    A reader sees the old or the new content, never a mix. Raises a :class:`FileProblem`
    (nothing changed) when the folder cannot be written, the disk is full, or a link or a
    folder is in the way.
    """
    target = Path(path)
    _check_name(target, what)
    ensure_private_dir(target.parent, what="the folder for " + what)
    check_target(target, what=what)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC
                     | _O_BINARY, mode)
    except OSError as exc:
        raise classify_os_error(exc, target, verb="write", what=what) from exc
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise classify_os_error(exc, target, verb="write", what=what) from exc
        raise
    fsync_dir(target.parent)


def write_private_json(path: str | os.PathLike[str], data: Any, *, what: str = "the file"
                       ) -> None:
    write_private(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"),
                  what=what)


def _check_name(path: Path, what: str) -> None:
    name = path.name
    if not name or name in (".", ".."):
        raise FileProblem(path=str(path), what=what, verb="write",
                          reason="that is not a file name")
    if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES - 16:
        raise NameTooLong(path=str(path), what=what)


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def open_private_append(path: str | os.PathLike[str], *, what: str = "the log file",
                        encoding: str = "utf-8") -> io.TextIOWrapper:
    """A text stream appending to ``path`` (created 0600), never through a symbolic link."""
    p = os.fspath(path)
    try:
        fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _O_NOFOLLOW | _O_CLOEXEC,
                     PRIVATE_FILE_MODE)
    except OSError as exc:
        raise classify_os_error(exc, p, verb="write", what=what) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(path=p, what=what, verb="write",
                                  found=describe_mode(st.st_mode))
        if hasattr(os, "fchmod") and stat.S_IMODE(st.st_mode) & 0o077:
            os.fchmod(fd, PRIVATE_FILE_MODE)
        return os.fdopen(fd, "a", encoding=encoding)
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def translated(path: str | os.PathLike[str], *, verb: str, what: str) -> Iterator[None]:
    """Turn an ``OSError`` raised inside the block into the classified :class:`FileProblem`."""
    try:
        yield
    except FileProblem:
        raise
    except OSError as exc:
        raise classify_os_error(exc, path, verb=verb, what=what) from exc


# -- SQLite files ----------------------------------------------------------------------------
def open_sqlite(path: str | os.PathLike[str], *, what: str = "the database",
                timeout: float = 30.0, **kwargs: Any) -> sqlite3.Connection:
    """A connection to the SQLite file ``path``, which is created atomically if missing.

    SQLite treats an empty file as a new database and would silently start over on a
    truncated one, so a missing file is first built under a temp name (in WAL mode, with
    an empty ``meta`` table) and linked into place, and an existing file that is empty or
    not a regular file is reported (:class:`DatabaseDamaged`, :class:`SymlinkRefused`,
    :class:`PathIsDirectory`), never re-created.
    """
    target = Path(path)
    mode = _lstat_mode(str(target))
    if mode is None:
        ensure_private_dir(target.parent, what=f"the folder of {what}")
        _create_sqlite(target, what)
        mode = _lstat_mode(str(target))
    if mode is not None:
        if stat.S_ISLNK(mode):
            raise SymlinkRefused(path=str(target), what=what)
        if stat.S_ISDIR(mode):
            raise PathIsDirectory(path=str(target), what=what)
        if not stat.S_ISREG(mode):
            raise NotARegularFile(path=str(target), what=what, found=describe_mode(mode))
        try:
            size = os.stat(target).st_size
        except OSError as exc:
            raise classify_os_error(exc, target, verb="open", what=what) from exc
        if size == 0:
            raise DatabaseDamaged(path=str(target), what=what,
                                  reason="the file is empty (0 bytes)")
    try:
        conn: sqlite3.Connection = sqlite3.connect(target, timeout=timeout, **kwargs)
        return conn
    except sqlite3.Error as exc:
        raise classify_sqlite_error(exc, target, what=what, verb="open") from exc


def _create_sqlite(target: Path, what: str) -> None:
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.new")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, PRIVATE_FILE_MODE)
        os.close(fd)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY,"
                         " value TEXT NOT NULL)")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        try:
            os.link(tmp, target)          # fails if another process created it meanwhile
        except FileExistsError:
            pass
        except OSError:
            if not target.exists():       # no hard links here (some file systems)
                os.replace(tmp, target)
        fsync_dir(target.parent)
    except sqlite3.Error as exc:
        raise classify_sqlite_error(exc, target, what=what, verb="create") from exc
    except OSError as exc:
        raise classify_os_error(exc, target, verb="create", what=what) from exc
    finally:
        for leftover in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
            with contextlib.suppress(OSError):
                os.unlink(leftover)


# -- homes -----------------------------------------------------------------------------------
def check_home_root(root: str | os.PathLike[str]) -> None:
    """Refuse a home (``--home``) that is a file, or lies under one."""
    p = Path(root)
    mode = _stat_mode(str(p))
    if mode is not None and not stat.S_ISDIR(mode):
        raise NotADirectory(path=str(p), what="the d365-wizard home")
    blocker = _first_file_in(str(p))
    if blocker is not None:
        raise NotADirectory(path=blocker, what="the d365-wizard home")


def foreign_owner(path: str | os.PathLike[str]) -> int | None:
    """The owner's uid when ``path`` exists and belongs to another user, else None."""
    if not hasattr(os, "getuid"):
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    me = os.getuid()
    return st.st_uid if st.st_uid != me else None


def is_windows() -> bool:
    return sys.platform == "win32"


__all__ = [
    "DatabaseBusy", "DatabaseDamaged", "DiskFull", "FileNotFound", "FileProblem",
    "FileTooLarge", "InvalidJson", "JsonTooDeep", "NameTooLong", "NotADirectory",
    "NotARegularFile", "NotUtf8", "PathIsDirectory", "PermissionDenied", "ReadOnlyLocation",
    "SymlinkRefused", "check_home_root", "check_target", "classify_os_error",
    "classify_sqlite_error", "decode_text", "ensure_private_dir", "foreign_owner",
    "open_private_append", "parse_json", "read_input", "read_json", "read_text", "translated",
    "write_private", "write_private_json",
]
