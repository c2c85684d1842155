"""parse_org_url by example: every accepted form and every refusal."""

from __future__ import annotations

import pytest

from wizard.engine.clouds import cloud_from_dict
from wizard.engine.errors import InvalidOrgUrl
from wizard.engine.urls import parse_org_url

GUID = "%7B3f2504e0-4f89-11d3-9a0c-0305e82c3301%7D"

ONLINE = [
    # (text, base_url, cloud, region)
    ("https://contoso.crm.dynamics.com", "https://contoso.crm.dynamics.com", "commercial", "NAM"),
    ("https://contoso.crm4.dynamics.com/main.aspx?appid=1a2b&pagetype=entityrecord"
     f"&etn=account&id={GUID}",
     "https://contoso.crm4.dynamics.com", "commercial", "EUR"),
    ("https://contoso.crm4.dynamics.com/main.aspx#123456", "https://contoso.crm4.dynamics.com",
     "commercial", "EUR"),
    ("https://contoso.crm11.dynamics.com/apps/sales/main.aspx?pagetype=dashboard",
     "https://contoso.crm11.dynamics.com", "commercial", "GBR"),
    ("contoso.api.crm.dynamics.com/api/data/v9.2/accounts", "https://contoso.crm.dynamics.com",
     "commercial", "NAM"),
    ("https://contoso.api.crm3.dynamics.com/api/data/v9.2/", "https://contoso.crm3.dynamics.com",
     "commercial", "CAN"),
    ("https://contoso.crm5.dynamics.com/XRMServices/2011/Organization.svc",
     "https://contoso.crm5.dynamics.com", "commercial", "APJ"),
    ("contoso.crm6.dynamics.com", "https://contoso.crm6.dynamics.com", "commercial", "OCE"),
    ("  https://contoso.crm2.dynamics.com/  \n", "https://contoso.crm2.dynamics.com",
     "commercial", "SAM"),
    ("https://contoso.crm7.dynamics.com.", "https://contoso.crm7.dynamics.com",
     "commercial", "JPN"),
    ("https://contoso.crm8.dynamics.com//", "https://contoso.crm8.dynamics.com",
     "commercial", "IND"),
    ("HTTPS://CONTOSO.CRM12.DYNAMICS.COM/MAIN.ASPX", "https://contoso.crm12.dynamics.com",
     "commercial", "FRA"),
    ("http://contoso.crm14.dynamics.com", "https://contoso.crm14.dynamics.com",
     "commercial", "ZAF"),
    ("https://contoso.crm15.dynamics.com:443/", "https://contoso.crm15.dynamics.com",
     "commercial", "UAE"),
    ("contoso.crm16.dynamics.com", "https://contoso.crm16.dynamics.com", "commercial", "GER"),
    ("contoso.crm17.dynamics.com", "https://contoso.crm17.dynamics.com", "commercial", "CHE"),
    ("contoso.crm21.dynamics.com", "https://contoso.crm21.dynamics.com", "commercial", "KOR"),
    ("contoso.crm31.dynamics.com", "https://contoso.crm31.dynamics.com", "commercial", None),
    ("contoso.crm9.dynamics.com/main.aspx", "https://contoso.crm9.dynamics.com", "gcc", None),
    ("https://contoso.crm.microsoftdynamics.us/main.aspx",
     "https://contoso.crm.microsoftdynamics.us", "gcchigh", None),
    ("contoso.api.crm.microsoftdynamics.us", "https://contoso.crm.microsoftdynamics.us",
     "gcchigh", None),
    ("https://contoso.crm.appsplatform.us", "https://contoso.crm.appsplatform.us", "dod", None),
    ("https://contoso.crm.dynamics.cn/main.aspx", "https://contoso.crm.dynamics.cn", "china", None),
    ('"https://contoso.crm.dynamics.com/main.aspx"', "https://contoso.crm.dynamics.com",
     "commercial", "NAM"),
    ("<https://contoso.crm.dynamics.com/main.aspx>", "https://contoso.crm.dynamics.com",
     "commercial", "NAM"),
    ("https://contoso.crm.dyna\nmics.com/main.aspx?etn=account", "https://contoso.crm.dynamics.com",
     "commercial", "NAM"),
    ("https%3A%2F%2Fcontoso.crm.dynamics.com%2Fmain.aspx", "https://contoso.crm.dynamics.com",
     "commercial", "NAM"),
    ("Our CRM is at <https://contoso.crm.dynamics.com/main.aspx>, thanks",
     "https://contoso.crm.dynamics.com", "commercial", "NAM"),
    ("Link: https://contoso.crm4.dynamics.com.", "https://contoso.crm4.dynamics.com",
     "commercial", "EUR"),
    ("ｈｔｔｐｓ://contoso.crm.dynamics.com", "https://contoso.crm.dynamics.com", "commercial", "NAM"),
    ("https://contoso.crm.dynamics.com/main.aspx.", "https://contoso.crm.dynamics.com",
     "commercial", "NAM"),
    ("https:\\\\contoso.crm.dynamics.com\\main.aspx", "https://contoso.crm.dynamics.com",
     "commercial", "NAM"),
    ("https://contoso-dev2.crm.dynamics.com/apps", "https://contoso-dev2.crm.dynamics.com",
     "commercial", "NAM"),
]


