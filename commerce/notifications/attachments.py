"""Files an email carries, made when it is sent, by whoever owns the event.

The notifications app knows templates and delivery, not orders: an app that wants a file on one of
its emails registers a provider for the event (the orders app: the invoice PDF on "order_confirmed").
A provider gets the notification's context and returns the attachments, or none. It runs at delivery
time, so a PDF is never stored in the notification row, and a resend carries the same document.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


AttachmentProvider = Callable[[dict], list[Attachment]]

_providers: dict[str, list[AttachmentProvider]] = {}


def attachment_provider_register(*, event: str, provider: AttachmentProvider) -> None:
    """Called from an app's ready(); registering the same provider twice keeps one."""
    providers = _providers.setdefault(event, [])
    if provider not in providers:
        providers.append(provider)


def notification_attachments(*, event: str, context: dict) -> list[Attachment]:
    return [attachment for provider in _providers.get(event, ()) for attachment in provider(context)]
