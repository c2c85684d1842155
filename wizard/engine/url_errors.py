"""Why a text is not an organization address: the errors of :mod:`wizard.engine.urls`.

Every one is an :class:`~wizard.engine.errors.InvalidOrgUrl` (code ``invalid_url``) with a
stable ``reason`` tag that tests and the front ends match on; the text names what was
pasted and the fix says what to paste instead (by default: where to copy an org address
from, with examples).
"""

from __future__ import annotations

from typing import ClassVar

from wizard.engine.errors import InvalidOrgUrl

_ONLINE_EXAMPLE = "e.g. https://contoso.crm.dynamics.com"


class _UrlError(InvalidOrgUrl):
    reason: ClassVar[str] = "not_org"
    fix_template = ("Paste the address from your browser's address bar while the org is open, "
                    "for example https://contoso.crm.dynamics.com (online), "
                    "http://crmserver/contoso (on-premises) or https://contoso.contoso.com (IFD).")


# -- the text itself -----------------------------------------------------------------------

class NoAddress(_UrlError):
    reason = "empty"
    template = "No organization address was given."


class NotText(_UrlError):
    template = "An organization address must be text."


class TooLong(_UrlError):
    reason = "too_long"
    template = "This text is far too long to be an organization address."


class ControlCharacters(_UrlError):
    template = "The address contains control characters."


class HasSpaces(_UrlError):
    reason = "spaces"
    template = "An organization address cannot contain spaces."
    fix_template = "Copy the whole address from the browser's address bar and paste it as one line."


class FilePath(_UrlError):
    reason = "file_path"
    template = "This is a file path, not an organization address."


class MailtoLink(_UrlError):
    reason = "scheme"
    template = "This is an e-mail link, not an organization address."


class OtherScheme(_UrlError):
    """A known non-web scheme (``ftp:``, ``ldap:``…): ``scheme`` names it."""

    reason = "scheme"
    template = "'{scheme}:' addresses cannot be organization addresses; only web addresses (https://...) can."


class NotWebAddress(_UrlError):
    reason = "scheme"
    template = "Only web addresses (https:// or http://) can be organization addresses."


class HasPassword(_UrlError):
    """The text is never repeated (it holds a password)."""

    reason = "credentials"
    template = "The address contains a user name and password."
    fix_template = ("Never put a password in an address: remove the part up to and including '@', "
                    "and sign in when the wizard asks. If that password is real, consider changing it.")


class HasUserName(_UrlError):
    reason = "credentials"
    template = "The address contains a user name."
    fix_template = "Remove the part up to and including '@'; the wizard asks who you are when it signs in."


class EmailAddress(_UrlError):
    reason = "email"
    template = "This looks like an e-mail address or user name, not an organization address."


# -- the server part -----------------------------------------------------------------------

class BadServerPart(_UrlError):
    reason = "bad_host"
    template = "The server part of the address is not valid."


class UnbracketedIpv6(BadServerPart):
    fix_template = "Write an IPv6 address in brackets, e.g. http://[2001:db8::5]/contoso."


class BadPort(_UrlError):
    reason = "bad_port"
    template = "The port number in the address is not valid."
    fix_template = "A port is a number from 1 to 65535 after a colon, e.g. crmserver:5555."


class NoServerName(_UrlError):
    reason = "empty"
    template = "The address has no server name."


class BadServerName(_UrlError):
    reason = "bad_host"
    template = "The server name in the address is not valid."


class BadOrgName(_UrlError):
    reason = "bad_host"
    template = "The organization name in the address is not valid."


# -- clouds: ``cloud`` is the cloud's display name, ``domain`` its org domain ----------------

class CustomCloudWithoutOrg(_UrlError):
    template = "This address names the {cloud} cloud but no organization."
    fix_template = "An organization address looks like https://contoso.{domain}."


class CustomCloudNotOrg(_UrlError):
    template = "This address is in the {cloud} cloud but is not an organization address."
    fix_template = "An organization address looks like https://contoso.{domain}."


class CloudWithoutOrg(_UrlError):
    template = "This address names the Dynamics 365 cloud but no organization."
    fix_template = "Put your org's name in front, e.g. https://contoso.{domain}."


class DynamicsNotOrg(_UrlError):
    template = "This Dynamics 365 address is not an organization address."
    fix_template = ("An online organization address looks like https://contoso.crm.dynamics.com "
                    "(the part before .crm is the org's name). Copy it from the browser while the "
                    "org is open.")


class Lookalike(_UrlError):
    """``host`` is the server that imitates a Dynamics 365 address."""

    reason = "lookalike"
    template = "This address only imitates a Dynamics 365 address: the server is {host}, which is not Microsoft's."
    fix_template = ("Do not sign in there. Copy the address again from the browser while the org "
                    "is open, or ask your administrator.")