@pytest.mark.parametrize(("text", "base_url", "cloud", "region"), ONLINE)
def test_online_addresses(text, base_url, cloud, region):
    result = parse_org_url(text)
    assert (result.base_url, result.kind, result.cloud, result.region) == (
        base_url, "online", cloud, region)
    org = base_url.split("//")[1].split(".")[0]
    assert result.org_name == org
    assert result.host == base_url.split("//")[1]
    domain = base_url.split(".", 1)[1]
    assert result.api_url == f"https://{org}.api.{domain}"
    assert result.web_api_base == f"https://{org}.api.{domain}/api/data/v9.2/"


SERVERS = [
    # (text, base_url, kind, org_name)
    ("http://crmserver/contoso", "http://crmserver/contoso", "onprem", "contoso"),
    ("http://crmserver:5555/Contoso/main.aspx?etc=1&id=%7Babc%7D", "http://crmserver:5555/contoso",
     "onprem", "contoso"),
    ("https://crmserver/contoso/", "https://crmserver/contoso", "onprem", "contoso"),
    ("crmserver/contoso", "https://crmserver/contoso", "onprem", "contoso"),
    ("CRMSERVER:5555/Contoso", "https://crmserver:5555/contoso", "onprem", "contoso"),
    ("http://crmserver:80/contoso", "http://crmserver/contoso", "onprem", "contoso"),
    ("http://crm.contoso.local/contoso/main.aspx#x", "http://crm.contoso.local/contoso",
     "onprem", "contoso"),
    ("https://crm.contoso.local:444/Sales_EU/api/data/v9.0/accounts",
     "https://crm.contoso.local:444/sales_eu", "onprem", "sales_eu"),
    ("http://crmserver/contoso/XRMServices/2011/Organization.svc", "http://crmserver/contoso",
     "onprem", "contoso"),
    ("http://crmserver/contoso/apps/sales/main.aspx", "http://crmserver/contoso", "onprem",
     "contoso"),
    ("http://10.0.0.5/contoso", "http://10.0.0.5/contoso", "onprem", "contoso"),
    ("http://[2001:db8::5]:5555/contoso", "http://[2001:db8::5]:5555/contoso", "onprem", "contoso"),
    ("http://localhost:5555/contoso/main.aspx", "http://localhost:5555/contoso", "onprem",
     "contoso"),
    ("http://crmserver/sfa/accts/edit.aspx", "http://crmserver/sfa", "onprem", "sfa"),
    ("https://contoso.contoso.com", "https://contoso.contoso.com", "ifd", "contoso"),
    ("https://contoso.contoso.com/main.aspx?etn=account", "https://contoso.contoso.com", "ifd",
     "contoso"),
    ("https://Contoso.Contoso.com./apps/sales/main.aspx#1", "https://contoso.contoso.com", "ifd",
     "contoso"),
    ("http://contoso.contoso.com/main.aspx", "https://contoso.contoso.com", "ifd", "contoso"),
    ("contoso.contoso.com:444/XRMServices/2011/Organization.svc", "https://contoso.contoso.com:444",
     "ifd", "contoso"),
    ("https://contoso.contoso.com/api/data/v9.1/", "https://contoso.contoso.com", "ifd", "contoso"),
    ("https://sales.crm.fabrikam.co.uk", "https://sales.crm.fabrikam.co.uk", "ifd", "sales"),
    ("bücher.contoso.com", "https://xn--bcher-kva.contoso.com", "ifd", "xn--bcher-kva"),
]


