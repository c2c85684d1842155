"""One contract suite run against every mailbox side (local, vdir, DAV on a real Radicale),
as vdirsyncer runs one suite against every storage.

Each side comes with "another program" that edits the same mailbox behind the app's back
(another connection to the SQLite store; a text editor on the vdir folder; an independent
DAV client), and "another computer": a second side over the same folder or account with
an index of its own.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from wizard.engine import calcard
from wizard.engine.mailstore import ItemChanged, SqliteMailStore
from wizard.engine.stamp import MailboxStore, StampConflict
from wizard.engine.sync.engine import Synchronizer
from wizard.engine.sync.mailside import LocalSide
from wizard.engine.sync.orgside import MemoryOrg, MemoryOrgSide

ME = "5e7a0001-0000-4000-8000-000000000001"
ORG_B = "b0000000-0000-4000-8000-0000000000bb"


class LocalKit:
    name = "local"

    def __init__(self, tmp_path: Path) -> None:
        self.db = tmp_path / "mailbox.sqlite3"
        self.opened: list = []

    def side(self, computer: str = "one"):
        assert computer == "one", "the local store belongs to one computer"
        side = LocalSide(SqliteMailStore(self.db), stamp_store=MailboxStore(self.db))
        self.opened.append(side)
        return side

    def edit_elsewhere(self, side, local_id: str, changes: dict) -> None:
        with SqliteMailStore(self.db) as other:
            other.update(local_id, changes)

    def delete_elsewhere(self, side, local_id: str) -> None:
        with SqliteMailStore(self.db) as other:
            other.delete(local_id)

    def text(self, side, local_id: str) -> str | None:
        return None

    def close(self) -> None:
        for side in self.opened:
            side.close()


class VdirKit:
    name = "vdir"

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "vdir"
        self.tmp = tmp_path
        self.opened: list = []

    def side(self, computer: str = "one"):
        from wizard.engine.sync.vdir import VdirSide

        side = VdirSide(self.root, self.tmp / f"index-{computer}.sqlite3")
        self.opened.append(side)
        return side

    def path(self, side, local_id: str) -> Path:
        key, href = side._place(local_id)[:2]
        return self.root / key / href

    def edit_elsewhere(self, side, local_id: str, changes: dict) -> None:
        path = self.path(side, local_id)
        parsed = calcard.parse(path.read_text())
        text = calcard.serialize(parsed.kind, {**parsed.data, **changes}, uid=parsed.uid,
                                 base=path.read_text())
        st = path.stat()
        path.write_text(text)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))

    def delete_elsewhere(self, side, local_id: str) -> None:
        self.path(side, local_id).unlink()

    def text(self, side, local_id: str) -> str | None:
        return self.path(side, local_id).read_text()

    def close(self) -> None:
        for side in self.opened:
            side.close()


class DavKit:
    name = "dav"

    def __init__(self, tmp_path: Path, radicale, session) -> None:
        self.tmp = tmp_path
        self.server = radicale
        self.session = session
        self.other = radicale.client("ann")
        self.opened: list = []

    def side(self, computer: str = "one"):
        from tests.fixtures.radicale import USERS
        from wizard.engine.sync.dav import DavClient, DavSide, choose, discover

        client = DavClient(self.session, self.server.url, user="ann", password=USERS["ann"])
        side = DavSide(client, choose(discover(client)), self.tmp / f"index-{computer}.sqlite3")
        self.opened.append(side)
        return side

    def _where(self, side, local_id: str) -> tuple[str, str]:
        href = side._place(local_id)[1]
        _, user, collection, name = href.split("/")
        return collection, name

    def edit_elsewhere(self, side, local_id: str, changes: dict) -> None:
        collection, name = self._where(side, local_id)
        text, etag = self.other.get(collection, name)
        parsed = calcard.parse(text)
        new = calcard.serialize(parsed.kind, {**parsed.data, **changes}, uid=parsed.uid,
                                base=text)
        assert self.other.put(collection, name, new, etag).status_code in (201, 204)

    def delete_elsewhere(self, side, local_id: str) -> None:
        assert self.other.delete(*self._where(side, local_id)).status_code in (200, 204)

    def text(self, side, local_id: str) -> str | None:
        return self.other.get(*self._where(side, local_id))[0]

    def close(self) -> None:
        for side in self.opened:
            side.close()


def _kit(request, tmp_path):
    if request.param == "local":
        k = LocalKit(tmp_path)
    elif request.param == "vdir":
        k = VdirKit(tmp_path)
    else:
        k = DavKit(tmp_path, request.getfixturevalue("radicale"),
                   request.getfixturevalue("dav_session"))
    return k


@pytest.fixture(params=["local", "vdir", "dav"])
def kit(request, tmp_path):
    k = _kit(request, tmp_path)
    yield k
    k.close()


@pytest.fixture(params=["vdir", "dav"])
def shared_kit(request, tmp_path):
    """The sides that several computers (or programs) share: a folder, an account."""
    k = _kit(request, tmp_path)
    yield k
    k.close()


@pytest.fixture
def side(kit):
    s = kit.side()
    s.refresh()
    return s


@pytest.fixture
def shared_side(shared_kit):
    s = shared_kit.side()
    s.refresh()
    return s


CONTACT = {"first_name": "Ann", "last_name": "Lee", "email1": "ann@x.example",
           "business_address_city": "Oslo"}


def test_an_item_is_kept_with_its_flags(kit, side):
    item = side.add("contact", CONTACT, tracked=True, origin="org", org_record_id="rec-1")
    assert side.get(item.local_id).data == CONTACT
    [head] = side.heads("contact")
    assert head.data is None and head.tracked and head.org_record_id == "rec-1"
    assert head.hash == item.hash and head.origin == "org"
    event = side.add("appointment", {"subject": "Call", "start": "2026-05-01T10:00:00Z",
                                     "end": "2026-05-01T10:30:00Z"})
    task = side.add("task", {"subject": "Do", "priority": "high", "status": "in_progress"})
    assert {i.local_id for i in side.items()} == {item.local_id, event.local_id, task.local_id}
    assert side.count("contact") == 1


def test_a_second_computer_reads_the_same_items_and_flags(shared_kit, shared_side):
    shared_side.add("contact", CONTACT, tracked=True, origin="org", org_record_id="rec-1")
    shared_side.add("task", {"subject": "Mine"})
    other = shared_kit.side("two")
    other.refresh()
    by_kind = {i.kind: i for i in other.items()}
    assert by_kind["contact"].data == CONTACT and by_kind["contact"].tracked
    assert by_kind["contact"].org_record_id == "rec-1" and by_kind["contact"].origin == "org"
    assert not by_kind["task"].tracked and by_kind["task"].org_record_id is None


def test_an_edit_by_another_program_is_seen_as_a_change(kit, side):
    item = side.add("contact", CONTACT, tracked=True)
    mark = side.max_seq()
    kit.edit_elsewhere(side, item.local_id, {"job_title": "CEO"})
    side.refresh()
    [changed] = side.heads("contact", since_seq=mark)
    assert changed.local_id == item.local_id and changed.hash != item.hash
    assert side.get(item.local_id).data == {**CONTACT, "job_title": "CEO"}
    side.refresh()
    assert side.heads("contact", since_seq=side.max_seq()) == []      # nothing new


def test_a_write_conditional_on_a_stale_version_is_refused(kit, side):
    item = side.add("contact", CONTACT)
    side.update(item.local_id, {"job_title": "CTO"})
    with pytest.raises(ItemChanged):
        side.update(item.local_id, {"job_title": "CEO"}, expect_counter=item.change_counter)
    with pytest.raises(ItemChanged):
        side.delete(item.local_id, expect_counter=item.change_counter)
    assert side.get(item.local_id).data["job_title"] == "CTO"


def test_a_race_with_another_program_is_detected_not_overwritten(kit, side):
    """The 412 race: the item changes after the app read it and before it writes."""
    item = side.add("contact", CONTACT, tracked=True)
    kit.edit_elsewhere(side, item.local_id, {"mobile_phone": "+47 1234"})
    if kit.name == "local":
        side.update(item.local_id, {"job_title": "CEO"})     # one store: no race possible
        assert side.get(item.local_id).data["mobile_phone"] == "+47 1234"
        return
    with pytest.raises(ItemChanged):
        side.update(item.local_id, {"job_title": "CEO"}, expect_counter=item.change_counter)
    current = side.get(item.local_id)                      # read again, with their edit
    assert current.data["mobile_phone"] == "+47 1234" and "job_title" not in current.data
    side.update(item.local_id, {"job_title": "CEO"}, expect_counter=current.change_counter)
    text = kit.text(side, item.local_id)
    assert "+47 1234" in text and "CEO" in text


def test_deletion_here_and_elsewhere(kit, side):
    a = side.add("contact", CONTACT)
    b = side.add("contact", {"last_name": "Other"})
    side.delete(a.local_id)
    assert side.get(a.local_id) is None
    mark = side.max_seq()
    kit.delete_elsewhere(side, b.local_id)
    side.refresh()
    assert side.get(b.local_id) is None or kit.name == "local" and side.get(b.local_id) is None
    assert b.local_id in side.deleted_since("contact", mark) or kit.name == "local"
    side.delete(a.local_id)                                   # already gone: no error


def test_what_the_user_added_survives_an_update(shared_kit, shared_side):
    item = shared_side.add("contact", CONTACT, tracked=True)
    text = shared_kit.text(shared_side, item.local_id)
    extra = "CATEGORIES:Golf,Friends\r\nX-OTHER-APP;X-P=1:keep me\r\nTEL;TYPE=pager:+1 999\r\n"
    edited = text.replace("END:VCARD", extra + "END:VCARD")
    if shared_kit.name == "vdir":
        path = shared_kit.path(shared_side, item.local_id)
        st = path.stat()
        path.write_text(edited)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    else:
        collection, name = shared_kit._where(shared_side, item.local_id)
        shared_kit.other.put(collection, name, edited, shared_kit.other.get(collection, name)[1])
    shared_side.refresh()
    assert shared_side.get(item.local_id).data == CONTACT          # unmapped: not a change
    shared_side.update(item.local_id, {"job_title": "CEO"})
    after = shared_kit.text(shared_side, item.local_id)
    for line in ("CATEGORIES:Golf,Friends", "X-OTHER-APP;X-P=1:keep me", "+1 999", "CEO"):
        assert line in after, after


def test_tracking_and_linking_are_written_into_the_item(kit, side):
    item = side.add("task", {"subject": "Call back"})
    side.set_tracked(item.local_id, True)
    side.link(item.local_id, "rec-9", origin="mailbox")
    assert side.awaiting_record_ids() == []
    got = side.get(item.local_id)
    assert got.tracked and got.org_record_id == "rec-9"
    text = kit.text(side, item.local_id)
    if text is not None:
        parsed = calcard.parse(text)
        assert parsed.meta == calcard.ItemMeta(True, "rec-9", "mailbox")


def test_the_stamp_is_shared_by_every_computer(shared_kit, shared_side):
    shared_side.stamp_store.claim(ME, "Contoso")
    shared_side.stamp_store.record_sync(ME, 1_800_000_000)
    other = shared_kit.side("two")
    assert other.stamp_store.stamp().org_id == ME
    with pytest.raises(StampConflict):
        other.stamp_store.claim(ORG_B, "Fabrikam")
    other.stamp_store.claim(ORG_B, "Fabrikam", override=True)
    assert shared_side.stamp_store.stamp().org_name == "Fabrikam"


# ------------------------------------------------------------------ the engine on each side
def world(kit, computer="one"):
    org = MemoryOrg()
    org.privileged = {ME}
    return org, MemoryOrgSide(org, ME)


def test_a_sync_converges_both_ways(kit, side):
    org, orgside = world(kit)
    rid = org.create("contact", {"firstname": "Ann", "lastname": "Lee"}, owner=ME)
    org.create("appointment", {"subject": "Review", "scheduledstart": "2026-05-01T10:00:00Z",
                               "scheduledend": "2026-05-01T11:00:00Z", "isalldayevent": False},
               owner=ME)
    org.create("task", {"subject": "Send the offer", "prioritycode": 2}, owner=ME)
    sync = Synchronizer(side, orgside, stamp_store=side.stamp_store)
    assert sync.run().counts() == {"mailbox-create": 3}
    assert sync.run().actions == []
    [contact] = side.items("contact")
    kit.edit_elsewhere(side, contact.local_id, {"job_title": "CEO"})
    org.update("contact", rid, {"mobilephone": "+47 5555"})
    report = sync.run()
    assert report.counts() == {"org-update": 1, "mailbox-update": 1}
    assert org.tables["contact"][rid]["jobtitle"] == "CEO"
    assert side.get(contact.local_id).data["mobile_phone"] == "+47 5555"
    mine = side.add("task", {"subject": "Made in my task list"}, tracked=True)
    sync.run()
    assert any(r["subject"] == "Made in my task list" for r in org.tables["task"].values())
    assert side.get(mine.local_id).org_record_id in org.tables["task"]
    kit.delete_elsewhere(side, contact.local_id)
    assert sync.run().counts() == {"org-delete": 1}
    assert rid not in org.tables["contact"]
    assert sync.run().actions == []


def test_a_first_sync_against_a_full_mailbox_matches_before_creating(shared_kit, shared_side):
    """A second computer (or a new index) finds the items by their org record."""
    org, orgside = world(kit)
    for n in range(3):
        org.create("contact", {"firstname": "C", "lastname": f"N{n}"}, owner=ME)
    Synchronizer(shared_side, orgside).run()
    other = shared_kit.side("two")
    report = Synchronizer(other, orgside).run()
    assert report.counts().get("mailbox-create", 0) == 0
    other.refresh()
    assert len(other.items("contact")) == 3
    shared_side.refresh()
    assert len(shared_side.items("contact")) == 3
    assert Synchronizer(other, orgside).run().actions == []


def test_two_computers_with_two_orgs_are_told_so(shared_kit, shared_side):
    from wizard.engine.stamp import StampConflict

    org, orgside = world(kit)
    Synchronizer(shared_side, orgside, stamp_store=shared_side.stamp_store).run()
    other = shared_kit.side("two")
    fabrikam = MemoryOrg(org_id=ORG_B, org_name="Fabrikam")
    fabrikam.privileged = {ME}
    with pytest.raises(StampConflict) as exc:
        Synchronizer(other, MemoryOrgSide(fabrikam, ME), stamp_store=other.stamp_store).run()
    assert "Contoso" in str(exc.value)


def test_a_conflict_goes_to_the_org_and_is_logged(kit, side):
    org, orgside = world(kit)
    rid = org.create("contact", {"lastname": "Lee", "jobtitle": "Seller"}, owner=ME)
    sync = Synchronizer(side, orgside)
    sync.run()
    [item] = side.items("contact")
    kit.edit_elsewhere(side, item.local_id, {"job_title": "Buyer"})
    org.update("contact", rid, {"jobtitle": "Manager"})
    report = sync.run()
    assert [c.field for c in report.conflicts] == ["jobtitle"]
    assert side.get(item.local_id).data["job_title"] == "Manager"
    assert sync.run().actions == []


def test_vdir_items_are_one_parseable_file_each(tmp_path):
    shared_kit = VdirKit(tmp_path)
    try:
        _one_file_each(shared_kit, shared_kit.side())
    finally:
        shared_kit.close()


def _one_file_each(shared_kit, shared_side):
    org, orgside = world(kit)
    for n in range(3):
        org.create("contact", {"firstname": "C", "lastname": f"N{n}"}, owner=ME)
    org.create("task", {"subject": "T"}, owner=ME)
    Synchronizer(shared_side, orgside).run()
    cards = sorted((shared_kit.root / "contacts").glob("*.vcf"))
    assert len(cards) == 3
    import icalendar
    import vobject

    for path in cards:
        card = vobject.readOne(path.read_text())
        assert path.name == card.uid.value + ".vcf"
    [task] = (shared_kit.root / "tasks").glob("*.ics")
    assert icalendar.Calendar.from_ical(task.read_text()).walk("VTODO")
    assert not [p for p in shared_kit.root.rglob("*") if re.search(r"\.tmp$", p.name)]


def test_an_edit_during_the_sync_is_rebased_not_overwritten(shared_kit, shared_side,
                                                            monkeypatch):
    """The 412 race inside a run: after the run read the mailbox, another program edits
    the item the run is about to update; the server refuses the write (412), the item is
    read again and the org's change applied on top of the other program's edit."""
    org, orgside = world(shared_kit)
    rid = org.create("contact", {"firstname": "Ann", "lastname": "Lee"}, owner=ME)
    sync = Synchronizer(shared_side, orgside)
    sync.run()
    [item] = shared_side.items("contact")
    org.update("contact", rid, {"jobtitle": "From the org"})
    real = type(shared_side).refresh
    raced = []

    def refresh_then_race(self, progress=None):
        real(self, progress)
        if not raced:
            raced.append(True)
            shared_kit.edit_elsewhere(self, item.local_id, {"mobile_phone": "+47 999"})

    monkeypatch.setattr(type(shared_side), "refresh", refresh_then_race)
    sync.run()
    text = shared_kit.text(shared_side, item.local_id)
    assert "From the org" in text and "+47 999" in text, text
    monkeypatch.setattr(type(shared_side), "refresh", real)
    sync.run()
    assert org.tables["contact"][rid]["mobilephone"] == "+47 999"
    assert sync.run().actions == []


# ------------------------------------------------------------------ the DAV stamp race
@pytest.fixture
def dav_kit(request, tmp_path):
    k = DavKit(tmp_path, request.getfixturevalue("radicale"),
               request.getfixturevalue("dav_session"))
    yield k
    k.close()


def _race(first, second, claim):
    """``second`` claims the stamp between ``first``'s read in its claim and its write
    (a sync reads the stamp twice: the gate looks, then claims)."""
    real_read = first.stamp_store._read
    raced: list = []
    reads: list = []

    def read():
        current = real_read()
        reads.append(current)
        if len(reads) == 2 and not raced:
            raced.append(claim(second))
        return current

    first.stamp_store._read = read
    return raced


def test_two_computers_syncing_one_dav_account_with_two_orgs_at_once(dav_kit):
    """The stamp write is conditional (If-None-Match / If-Match on the stamp item): the
    computer that writes second gets 412, reads again and is told of the conflict; its
    sync stops before writing anything."""
    one, two = dav_kit.side("one"), dav_kit.side("two")
    org, orgside = world(dav_kit)
    org.create("contact", {"firstname": "Ann", "lastname": "Lee"}, owner=ME)
    raced = _race(one, two, lambda side: side.stamp_store.claim(ORG_B, "Fabrikam"))
    with pytest.raises(StampConflict) as exc:
        Synchronizer(one, orgside, stamp_store=one.stamp_store).run()
    assert raced and exc.value.other.org_id == ORG_B and "Fabrikam" in str(exc.value)
    assert two.stamp_store.stamp().org_name == "Fabrikam"
    assert dav_kit.other.names("contacts") == []                 # nothing was synchronized
    assert dav_kit.other.names("calendar") == ["d365-wizard-stamp.ics"]


def test_two_computers_claiming_one_dav_account_for_the_same_org_both_sync(dav_kit):
    one, two = dav_kit.side("one"), dav_kit.side("two")
    org, orgside = world(dav_kit)
    rid = org.create("contact", {"firstname": "Ann", "lastname": "Lee"}, owner=ME)
    _race(one, two, lambda side: side.stamp_store.claim(orgside.org_id, orgside.org_name))
    assert Synchronizer(one, orgside, stamp_store=one.stamp_store).run().counts() == {
        "mailbox-create": 1}
    assert two.stamp_store.stamp().org_id == orgside.org_id
    assert one.stamp_store.stamp().last_sync is not None
    # the stamp item is no item of the mailbox, on either computer
    assert [i.org_record_id for i in one.items()] == [rid]
    two.refresh()
    assert [i.org_record_id for i in two.items()] == [rid]
    assert Synchronizer(two, orgside, stamp_store=two.stamp_store).run().actions == []


def test_a_stamp_kept_as_a_property_by_an_earlier_version_is_read_and_moved(dav_kit):
    from wizard.engine.stamp import Stamp

    one = dav_kit.side("one")
    one.stamp_store._write_property(Stamp(ORG_B, "Fabrikam", None, None))
    with pytest.raises(StampConflict):
        one.stamp_store.claim(ME, "Contoso")
    one.stamp_store.claim(ME, "Contoso", override=True)
    assert dav_kit.side("two").stamp_store.stamp().org_name == "Contoso"
    [r] = one.client.propfind(one.stamp_store.url, [dav_mod().STAMP_PROP])
    assert r.text(dav_mod().STAMP_PROP) is None                 # the property is gone
    assert one.stamp_store.release(ME) and one.stamp_store.stamp() is None
    assert dav_kit.other.names("calendar") == []


def dav_mod():
    from wizard.engine.sync import dav

    return dav


# ------------------------------------------------------------------ matching by UID
X_PROPS = re.compile(r"^X-D365-(ORGRECORDID|TRACKED|ORIGIN)[;:].*\r?\n", re.M | re.I)


def _card(uid: str, last: str, *, keep: str = "") -> str:
    """A vCard as another program writes it: our UID (or another), no X-D365- property
    except those named in ``keep``."""
    text = calcard.serialize("contact", {"first_name": "Ann", "last_name": last}, uid=uid,
                             meta=calcard.ItemMeta(True, uid, "org"))
    return "".join(line for line in text.splitlines(keepends=True)
                   if not X_PROPS.match(line) or any(k in line.upper() for k in keep.split()))


def _put_elsewhere(kit, side, name: str, uid: str, last: str, *, keep: str = "") -> None:
    """Another program (or an earlier install) put this contact into the mailbox."""
    if kit.name == "local":
        with SqliteMailStore(kit.db) as other:
            other.add("contact", {"first_name": "Ann", "last_name": last}, local_id=uid)
        return
    text = _card(uid, last, keep=keep)
    if kit.name == "vdir":
        folder = kit.root / "contacts"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    else:
        assert kit.other.put("contacts", name, text).status_code == 201


def _strip_elsewhere(kit, side, local_id: str, changes: dict | None = None) -> None:
    """Another program rewrites the item and drops our X-D365- properties."""
    kit.edit_elsewhere(side, local_id, changes or {})
    if kit.name == "vdir":
        path = kit.path(side, local_id)
        st = path.stat()
        path.write_text(X_PROPS.sub("", path.read_text()))
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000))
    else:
        collection, name = kit._where(side, local_id)
        text, etag = kit.other.get(collection, name)
        assert kit.other.put(collection, name, X_PROPS.sub("", text), etag).status_code == 204


def _contact_texts(kit) -> list[str]:
    if kit.name == "vdir":
        return [p.read_text() for p in (kit.root / "contacts").glob("*.vcf")]
    return [t for n, t in kit.other.items("contacts").items() if n.endswith(".vcf")]


def test_a_first_sync_matches_an_item_by_its_uid_before_creating(kit, side):
    """Empty status, an item with the UID the app gives the record but no
    X-D365-ORGRECORDID (another program dropped it): matched, not doubled, and the
    property is written back."""
    org, orgside = world(kit)
    rid = org.create("contact", {"firstname": "Ann", "lastname": "Lee"}, owner=ME)
    _put_elsewhere(kit, side, "written-by-another-program.vcf", rid, "Lee")
    side.refresh()
    sync = Synchronizer(side, orgside)
    report = sync.run()
    assert report.counts().get("mailbox-create", 0) == 0, report.counts()
    assert "org-create" not in report.counts() and len(org.tables["contact"]) == 1
    [item] = side.items("contact")
    assert item.org_record_id == rid and item.tracked and item.origin == "org"
    if kit.name != "local":
        [text] = _contact_texts(kit)
        meta = calcard.parse(text).meta
        assert meta == calcard.ItemMeta(True, rid, "org"), text
    assert sync.run().actions == []
    org.update("contact", rid, {"jobtitle": "CEO"})           # and it stays paired
    assert sync.run().counts() == {"mailbox-update": 1}
    assert side.get(item.local_id).data["job_title"] == "CEO"


def test_a_record_id_in_braces_as_uid_is_matched_too(shared_kit, shared_side):
    org, orgside = world(shared_kit)
    rid = org.create("contact", {"firstname": "Ann", "lastname": "Lee"}, owner=ME)
    _put_elsewhere(shared_kit, shared_side, "braces.vcf", "{" + rid.upper() + "}", "Lee")
    shared_side.refresh()
    assert Synchronizer(shared_side, orgside).run().counts().get("mailbox-create", 0) == 0
    [item] = shared_side.items("contact")
    assert item.org_record_id == rid and len(_contact_texts(shared_kit)) == 1


def test_a_foreign_item_with_an_unrelated_uid_is_left_alone(kit, side):
    org, orgside = world(kit)
    org.create("contact", {"firstname": "Ann", "lastname": "Lee"}, owner=ME)
    foreign = "0badc0de-0000-4000-8000-00000000f00d"
    _put_elsewhere(kit, side, "foreign.vcf", foreign, "Foreign")
    side.refresh()
    before = sorted(_contact_texts(kit)) if kit.name != "local" else []
    report = Synchronizer(side, orgside).run()
    assert report.counts() == {"mailbox-create": 1}
    items = {i.data["last_name"]: i for i in side.items("contact")}
    assert set(items) == {"Lee", "Foreign"}
    assert not items["Foreign"].tracked and items["Foreign"].org_record_id is None
    assert len(org.tables["contact"]) == 1
    if kit.name != "local":
        assert [t for t in before if "Foreign" in t][0] in _contact_texts(kit)


def test_an_item_that_lost_its_properties_stays_paired(shared_kit, shared_side):
    """Another program edits a linked item and drops every X-D365- property: the pair
    holds (no org delete, no doubling), its edit reaches the org, the properties return."""
    org, orgside = world(shared_kit)
    rid = org.create("contact", {"firstname": "Ann", "lastname": "Lee"}, owner=ME)
    sync = Synchronizer(shared_side, orgside)
    sync.run()
    [item] = shared_side.items("contact")
    _strip_elsewhere(shared_kit, shared_side, item.local_id, {"job_title": "Buyer"})
    report = sync.run()
    assert report.counts() == {"org-update": 1}, report.counts()
    assert org.tables["contact"][rid]["jobtitle"] == "Buyer"
    [text] = _contact_texts(shared_kit)
    assert calcard.parse(text).meta == calcard.ItemMeta(True, rid, "org"), text
    assert sync.run().actions == []


def test_a_new_index_matches_items_that_kept_only_their_tracked_flag(shared_kit, shared_side):
    """Items of an earlier install (its status and index gone) that lost only
    X-D365-ORGRECORDID: their UID names the record; no new record, no new item."""
    org, orgside = world(shared_kit)
    rids = [org.create("contact", {"firstname": "C", "lastname": f"N{n}"}, owner=ME)
            for n in range(2)]
    for n, rid in enumerate(rids):
        _put_elsewhere(shared_kit, shared_side, f"old-{n}.vcf", rid, f"N{n}",
                       keep="TRACKED ORIGIN")
    other = shared_kit.side("two")
    report = Synchronizer(other, orgside).run()
    assert "org-create" not in report.counts() and "mailbox-create" not in report.counts()
    assert len(org.tables["contact"]) == 2 and len(_contact_texts(shared_kit)) == 2
    assert sorted(i.org_record_id for i in other.items("contact")) == sorted(rids)
    assert Synchronizer(other, orgside).run().actions == []
