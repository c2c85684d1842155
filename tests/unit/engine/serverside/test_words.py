"""The server-side switch's notes: params a front end words itself (a method, org names, a
wrapped error, the server's words) print as the same English as before in the CLI."""

from __future__ import annotations

from wizard.engine.errors import ErrorMessage, ServerText
from wizard.engine.serverside.errors import MailboxUnreachable
from wizard.engine.serverside.words import Names, method_word, note, phrase


def test_worded_params_print_the_engines_english():
    assert note("set_none", org="“A”", was=method_word(1)).text == \
        "“A”: appointments, contacts and tasks → None (was Server-Side Synchronization)."
    assert note("set_none", org="“A”", was=method_word(7)).text.endswith("(was unknown (7)).")
    assert note("holder", holders=Names(("“A”", "“B”", "“C”"))).text == \
        "Your Exchange mailbox synchronizes with “A”, “B” and “C”."
    err = MailboxUnreachable(org="“A”", reason=phrase("not_read"))
    assert note("failed", org="“A”", reason=ErrorMessage(err)).text == \
        "“A”: not changed. “A” could not be reached: not read"


def test_worded_params_go_to_json_as_their_english():
    n = note("te_failure", org="“A”", error=ServerText("Gone."))
    assert n.to_dict()["params"] == {"org": "“A”", "error": "Gone."}
    takes = note("takes_from", holders=Names(("“B”",)))
    assert note("set_server_override", org="“A”", was=method_word(2), takes=takes
                ).to_dict()["params"] == {"org": "“A”", "was": "None",
                                          "takes": " (takes your Exchange mailbox from “B”)"}
