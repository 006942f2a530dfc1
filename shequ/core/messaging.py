"""Outbound messages (SMS / e-mail). The backend is pluggable; the default writes to the log so Shequ runs
without any gateway."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .idcard import looks_like_phone, mask_phone

logger = logging.getLogger("shequ.messages")


def recipient_label(recipient) -> str:
    """Who a message went to, as it may be written down: a login's username, or a phone number masked."""
    name = getattr(recipient, "username", None)
    if name is not None:
        return name
    text = str(recipient)
    return mask_phone(text) if looks_like_phone(text) else text


class MessageBackend:
    def send(self, *, recipient, subject: str, body: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogMessageBackend(MessageBackend):
    def send(self, *, recipient, subject: str, body: str) -> None:
        logger.info("message to=%s subject=%s body=%s", recipient_label(recipient), subject, body)


class MemoryMessageBackend(MessageBackend):
    """Keeps messages in memory; for tests."""

    outbox: list = []

    def send(self, *, recipient, subject: str, body: str) -> None:
        self.outbox.append({"to": getattr(recipient, "username", recipient), "subject": subject, "body": body})


def get_backend() -> MessageBackend:
    return import_string(settings.SHEQU_MESSAGE_BACKEND)()
