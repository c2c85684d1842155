"""Property tests of the log redactor for the secrets a first audit found it missed:
cookies (header lines, cookie jars, Set-Cookie), SAMLResponse and WS-Fed wresult, a
SAML assertion in XML, URL-encoded Authorization headers and Bearer credentials, API-key
headers (x-api-key, Ocp-Apim-Subscription-Key, ...) and SAS signatures (sig=)."""

from __future__ import annotations

import string
from urllib.parse import quote

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wizard.engine.logs import MASK, redact

untimed = settings(deadline=None, max_examples=150)
surrounding = st.text(alphabet=string.ascii_letters + " .,:()\n", max_size=40)
value = st.text(alphabet=string.ascii_letters + string.digits + "-_.~+/=%", min_size=10,
                max_size=60).filter(lambda v: v.strip("=%+/") and "REDACTED" not in v)
b64 = st.text(alphabet=string.ascii_letters + string.digits + "+/", min_size=16,
              max_size=80)


def never_survives(secret: str, text: str) -> None:
    assume(text.count(secret) == 1 and MASK not in secret)
    out = redact(text)
    assert secret not in out, (text, out)
    assert redact(out) == out


@untimed
@given(st.sampled_from(["Cookie", "Set-Cookie", "cookie", "SET-COOKIE"]),
       st.sampled_from(["ESTSAUTH", "CrmOwinAuth", ".AspNet.Cookies", "MSISAuth", "x"]),
       value, surrounding, surrounding)
def test_cookie_headers(header, name, secret, before, after):
    never_survives(secret, f"{before}{header}: {name}={secret}; Path=/; Secure\n{after}")
    never_survives(secret, f"{before}{{'{header}': '{name}={secret}'}}{after}")


@untimed
@given(st.sampled_from(["ESTSAUTH", "CrmOwinAuth", "ReqClientId"]), value, surrounding)
def test_cookie_jar_repr(name, secret, before):
    assume(">" not in secret and " " not in secret)
    never_survives(secret, f"{before}<RequestsCookieJar[<Cookie {name}={secret} for "
                           f".contoso.example/>]>")


@untimed
@given(st.sampled_from(["SAMLResponse", "samlresponse", "wresult", "SAMLart"]), b64,
       surrounding, surrounding)
def test_saml_and_wsfed_form_values(key, secret, before, after):
    body = f"RelayState=abc&{key}={quote(secret, safe='')}&x=1"
    never_survives(quote(secret, safe=""), before + body + after)
    never_survives(secret, f'{before}{{"{key}": "{secret}"}}{after}')


@untimed
@given(b64, surrounding)
def test_saml_assertion_xml(secret, before):
    xml = (f'<samlp:Response><saml:Assertion ID="_1"><ds:SignatureValue>{secret}'
           "</ds:SignatureValue></saml:Assertion></samlp:Response>")
    never_survives(secret, before + xml)


@untimed
@given(st.sampled_from(["Authorization", "authorization", "Proxy-Authorization"]),
       st.sampled_from(["Bearer", "Basic"]), value, surrounding, surrounding)
def test_url_encoded_authorization(header, scheme, secret, before, after):
    never_survives(quote(secret, safe=""),
                   before + quote(f"{header}: {scheme} {secret}", safe="") + after)
    never_survives(quote(secret, safe=""),
                   f"{before}?{header}={scheme}%20{quote(secret, safe='')}&x=1{after}")
    never_survives(quote(secret, safe="") if "%" not in secret else secret,
                   f"{before}{scheme}%20{quote(secret, safe='')}{after}")


@untimed
@given(st.sampled_from(["x-api-key", "X-API-Key", "api-key", "Ocp-Apim-Subscription-Key",
                        "x-functions-key", "X-Auth-Token", "x-goog-api-key"]),
       value, surrounding, surrounding)
def test_api_key_headers(header, secret, before, after):
    never_survives(secret, f"{before}\n{header}: {secret}\n{after}")
    never_survives(secret, f"{before}{{'{header}': '{secret}', 'Accept': 'json'}}{after}")
    never_survives(secret, f'{before}{{"{header}": "{secret}"}}{after}')


@untimed
@given(value, surrounding)
def test_subscription_key_in_a_query(secret, before):
    never_survives(secret, f"{before}GET https://api.contoso.example/x?subscription-key="
                           f"{secret}&a=1")


@untimed
@given(b64, surrounding, surrounding)
def test_sas_signature(secret, before, after):
    url = (f"https://acct.blob.core.windows.net/c/b.txt?sv=2022-11-02&se=2026-01-01&sr=b"
           f"&sp=r&sig={quote(secret, safe='')}")
    never_survives(quote(secret, safe=""), before + url + " " + after)
    never_survives(secret, f"{before}SharedAccessSignature=sv=2022&sig={secret};{after}")
    never_survives(secret, f"{before}AccountKey={secret};EndpointSuffix=core.windows.net")


def test_ordinary_text_is_left_alone():
    for text in ("signature verified", "config=debug", "design decisions", "sigma=2",
                 "cookies were accepted", "Set the API key in the portal"):
        assert redact(text) == text