class PunycodeOrgName(_UrlError):
    reason = "lookalike"
    template = ("The organization name in this address contains non-Latin look-alike letters; "
                "Dynamics 365 org names never do.")
    fix_template = "Type the address yourself or copy it again from the browser while the org is open."


# -- Microsoft's own addresses ---------------------------------------------------------------

class MicrosoftSignInPage(_UrlError):
    reason = "signin"
    template = "This is the Microsoft sign-in page, not your organization."
    fix_template = ("Sign in in the browser, open the org, then copy the address from the address "
                    "bar (e.g. https://contoso.crm.dynamics.com). Or choose 'Dynamics 365 (online)' "
                    "to sign in and pick from your organizations.")


class DiscoveryAddress(_UrlError):
    reason = "discovery"
    template = "This is a Discovery Service address, not an organization."
    fix_template = ("Choose 'Dynamics 365 (online)' to sign in and pick from your organizations, "
                    "or paste the address of the org itself (e.g. https://contoso.crm.dynamics.com).")


class OrgPicker(_UrlError):
    reason = "picker"
    template = "This page lists your apps and organizations; it is not an organization address."
    fix_template = ("Open the org from that page, then copy the address from the browser "
                    "(e.g. https://contoso.crm.dynamics.com). Or choose 'Dynamics 365 (online)' "
                    "to sign in and pick from your organizations.")


class AdminPortal(_UrlError):
    """``portal`` is the portal's (English, product) name, e.g. "the Power Apps maker portal"."""

    reason = "portal"
    template = "This is {portal}, not an organization address."
    fix_template = ("In the Power Platform admin center open Environments, select the environment "
                    "and copy its 'Environment URL' (e.g. https://contoso.crm.dynamics.com).")


class FinanceAndOperations(_UrlError):
    template = ("This is a Dynamics 365 Finance and Operations address; this wizard connects to "
                "Dynamics 365 Customer Engagement / Dataverse organizations.")


class PowerPagesSite(_UrlError):
    template = "This is a Power Pages (portal) website, not the organization behind it."
    fix_template = "Ask your administrator for the organization address (e.g. https://contoso.crm.dynamics.com)."


class MicrosoftService(_UrlError):
    template = ("This is a Microsoft service address (such as Outlook, SharePoint, Teams or Azure), "
                "not a Dynamics 365 organization.")


class PublicWebsite(_UrlError):
    reason = "website"
    template = "This is the address of a public website, not of a Dynamics 365 organization."


# -- servers (on-premises, IFD) ------------------------------------------------------------

class BareIp(_UrlError):
    """``server`` is the IP as written in an address (IPv6 in brackets)."""

    reason = "bare_ip"
    template = "An IP address alone is not an organization address."
    fix_template = ("Online organizations have a name such as https://contoso.crm.dynamics.com; "
                    "for an on-premises server add the organization name, e.g. http://{server}/contoso.")


class ServerWithoutOrg(_UrlError):
    reason = "no_org"
    template = "The address names the server {host} but not the organization."
    fix_template = ("Add the organization name after the server, e.g. http://{host}/contoso "
                    "(ask your administrator for it).")


class DomainWithoutOrg(_UrlError):
    reason = "no_org"
    template = "{host} is a domain, not an organization address."
    fix_template = ("An Internet-facing deployment's address starts with the organization name, "
                    "e.g. https://contoso.{host}; an on-premises one ends with it, e.g. "
                    "https://crm.{host}/contoso.")


class NotDynamicsAddress(_UrlError):
    template = "This does not look like a Dynamics 365 organization address."


class NotDynamicsAtAll(_UrlError):
    template = "This is not the address of a Dynamics 365 organization."


class WebsiteHost(_UrlError):
    template = "This is a website address, not an organization address."


class AdfsServer(_UrlError):
    template = "This is the sign-in (AD FS) server, not the organization."


class SignInHost(_UrlError):
    template = "This is a sign-in page, not the organization."


class IfdSignIn(_UrlError):
    template = "This is the sign-in address of an Internet-facing deployment, not the organization."


class IfdDiscovery(_UrlError):
    template = "This is the discovery address of an Internet-facing deployment, not an organization."


class DiscoveryHost(_UrlError):
    template = "This is a discovery service address, not an organization."


#: First host labels that are never an org (``www.contoso.com``, ``adfs.contoso.com``…).
NOT_ORG_FIRST_LABELS: dict[str, type[_UrlError]] = {
    "www": WebsiteHost, "adfs": AdfsServer, "sts": AdfsServer, "login": SignInHost,
    "auth": IfdSignIn, "dev": IfdDiscovery, "disco": DiscoveryHost,
}
