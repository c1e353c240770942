"""Outbound webhooks: record an event in the caller's transaction, deliver it after commit.

`webhook_event_emit` writes one WebhookDelivery per active endpoint that subscribed to the event
and enqueues the deliveries only when the caller's transaction commits, so a rolled-back order
tells nobody. Delivery (`webhook_deliver_now`) signs the body, refuses private targets (SSRF),
connects to the address it checked (no second DNS lookup a rebinding attacker could answer
differently), caps the time and the size of the response, and records the outcome.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from commerce.core.errors import ApplicationError

from .events import EVENTS
from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Cartwheel-Signature"
STALE_CLAIM = timedelta(minutes=10)


class UnsafeWebhookTarget(ApplicationError):
    code = "unsafe_webhook_target"


class WebhookDeliveryFailed(Exception):
    """A delivery attempt that may succeed later (network error, timeout, non-2xx answer)."""


# --- emitting -----------------------------------------------------------------------------------

# Checkout emits order.created on every order: the active endpoints are kept per process for a few
# seconds (and dropped at once when this process saves one) instead of costing a query per order.
_ENDPOINTS_TTL = 10.0
_endpoints_memo: tuple[float, list[WebhookEndpoint]] | None = None


def _active_endpoints() -> list[WebhookEndpoint]:
    global _endpoints_memo
    now = time.monotonic()
    if _endpoints_memo is None or now - _endpoints_memo[0] > _ENDPOINTS_TTL:
        _endpoints_memo = (now, list(WebhookEndpoint.objects.filter(is_active=True)))
    return _endpoints_memo[1]


def webhook_endpoints_changed(**kwargs) -> None:
    global _endpoints_memo
    _endpoints_memo = None



def webhook_event_wanted(event: str) -> bool:
    """Whether any active endpoint listens to `event` (no query while the endpoint list is memoised):
    lets a bulk sender skip building payloads nobody will receive."""
    return any(e.wants(event) for e in _active_endpoints())


def webhook_event_emit(*, event: str, payload: dict) -> list[WebhookDelivery]:
    """Record `event` for every active endpoint that wants it; deliver after the caller commits.

    Returns the delivery rows (none when no endpoint listens). `payload` becomes the envelope's
    `data`; it must be JSON-serialisable (Decimals and dates are turned into strings here).
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    endpoints = [e for e in _active_endpoints() if e.wants(event)]
    if not endpoints:
        return []
    event_id = uuid.uuid4()
    body = json.loads(json.dumps(
        {"id": str(event_id), "event": event, "created_at": timezone.now().isoformat(), "data": payload},
        cls=DjangoJSONEncoder,
    ))
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=e, event_id=event_id, event=event, payload=body) for e in endpoints]
    )
    ids = [d.pk for d in deliveries]
    from .tasks import webhook_deliver  # the task module imports this one

    # robust: a broker outage must not turn the caller's committed write into an error; the rows
    # stay pending and webhooks_resend_stuck sends them later.
    transaction.on_commit(lambda: [webhook_deliver.delay(pk) for pk in ids], robust=True)
    return deliveries


def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (admin action): a new log row with the same event id and body."""
    with transaction.atomic():
        again = WebhookDelivery.objects.create(
            endpoint=delivery.endpoint, event_id=delivery.event_id, event=delivery.event,
            payload=delivery.payload, redelivery_of=delivery,
        )
        from .tasks import webhook_deliver

        transaction.on_commit(lambda: webhook_deliver.delay(again.pk), robust=True)
    return again


# --- signing ------------------------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the secret>`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def webhook_signature_verify(*, secret: str, header: str, body: bytes, tolerance: int = 300,
                             now: float | None = None) -> bool:
    """The receiver's check (the README's recipe, in Python): right MAC and a fresh timestamp."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        received = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False  # too old (or from the future): a replay
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received)


# --- target checks (SSRF) -----------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedTarget:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified)