@pytest.mark.parametrize(("text", "base_url", "kind", "org_name"), SERVERS)
def test_on_premises_and_ifd_addresses(text, base_url, kind, org_name):
    result = parse_org_url(text)
    assert (result.base_url, result.kind, result.org_name) == (base_url, kind, org_name)
    assert result.cloud is None and result.region is None
    assert result.api_url == base_url
    assert result.web_api_base == base_url + "/api/data/v9.2/"


SANDBOX = cloud_from_dict({
    "name": "sandbox", "display_name": "Sandbox (Contoso)",
    "authority": "https://127.0.0.1:44360/8a1b2c3d-tenant",
    "discovery_url": "https://127.0.0.1:44360",
    "org_domains": ["crm.contoso.example"],
    "org_hosts": {"127.0.0.1:44361": {"region": "EUR", "unique_name": "ContosoSales"},
                  "127.0.0.1:44362": {}, "orgs.example.test": {"region": "NAM"}},
})
CLOUDS = {"sandbox": SANDBOX}


@pytest.mark.parametrize(("text", "base_url", "region", "org_name"), [
    ("https://127.0.0.1:44361", "https://127.0.0.1:44361", "EUR", "ContosoSales"),
    ("https://127.0.0.1:44361/main.aspx?x=1", "https://127.0.0.1:44361", "EUR", "ContosoSales"),
    ("127.0.0.1:44361/api/data/v9.2/contacts", "https://127.0.0.1:44361", "EUR", "ContosoSales"),
    ("https://127.0.0.1:44362/", "https://127.0.0.1:44362", None, None),
    ("https://orgs.example.test/", "https://orgs.example.test", "NAM", None),
    ("https://orgs.example.test:443/", "https://orgs.example.test", "NAM", None),
    ("https://fabrikam.crm.contoso.example/main.aspx", "https://fabrikam.crm.contoso.example",
     None, "fabrikam"),
    ("fabrikam.api.crm.contoso.example/api/data/v9.2/", "https://fabrikam.crm.contoso.example",
     None, "fabrikam"),
])
def test_custom_cloud_orgs_are_online_in_that_cloud(text, base_url, region, org_name):
    result = parse_org_url(text, CLOUDS)
    assert (result.base_url, result.kind, result.cloud, result.region, result.org_name) == (
        base_url, "online", "sandbox", region, org_name)
    assert result.api_url == base_url


def test_custom_cloud_leaves_its_on_premises_orgs_alone():
    result = parse_org_url("https://127.0.0.1:44360/contosoonprem/main.aspx", CLOUDS)
    assert (result.kind, result.base_url) == ("onprem", "https://127.0.0.1:44360/contosoonprem")


def test_without_the_cloud_the_org_host_is_a_bare_ip():
    with pytest.raises(InvalidOrgUrl) as info:
        parse_org_url("https://127.0.0.1:44361")
    assert info.value.reason == "bare_ip"


