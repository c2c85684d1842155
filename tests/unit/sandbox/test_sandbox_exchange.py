"""Server-side synchronization in the sandbox, as Microsoft documents it: one Exchange mailbox
per address shared by the orgs, Test & Enable, the only-one-primary rule, ETags, faults."""

from __future__ import annotations

import json

import pytest
from werkzeug.test import Client

from wizard.sandbox import seed
from wizard.sandbox.dataverse_api import create_webapi_app
from wizard.sandbox.exchange import CONFIGURED_ELSEWHERE
from wizard.sandbox.faults import Faults
from wizard.sandbox.store import DataStore

API = "/api/data/v9.2/"
ALICE, BOB = seed.USERS[0], seed.USERS[1]
NA, JP = seed.org_by_name("contosona"), seed.org_by_name("contosojp")


@pytest.fixture
def store():
    s = DataStore.seeded(contacts=0)
    s.exchange.faults = Faults()
    return s


class Org:
    def __init__(self, org, store, user=ALICE):
        self.org, self.store, self.user = org, store, user
        self.client = Client(create_webapi_app(org, store, "https://127.0.0.1:1"))

    def call(self, method, path, body=None, headers=None, user=None):
        data = json.dumps(body) if body is not None else None
        hdrs = {"Content-Type": "application/json", **(headers or {})} if body is not None \
            else (headers or {})
        return self.client.open(API + path, method=method, data=data, headers=hdrs,
                                environ_base={"sandbox.user": user or self.user})

    def box(self, user=ALICE):
        resp = self.call("GET", f"mailboxes?$filter=_regardingobjectid_value eq "
                                f"{user.systemuser_id}")
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()["value"][0]

    def patch(self, values, *, etag=None, user=None):
        box = self.box()
        return self.call("PATCH", f"mailboxes({box['mailboxid']})", values,
                         {"If-Match": etag or box["@odata.etag"]}, user=user)


@pytest.fixture
def na(store):
    return Org(NA, store)


@pytest.fixture
def jp(store):
    return Org(JP, store)


def test_seed_alice_is_on_server_side_sync_everywhere_and_north_america_holds(na, jp):
    assert na.box()["actdeliverymethod"] == jp.box()["actdeliverymethod"] == 1
    assert na.box()["orgmarkedasprimaryforexchangesync"] is True
    assert jp.box()["orgmarkedasprimaryforexchangesync"] is False
    assert na.box()["emailrouteraccessapproval"] == 1


def test_test_and_enable_without_the_flag_fails_when_another_org_holds(na, jp, store):
    assert jp.patch({"testemailconfigurationscheduled": True, "actstatus": 0}).status_code == 204
    box = jp.box()                                   # the test runs before this read
    assert box["actstatus"] == 2 and box["testemailconfigurationscheduled"] is False
    assert box["lastsyncerror"] == CONFIGURED_ELSEWHERE.format(name=ALICE.display_name)
    assert "configured with another organization" in box["lastsyncerror"]
    assert box["orgmarkedasprimaryforexchangesync"] is False
    assert na.box()["orgmarkedasprimaryforexchangesync"] is True
    assert store.exchange.holder(ALICE.upn) == NA.org_id


def test_the_flag_takes_the_mailbox_and_only_one_org_is_primary(na, jp, store):
    assert na.box()["actstatus"] == 1
    jp.patch({"isactsyncorgflagset": True})
    jp.patch({"testemailconfigurationscheduled": True})
    box = jp.box()
    assert box["actstatus"] == 1 and box["orgmarkedasprimaryforexchangesync"] is True
    assert box["isactsyncorgflagset"] is False          # belongs to one Test & Enable
    north = na.box()
    assert north["orgmarkedasprimaryforexchangesync"] is False
    # North America is still on server-side sync: its next cycle fails, as documented.
    assert north["actstatus"] == 2 and "another organization" in north["lastsyncerror"]
    assert store.exchange.holder(ALICE.upn) == JP.org_id
    # ...and Test & Enable again in North America (stamp now Japan's) fails without the flag
    na.patch({"testemailconfigurationscheduled": True})
    assert na.box()["actstatus"] == 2 and store.exchange.holder(ALICE.upn) == JP.org_id


