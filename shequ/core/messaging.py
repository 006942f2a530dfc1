"""Outbound messages (SMS / e-mail). The backend is pluggable; the default writes to the log so Shequ runs
without any gateway."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("shequ.messages")


class MessageBackend:
    def send(self, *, recipient, subject: str, body: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogMessageBackend(MessageBackend):
    def send(self, *, recipient, subject: str, body: str) -> None:
        logger.info("message to=%s subject=%s body=%s", getattr(recipient, "username", recipient), subject, body)


class MemoryMessageBackend(MessageBackend):
    """Keeps messages in memory; for tests."""

    outbox: list = []

    def send(self, *, recipient, subject: str, body: str) -> None:
        self.outbox.append({"to": getattr(recipient, "username", recipient), "subject": subject, "body": body})


def get_backend() -> MessageBackend:
    return import_string(settings.SHEQU_MESSAGE_BACKEND)()
