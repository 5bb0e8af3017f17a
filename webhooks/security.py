"""Where a webhook may go (SSRF): http(s) only, to a host WEBHOOK_ALLOWED_HOSTS allows, and never
to an address inside (loopback, private, link-local, shared, multicast, reserved) unless
WEBHOOK_ALLOW_PRIVATE says so. Checked when an endpoint is saved and again at every delivery,
which connects only to the addresses it checked (a name can resolve elsewhere by then)."""

import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


class UnsafeDestination(ValueError):
    """The URL may not be called; the message says why, in words for the manager."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    path: str  # with the query string
    addresses: tuple[str, ...]  # every address the host resolved to, all checked: connect to these


def destination_check(url: str) -> Destination:
    """The URL's destination with the checked addresses to connect to, or UnsafeDestination."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeDestination(_("Only http:// and https:// addresses can receive webhooks."))
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise UnsafeDestination(_("The address has an invalid port.")) from exc
    if not host:
        raise UnsafeDestination(_("The address has no host name."))
    if parts.username or parts.password:
        raise UnsafeDestination(
            _("Put no user name or password in the address; the signature proves the sender.")
        )
    if not host_allowed(host):
        raise UnsafeDestination(
            _("%(host)s is not one of the hosts webhooks may go to (WEBHOOK_ALLOWED_HOSTS).") % {"host": host}
        )
    port = port or (443 if scheme == "https" else 80)
    addresses = _addresses_checked(host, port)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Destination(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def host_allowed(host: str) -> bool:
    """WEBHOOK_ALLOWED_HOSTS: exact names, or *.example.com for the names under example.com. Empty:
    any host (the address check still applies)."""
    allowed = settings.WEBHOOK_ALLOWED_HOSTS
    if not allowed:
        return True
    host = host.lower().rstrip(".")
    for pattern in allowed:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and host != pattern[2:]:
                return True
        elif host == pattern:
            return True
    return False


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _addresses_checked(host: str, port: int) -> tuple[str, ...]:
    """Every address the host resolves to, in the resolver's order, once each one is allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeDestination(_("%(host)s does not resolve to an address.") % {"host": host}) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeDestination(_("%(host)s does not resolve to an address.") % {"host": host})
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            if not address_is_public(address):
                where = host
                if host != address:
                    where = _("%(host)s resolves to %(address)s, which") % {"host": host, "address": address}
                raise UnsafeDestination(
                    _(
                        "%(where)s is an internal address; webhooks go only to public addresses "
                        "(WEBHOOK_ALLOW_PRIVATE)."
                    )
                    % {"where": where}
                )
    return tuple(addresses)
