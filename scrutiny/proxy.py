"""Which forwarded headers to believe: only those set by a proxy the council has named.

Behind a reverse proxy every request arrives from the proxy's address, and the proxy tells
the client's address (``X-Forwarded-For``) and scheme (``X-Forwarded-Proto``) in headers. A
client talking to the application directly could send the same headers, so they are believed
only when the connection comes from an address in ``TRUSTED_PROXIES``, and are removed
otherwise. Sign-in throttling then counts failures by the real client's address.
"""

import ipaddress

from django.conf import settings

FORWARDED = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP")


def _networks():
    return [ipaddress.ip_network(text, strict=False) for text in settings.TRUSTED_PROXIES]


def _trusted(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request):
    """The client's address: the connection's, or, behind a trusted proxy, the last address in
    ``X-Forwarded-For`` that is not itself a trusted proxy (earlier ones the client may forge).
    Also used by the sign-in throttle (AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks()
    if not _trusted(remote, networks):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote


class TrustedProxyHeaders:
    """Drops the forwarded headers of any request that does not come from a trusted proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _trusted(request.META.get("REMOTE_ADDR", ""), _networks()):
            for name in FORWARDED:
                request.META.pop(name, None)
        return self.get_response(request)