def test_a_free_mailbox_is_taken_without_the_flag(na, jp, store):
    store.exchange.set_holder(ALICE.upn, None)
    assert na.box()["orgmarkedasprimaryforexchangesync"] is False
    jp.patch({"testemailconfigurationscheduled": True})
    assert jp.box()["actstatus"] == 1 and store.exchange.holder(ALICE.upn) == JP.org_id


def test_an_org_on_none_is_not_tested_for_appointments(jp, store):
    jp.patch({"actdeliverymethod": 2})
    jp.patch({"testemailconfigurationscheduled": True, "actstatus": 0})
    assert jp.box()["actstatus"] == 0 and store.exchange.holder(ALICE.upn) == NA.org_id


def test_an_unapproved_address_fails_with_the_approval_alert(jp, store):
    row = jp.box()
    store.update("contosojp", "mailbox", row["mailboxid"], {"emailrouteraccessapproval": 2})
    jp.patch({"isactsyncorgflagset": True})
    jp.patch({"testemailconfigurationscheduled": True})
    box = jp.box()
    assert box["actstatus"] == 2 and "not approved" in box["lastsyncerror"]
    assert store.exchange.holder(ALICE.upn) == NA.org_id


def test_stuck_fault_keeps_test_and_enable_not_run(jp, store):
    store.exchange.faults.set("test_enable_stuck")
    jp.patch({"testemailconfigurationscheduled": True, "actstatus": 0})
    for _ in range(3):
        assert jp.box()["actstatus"] == 0 and jp.box()["testemailconfigurationscheduled"]
    store.exchange.faults.clear("test_enable_stuck")
    assert jp.box()["actstatus"] == 2                # runs at the next read


def test_writes_are_conditional_on_the_etag(jp):
    old = jp.box()["@odata.etag"]
    assert jp.patch({"actdeliverymethod": 2}).status_code == 204
    resp = jp.patch({"actdeliverymethod": 1}, etag=old)
    assert resp.status_code == 412 and resp.get_json()["error"]["code"] == "0x80060882"
    assert jp.box()["actdeliverymethod"] == 2


def test_mailbox_changed_fault_makes_the_next_conditional_write_412(jp, store):
    store.exchange.faults.set("mailbox_changed", count=1)
    assert jp.patch({"actdeliverymethod": 2}).status_code == 412
    assert jp.box()["actdeliverymethod"] == 1
    assert jp.patch({"actdeliverymethod": 2}).status_code == 204      # only once


def test_a_user_without_the_privilege_gets_dataverses_403(store):
    bob = Org(JP, store, user=BOB)
    resp = bob.patch({"actdeliverymethod": 1})
    body = resp.get_json()["error"]
    assert resp.status_code == 403 and body["code"] == "0x80040220"
    assert "prvWriteMailbox" in body["message"]
    store.exchange.faults.set("mailbox_write_denied", ALICE.upn)
    resp = Org(JP, store).patch({"actdeliverymethod": 2})
    assert resp.status_code == 403 and "prvWriteMailbox" in resp.get_json()["error"]["message"]


def test_return_representation_gives_the_new_etag(jp):
    box = jp.box()
    resp = jp.call("PATCH", f"mailboxes({box['mailboxid']})?$select=actdeliverymethod",
                   {"actdeliverymethod": 2},
                   {"If-Match": box["@odata.etag"], "Prefer": "return=representation"})
    assert resp.status_code == 200 and resp.get_json()["actdeliverymethod"] == 2
    assert resp.get_json()["@odata.etag"] != box["@odata.etag"]


def test_the_stamp_flag_cannot_be_written(jp):
    resp = jp.patch({"orgmarkedasprimaryforexchangesync": True})
    assert resp.status_code == 400 and "Test & Enable" in resp.get_json()["error"]["message"]


def test_reset_brings_the_seeded_records_and_stamps_back(na, jp, store):
    jp.patch({"isactsyncorgflagset": True})
    jp.patch({"testemailconfigurationscheduled": True})
    assert jp.box()["actstatus"] == 1                 # the test ran at this read
    na.patch({"actdeliverymethod": 2})
    assert store.exchange.holder(ALICE.upn) == JP.org_id
    store.exchange.reset()
    assert store.exchange.holder(ALICE.upn) == NA.org_id
    assert na.box()["actdeliverymethod"] == 1 and na.box()["orgmarkedasprimaryforexchangesync"]
    assert jp.box()["orgmarkedasprimaryforexchangesync"] is False
