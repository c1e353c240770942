"""The client's address, the one way every throttle (API and site) and nginx agree on.

`settings.TRUSTED_PROXIES` names the proxies in front of the app, either as

- a CIDR list (`"10.0.0.0/8,172.30.0.0/24"`): the address chain (X-Forwarded-For entries, then the
  connecting address) is walked from the right while each hop is a trusted proxy; the first address
  that is not is the client. A request whose connecting address is not trusted is taken at face value:
  its X-Forwarded-For is ignored, so a spoofed header from an untrusted address changes nothing.
- a count (`"2"`): every request passes through exactly that many proxies (e.g. balancer + nginx),
  so the client is the entry that many hops left of the connecting address. Use it only when the
  proxies' addresses are not known in advance; a request with fewer hops than the count is keyed by
  its connecting address.
- empty (the default): REMOTE_ADDR only.

The same setting renders nginx's `set_real_ip_from` lines (docker/nginx/render-real-ip.sh).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_trusted_proxies(value: str) -> int | tuple[Network, ...]:
    """`"2"` -> 2; `"10.0.0.0/8, 127.0.0.1"` -> networks; `""` -> 0. Raises ValueError on nonsense."""
    value = (value or "").strip()
    if not value:
        return 0
    if value.isdigit():
        return int(value)
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:5123"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(request) -> str:
    """The client's IP address as text, per `settings.TRUSTED_PROXIES` (see the module docstring)."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    trusted = parse_trusted_proxies(getattr(settings, "TRUSTED_PROXIES", "") or "")
    if not trusted:
        return remote or "unknown"
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [*forwarded, remote]
    if isinstance(trusted, int):
        if len(chain) <= trusted:
            return remote or "unknown"
        candidate = _parse_ip(chain[-(trusted + 1)])
        return str(candidate) if candidate is not None else (remote or "unknown")
    # CIDR list: walk right to left through trusted hops; the first untrusted hop is the client
    for hop in reversed(chain):
        address = _parse_ip(hop)
        if address is None:
            # garbage in the header: stop at the last hop we could trust to have written it
            break
        if not any(address in network for network in trusted):
            return str(address)
        remote = str(address)
    # every hop trusted (e.g. a health check from the balancer itself), or garbage: the innermost
    # address we could read
    return remote or "unknown"
