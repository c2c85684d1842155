"""Errors of the HTTP layer (:mod:`wizard.engine.http`): network, TLS, proxy, CA bundle.

:class:`NetworkError` subclasses name what failed; their ``kind`` (dns, proxy, timeout,
refused, dropped, tls) and ``code`` are stable, ``host`` is the server that was called.
"""

from __future__ import annotations

from typing import Any

from wizard.engine.errors import Action, WizardError


class HttpError(WizardError):
    """A request could not be completed (network, TLS, proxy, server busy)."""

    code = "http_error"


class ProxyAuthRequired(HttpError):
    code = "proxy_auth_required"
    template = "The proxy server{where} asks for a user name and password (HTTP 407)."
    fix_template = ("Put the proxy credentials in the HTTPS_PROXY setting "
                    "(https://user:password@proxy:port) or ask your IT department to let "
                    "d365-wizard through the proxy without sign-in.")

    def __init__(self, proxy: str | None = None, **kw: Any) -> None:
        super().__init__(proxy=proxy, where=f" ({proxy})" if proxy else "", **kw)


class ServerBusy(HttpError):
    """The server asked us to wait longer than we are prepared to (or kept refusing)."""

    code = "server_busy"


class RetryAfterTooLong(ServerBusy):
    count_param = "minutes"
    template = "{host} is limiting requests and asked to wait {minutes} minutes before trying again."
    one_template = "{host} is limiting requests and asked to wait 1 minute before trying again."
    fix_template = ("Wait that long and try again, or ask your administrator whether another tool "
                    "is using your account heavily.")


class Cancelled(WizardError):
    code = "cancelled"
    template = "Cancelled."


class CancelledUnchanged(Cancelled):
    template = "Nothing was changed."


# -- the CA bundle (--ca-bundle, a cloud file's ca_bundle) ----------------------------------

class CaFolderUnreadable(HttpError):
    code = "ca_bundle_invalid"
    template = "The CA folder {path} could not be read."
    fix_template = "Give a PEM file with --ca-bundle."


class CaBundleMissing(HttpError):
    code = "ca_bundle_missing"
    template = "The CA bundle {path} does not exist."
    fix_template = "Check the path given to --ca-bundle or in the cloud file."


class CaBundleUnreadable(HttpError):
    """The file could not be read (``cause``: the file problem, whose code is reported)."""

    keeps_cause_code = True
    template = "{cause}"


class CaBundleNotPem(HttpError):
    code = "ca_bundle_invalid"
    template = "The CA bundle {path} could not be read as PEM certificates."
    fix_template = "Export the CA certificate in PEM (Base-64) format."


# -- could not reach the server ------------------------------------------------------------

class NetworkError(HttpError):
    """Could not reach ``host``. ``kind``: dns, refused, timeout, tls, proxy, dropped.

    A ``tls`` failure is not an outage: the server answered, but its certificate was
    refused (``code`` says why: tls_untrusted, tls_intercepted, tls_wrong_host,
    tls_expired, tls_not_yet_valid, tls_revoked, tls_failed)."""

    code = "network_error"
    kind: str = "dropped"

    def __init__(self, *, host: str | None = None, **kw: Any) -> None:
        if self.kind == "tls":
            kw.setdefault("action", Action.CONTACT_ADMIN)
        super().__init__(host=host, **kw)
        self.host = host


class DnsFailed(NetworkError):
    code = "dns_failed"
    kind = "dns"
    template = "The name {host} could not be found (DNS)."
    fix_template = ("Check the address for typos and that you are connected to the network (and "
                    "to the VPN for an on-premises server).")


class ProxyFailed(NetworkError):
    code = "proxy_failed"
    kind = "proxy"
    template = "The proxy server refused or failed the connection to {host}."
    fix_template = "Check the proxy settings (HTTPS_PROXY, system proxy) or ask IT."


class TimedOut(NetworkError):
    code = "timeout"
    kind = "timeout"
    template = "{host} did not answer in time."
    fix_template = ("Check your network connection and try again; a firewall may be blocking the "
                    "connection.")


class ConnectionRefused(NetworkError):
    code = "connection_refused"
    kind = "refused"
    template = "Could not connect to {host}: the connection was refused."
    fix_template = "Check the address and port; the server may be down or a firewall may block it."


class ConnectionDropped(NetworkError):
    code = "connection_dropped"
    kind = "dropped"
    template = "The connection to {host} was interrupted."
    fix_template = "Check your network connection and try again."


# -- TLS: ``issuer`` is the certificate issuer's name when it is known ---------------------

class TlsIntercepted(NetworkError):
    code = "tls_intercepted"
    kind = "tls"
    template = ("The secure connection to {host} is intercepted: its certificate was not issued "
                "by a public certificate authority. A company proxy or security software that "
                "inspects HTTPS is between this computer and the server.")
    fix_template = ("Ask IT for that CA certificate and add it with --ca-bundle FILE (or to the "
                    "system certificate store); never turn certificate checks off.")


class TlsInterceptedBy(TlsIntercepted):
    template = ("The secure connection to {host} is intercepted: its certificate was not issued "
                "by a public certificate authority. It was issued by “{issuer}”. A company proxy "
                "or security software that inspects HTTPS is between this computer and the server.")


class TlsUntrusted(NetworkError):
    code = "tls_untrusted"
    kind = "tls"
    template = "The certificate of {host} is not trusted: its issuer is unknown to this computer."
    fix_template = ("If that issuer is your company's proxy or firewall, ask IT for its CA "
                    "certificate and add it with --ca-bundle FILE (or to the system certificate "
                    "store). Otherwise check the address.")


class TlsUntrustedIssuer(TlsUntrusted):
    template = ("The certificate of {host} is not trusted: its issuer is unknown to this computer. "
                "It was issued by “{issuer}”.")


class TlsWrongHost(NetworkError):
    code = "tls_wrong_host"
    kind = "tls"
    template = "The certificate of {host} is for another address, so the connection was refused."
    fix_template = ("Check the address (use the organization's own name, not an IP address or an "
                    "alias); if it is right, tell the server's administrator.")


_CLOCK_FIX = ("Check that this computer's date and time are right; if they are, tell the "
              "server's administrator (the certificate must be renewed).")


class TlsExpired(NetworkError):
    code = "tls_expired"
    kind = "tls"
    template = "The certificate of {host} is expired."
    fix_template = _CLOCK_FIX


class TlsNotYetValid(NetworkError):
    code = "tls_not_yet_valid"
    kind = "tls"
    template = "The certificate of {host} is not valid yet."
    fix_template = _CLOCK_FIX


class TlsRevoked(NetworkError):
    code = "tls_revoked"
    kind = "tls"
    template = "The certificate of {host} was revoked by its issuer."
    fix_template = "Tell the server's administrator; do not connect meanwhile."


class TlsFailed(NetworkError):
    code = "tls_failed"
    kind = "tls"
    template = "A secure connection to {host} could not be set up."
    fix_template = ("Check the address and port (the server may not offer HTTPS there); a proxy "
                    "that inspects HTTPS can also cause this: ask IT.")
