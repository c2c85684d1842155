"""The one reader, the one private writer and the OS-error classifier (wizard.engine.fileio)."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
import sys

import pytest

from wizard.engine import fileio
from wizard.engine.fileio import (
    DatabaseDamaged,
    DiskFull,
    FileNotFound,
    FileTooLarge,
    InvalidJson,
    JsonTooDeep,
    NotADirectory,
    NotARegularFile,
    NotUtf8,
    PathIsDirectory,
    PermissionDenied,
    ReadOnlyLocation,
    SymlinkRefused,
    classify_os_error,
    classify_sqlite_error,
    read_input,
    read_json,
    write_private,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and modes are POSIX")


# -- reading input files ---------------------------------------------------------------------
@posix_only
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "deployment.json"
    os.mkfifo(fifo)
    # Opening a FIFO for reading blocks until a writer comes; the reader must not.
    with pytest.raises(NotARegularFile, match="named pipe"):
        read_json(fifo, what="the deployment file")


@posix_only
def test_dev_zero_is_refused_before_reading():
    with pytest.raises(NotARegularFile, match="device"):
        read_input("/dev/zero", what="the cloud file")


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(NotARegularFile, match="folder"):
        read_input(tmp_path, what="the cloud file")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFound, match="does not exist"):
        read_input(tmp_path / "nope.json", what="the cloud file")


def test_the_size_is_capped(tmp_path):
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2001)
    with pytest.raises(FileTooLarge, match="larger than 2 kB"):
        read_input(big, what="the cloud file", max_bytes=2000)
    assert read_input(big, max_bytes=2001) == b" " * 2001


def test_text_must_be_utf8_and_the_bom_is_dropped(tmp_path):
    f = tmp_path / "c.json"
    f.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(NotUtf8, match="position 7"):
        read_json(f, what="the cloud file")
    f.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert read_json(f) == {"a": 1}


@pytest.mark.parametrize("text, error", [
    ("[" * 5000 + "]" * 5000, JsonTooDeep),           # no RecursionError, no slow parse
    ('{"a": 1, "a": 2}', InvalidJson),                  # a duplicate key is not last-wins
    ('{"a": NaN}', InvalidJson),
    ('{"a": ', InvalidJson),
])
def test_json_rules(tmp_path, text, error):
    f = tmp_path / "x.json"
    f.write_text(text)
    with pytest.raises(error) as info:
        read_json(f, what="the deployment file")
    assert "deployment file" in str(info.value)


def test_strings_do_not_count_as_nesting(tmp_path):
    f = tmp_path / "x.json"
    f.write_text(json.dumps({"a": "[" * 100 + '\\"{'}))
    assert read_json(f)["a"].startswith("[[")


@posix_only
def test_private_reads_refuse_a_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "organizations.json"
    link.symlink_to(real)
    with pytest.raises(SymlinkRefused):
        read_input(link, what="the organization list", private=True)
    assert read_input(link) == b"{}"          # input files may be links


# -- writing private files -------------------------------------------------------------------
@posix_only
def test_written_files_are_private_and_new_folders_too(tmp_path):
    target = tmp_path / "a" / "b" / "state.json"
    old = os.umask(0)
    try:
        write_private(target, b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700


@posix_only
def test_a_planted_link_is_never_followed_or_replaced(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "organizations.json"
    link.symlink_to(victim)
    with pytest.raises(SymlinkRefused):
        write_private(link, b"{}")
    assert victim.read_text() == "precious"
    assert link.is_symlink()


def test_a_folder_in_the_way_is_refused(tmp_path):
    (tmp_path / "organizations.json").mkdir()
    with pytest.raises(PathIsDirectory):
        write_private(tmp_path / "organizations.json", b"{}")


def test_a_file_where_a_folder_should_be(tmp_path):
    (tmp_path / "home").write_text("not a folder")
    with pytest.raises(NotADirectory) as info:
        write_private(tmp_path / "home" / "config" / "organizations.json", b"{}")
    assert info.value.params["path"] == str(tmp_path / "home")


@pytest.mark.parametrize("code, error", [
    (errno.ENOSPC, DiskFull), (getattr(errno, "EDQUOT", errno.ENOSPC), DiskFull),
    (errno.EROFS, ReadOnlyLocation), (errno.EACCES, PermissionDenied),
])
def test_a_failing_write_leaves_the_old_content_and_no_temp_file(tmp_path, monkeypatch, code,
                                                                 error):
    target = tmp_path / "organizations.json"
    write_private(target, b"old")

    def failing_write(fd, data):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fileio.os, "write", failing_write)
    with pytest.raises(error) as info:
        write_private(target, b"new", what="the organization list")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["organizations.json"]
    assert "damaged" not in str(info.value)


def test_disk_full_is_never_called_damage():
    err = classify_os_error(OSError(errno.ENOSPC, "No space left on device"), "/x/mailbox",
                            verb="write", what="the local mailbox")
    assert isinstance(err, DiskFull) and err.code == "disk_full"
    assert "space" in str(err) and "damaged" not in str(err)


# -- SQLite ------------------------------------------------------------------------------------
def test_sqlite_errors_are_classified(tmp_path):
    full = sqlite3.connect(tmp_path / "full.db")
    full.execute("PRAGMA max_page_count=2")
    with pytest.raises(sqlite3.Error) as info:
        full.execute("CREATE TABLE t (x)")
        full.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 100)
    assert isinstance(classify_sqlite_error(info.value, tmp_path / "full.db"), DiskFull)

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"garbage" * 200)
    with pytest.raises(sqlite3.Error) as info:
        sqlite3.connect(junk).execute("SELECT * FROM sqlite_master").fetchall()
    err = classify_sqlite_error(info.value, junk, what="the local mailbox")
    assert isinstance(err, DatabaseDamaged) and str(junk) in str(err)

    (tmp_path / "dir.db").mkdir()
    with pytest.raises(sqlite3.Error) as info:
        sqlite3.connect(tmp_path / "dir.db").execute("SELECT 1").fetchall()
    assert isinstance(classify_sqlite_error(info.value, tmp_path / "dir.db"), PathIsDirectory)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_home_that_is_a_file(tmp_path):
    f = tmp_path / "home"
    f.write_text("")
    with pytest.raises(NotADirectory):
        fileio.check_home_root(f)
    with pytest.raises(NotADirectory):
        fileio.check_home_root(f / "below")
    fileio.check_home_root(tmp_path / "not-yet")