ERRORS = [
    # (text, reason, words the message must contain)
    ("", "empty", "No organization address"),
    ("   \n\t ", "empty", "No organization address"),
    ('""', "empty", "No organization address"),
    (None, "empty", "No organization address"),
    (b"https://contoso.crm.dynamics.com", "not_org", "must be text"),
    ("ftp://contoso.crm.dynamics.com", "scheme", "'ftp:'"),
    ("mailto:someone@contoso.com", "scheme", "e-mail"),
    ("file:///C:/Users/me/org.txt", "file_path", "file path"),
    ("C:\\Users\\me\\org.url", "file_path", "file path"),
    ("javascript:alert(1)", "scheme", "'javascript:'"),
    ("ms-outlook://x", "scheme", "'ms-outlook:'"),
    ("someone@contoso.com", "email", "e-mail"),
    ("https://admin@contoso.crm.dynamics.com", "credentials", "user name"),
    ("https://admin:Sup3rS3cret!@contoso.crm.dynamics.com/main.aspx", "credentials", "password"),
    ("https://admin.powerplatform.microsoft.com/environments", "portal", "admin center"),
    ("https://make.powerapps.com/environments/abc/home", "portal", "maker portal"),
    ("https://make.powerautomate.com/", "portal", "Power Automate"),
    ("https://gcc.admin.powerplatform.microsoft.us", "portal", "admin center"),
    ("https://make.gov.powerapps.us", "portal", "maker portal"),
    ("https://copilotstudio.microsoft.com", "portal", "Copilot"),
    ("https://login.microsoftonline.com/common/oauth2/authorize?client_id=x", "signin", "sign-in"),
    ("login.microsoftonline.us", "signin", "sign-in"),
    ("https://login.chinacloudapi.cn/organizations", "signin", "sign-in"),
    ("https://home.dynamics.com/", "picker", "lists your apps"),
    ("https://port.crm.dynamics.com/G/Instances/InstancePicker.aspx", "picker", "lists your apps"),
    ("https://port.crm4.dynamics.com/", "picker", "lists your apps"),
    ("https://apps.powerapps.com/play/e/abc/a/def", "picker", "lists your apps"),
    ("https://10.0.0.5", "bare_ip", "IP address"),
    ("10.0.0.5:5555", "bare_ip", "IP address"),
    ("https://[2001:db8::5]/", "bare_ip", "IP address"),
    ("https://globaldisco.crm.dynamics.com/api/discovery/v2.0/Instances", "discovery", "Discovery"),
    ("globaldisco.crm9.dynamics.com", "discovery", "Discovery"),
    ("https://globaldisco.crm.microsoftdynamics.us", "discovery", "Discovery"),
    ("https://disco.crm4.dynamics.com/XRMServices/2011/Discovery.svc", "discovery", "Discovery"),
    ("http://crmserver/XRMServices/2011/Discovery.svc", "discovery", "Discovery"),
    ("https://www.google.com/search?q=dynamics", "website", "public website"),
    ("google.de", "website", "public website"),
    ("https://www.bing.com", "website", "public website"),
    ("https://outlook.office.com/mail/", "not_org", "Microsoft service"),
    ("https://contoso.sharepoint.com/sites/sales", "not_org", "Microsoft service"),
    ("https://teams.microsoft.com/l/channel", "not_org", "Microsoft service"),
    ("https://portal.azure.com", "portal", "Azure portal"),
    ("https://contoso.operations.dynamics.com", "not_org", "Finance and Operations"),
    ("https://contoso.powerappsportals.com", "not_org", "Power Pages"),
    ("https://crm.dynamics.com", "not_org", "no organization"),
    ("https://crm4.dynamics.com/main.aspx", "not_org", "no organization"),
    ("https://www.dynamics.com/", "not_org", "not an organization address"),
    ("https://a.b.crm.dynamics.com", "not_org", "not an organization address"),
    ("http://crmserver", "no_org", "not the organization"),
    ("http://crmserver:5555/main.aspx", "no_org", "not the organization"),
    ("localhost", "no_org", "not the organization"),
    ("contoso.com", "no_org", "domain"),
    ("https://www.contoso.com", "not_org", "website"),
    ("https://adfs.contoso.com/adfs/ls", "not_org", "AD FS"),
    ("https://sts.contoso.com", "not_org", "AD FS"),
    ("https://auth.contoso.com", "not_org", "sign-in"),
    ("https://dev.contoso.com/XRMServices/2011/Discovery.svc", "discovery", "Discovery"),
    ("https://example.net/blog/post-1", "website", "public website"),
    ("https://shop.fabrikam.com/blog/post-1", "not_org", "does not look like"),
    ("https://shop.fabrikam.com/index.html", "not_org", "does not look like"),
    ("https://contoso crm.dynamics.com", "spaces", "spaces"),
    ("see https://a.crm.dynamics.com or https://b.crm.dynamics.com", "spaces", "spaces"),
    ("contoso.crm.dynamics.com and more", "spaces", "spaces"),
    ("contoso", "no_org", "not the organization"),
    ("https://", "empty", "no server name"),
    ("https://contoso.crm.dynamics.com:99999", "bad_port", "port"),
    ("https://crmserver:abc/contoso", "bad_port", "port"),
    ("https://-bad-.contoso.com", "bad_host", "server name"),
    ("https://contoso..com", "bad_host", "server name"),
    ("http://999.1.1.1/contoso", "bad_host", "server name"),
    ("http://2001:db8::5/contoso", "bad_host", "brackets"),
    ("https://[zz::1]/contoso", "bad_host", "not valid"),
    ("https://con\x00toso.crm.dynamics.com", "not_org", "control characters"),
    ("x" * 40000, "too_long", "too long"),
    ("https://contoso.crm.dynamics.com.evil.example/main.aspx", "lookalike", "imitates"),
    ("https://cоntoso.crm.dynamics.com", "lookalike", "look-alike"),  # Cyrillic o
]