def webhook_target_resolve(*, url: str) -> ResolvedTarget:
    """Parse and resolve `url`; raise UnsafeWebhookTarget unless every address it resolves to is public.

    Loopback, private (RFC 1918, unique-local), link-local (cloud metadata at 169.254.169.254),
    multicast, reserved and unspecified addresses are refused, unless
    WEBHOOKS_ALLOW_PRIVATE_TARGETS is set (a shop whose ERP is on its own network). Every address is
    checked: a name resolving to one public and one private address is refused.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeWebhookTarget("A webhook URL must be an http:// or https:// address.")
    if parts.username or parts.password:
        raise UnsafeWebhookTarget("A webhook URL cannot carry a user name or password.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeWebhookTarget(f"The host {parts.hostname} cannot be resolved ({exc}).") from exc
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeWebhookTarget(f"The host {parts.hostname} has no address.")
    if not getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False):
        refused = [a for a in addresses if not _address_is_public(a)]
        if refused:
            raise UnsafeWebhookTarget(
                f"{parts.hostname} resolves to a loopback, private or link-local address ({', '.join(refused)}); "
                "webhooks are only sent to public addresses.",
                details={"addresses": refused},
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return ResolvedTarget(parts.scheme, parts.hostname, port, path, addresses)


# --- delivering ---------------------------------------------------------------------------------


def webhook_claim(*, delivery_id: int) -> WebhookDelivery | None:
    """Take a delivery for sending with one conditional UPDATE; None if sent or held by another worker."""
    now = timezone.now()
    claimable = Q(status=WebhookDelivery.Status.PENDING) | Q(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    if not WebhookDelivery.objects.filter(claimable, pk=delivery_id).update(
        status=WebhookDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    ):
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _post(target: ResolvedTarget, *, body: bytes, headers: dict) -> tuple[int, bytes]:
    timeout = urllib3.Timeout(connect=settings.WEBHOOKS_TIMEOUT_SECONDS, read=settings.WEBHOOKS_TIMEOUT_SECONDS)
    address = target.addresses[0]
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, target.port, timeout=timeout, retries=False, maxsize=1,
            server_hostname=target.host, assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    try:
        response = pool.urlopen(
            "POST", target.path, body=body, headers={**headers, "Host": host_header},
            redirect=False, preload_content=False,
        )
        cap = settings.WEBHOOKS_MAX_RESPONSE_BYTES
        content = response.read(cap + 1, decode_content=False)[:cap]  # never more than the cap
        response.release_conn()
        return response.status, content
    finally:
        pool.close()


def webhook_deliver_now(*, delivery: WebhookDelivery) -> None:
    """POST a claimed delivery. Records the outcome; raises WebhookDeliveryFailed to ask for a retry.

    An unsafe target is final (no retry: it will not become safe by waiting).
    """
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Cartwheel-Webhooks/1",
        "X-Cartwheel-Event": delivery.event,
        "X-Cartwheel-Event-Id": str(delivery.event_id),
        "X-Cartwheel-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: webhook_signature(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    started = time.monotonic()
    now = timezone.now()
    try:
        target = webhook_target_resolve(url=endpoint.url)
    except UnsafeWebhookTarget as exc:
        _record(delivery, status=WebhookDelivery.Status.FAILED, error=exc.message, at=now)
        return
    try:
        status_code, content = _post(target, body=body, headers=headers)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        _record(delivery, status=WebhookDelivery.Status.SENDING, error=f"{type(exc).__name__}: {exc}", at=now,
                duration_ms=int((time.monotonic() - started) * 1000))
        raise WebhookDeliveryFailed(str(exc)) from exc
    duration_ms = int((time.monotonic() - started) * 1000)
    excerpt = content[:2000].decode("utf-8", "replace")
    if 200 <= status_code < 300:
        _record(delivery, status=WebhookDelivery.Status.SUCCEEDED, at=now, code=status_code, excerpt=excerpt,
                duration_ms=duration_ms, delivered=True)
        return
    _record(delivery, status=WebhookDelivery.Status.SENDING, error=f"HTTP {status_code}", at=now, code=status_code,
            excerpt=excerpt, duration_ms=duration_ms)
    raise WebhookDeliveryFailed(f"HTTP {status_code}")


def _record(delivery, *, status, at, error="", code=None, excerpt="", duration_ms=None, delivered=False):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, error=error[:2000], response_code=code, response_excerpt=excerpt,
        duration_ms=duration_ms, last_attempt_at=at, delivered_at=at if delivered else None,
    )


def webhook_release(*, delivery_id: int, final: bool) -> None:
    """After a failed attempt: pending for the next retry, or failed once retries are exhausted."""
    WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.SENDING).update(
        status=WebhookDelivery.Status.FAILED if final else WebhookDelivery.Status.PENDING, claimed_at=None,
    )