@pytest.mark.parametrize(("text", "reason", "words"), ERRORS)
def test_refusals_say_why(text, reason, words):
    with pytest.raises(InvalidOrgUrl) as info:
        parse_org_url(text)
    err = info.value
    assert err.reason == reason
    assert words.lower() in str(err).lower()
    assert err.code == "invalid_url"
    assert isinstance(err, ValueError)


def test_every_refusal_tells_the_user_what_to_do():
    for text, _, _ in ERRORS:
        with pytest.raises(InvalidOrgUrl) as info:
            parse_org_url(text)
        assert info.value.fix, f"no next step for {text!r}"


def test_password_is_not_in_the_error_anywhere():
    with pytest.raises(InvalidOrgUrl) as info:
        parse_org_url("https://admin:Sup3rS3cret!@contoso.crm.dynamics.com/main.aspx")
    err = info.value
    for text in (str(err), repr(err), err.message, err.fix or "", err.details or "",
                 str(err.to_dict())):
        assert "Sup3rS3cret" not in text
        assert "admin" not in text.replace("admin center", "")
    assert err.__cause__ is None and err.__context__ is None


@pytest.mark.parametrize(("text", "reason"), [
    ("https://127.0.0.1:44360", "discovery"),
    ("https://127.0.0.1:44360/api/discovery/v2.0/Instances", "discovery"),
    ("https://127.0.0.1:44360/8a1b2c3d-tenant/oauth2/v2.0/authorize", "signin"),
    ("https://crm.contoso.example", "not_org"),
    ("https://a.b.crm.contoso.example", "not_org"),
    ("https://globaldisco.crm.contoso.example", "discovery"),
])
def test_custom_cloud_services_are_refused(text, reason):
    with pytest.raises(InvalidOrgUrl) as info:
        parse_org_url(text, CLOUDS)
    assert info.value.reason == reason


def test_built_in_clouds_in_the_mapping_change_nothing():
    from wizard.engine.clouds import BUILTIN_CLOUDS

    clouds = {**BUILTIN_CLOUDS, **CLOUDS}
    assert parse_org_url("contoso.crm4.dynamics.com", clouds).region == "EUR"
    assert parse_org_url("https://127.0.0.1:44361", list(clouds.values())).cloud == "sandbox"
    with pytest.raises(InvalidOrgUrl) as info:
        parse_org_url("https://home.dynamics.com", clouds)
    assert info.value.reason == "picker"


def test_result_is_frozen_and_serialisable():
    result = parse_org_url("contoso.crm4.dynamics.com")
    with pytest.raises(AttributeError):
        result.base_url = "x"  # type: ignore[misc] # the point: a frozen dataclass refuses it
    assert result.to_dict() == {
        "base_url": "https://contoso.crm4.dynamics.com", "kind": "online",
        "cloud": "commercial", "region": "EUR", "host": "contoso.crm4.dynamics.com",
        "port": None, "scheme": "https", "org_name": "contoso",
        "api_url": "https://contoso.api.crm4.dynamics.com",
        "web_api_base": "https://contoso.api.crm4.dynamics.com/api/data/v9.2/"}
