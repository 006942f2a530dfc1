"""A logging filter for every handler Shequ configures: a full ID number or mobile number that reaches a log line
(a library's message, an exception quoting a value) is written masked. The sources mask what they log themselves
(`messaging.recipient_label`, `tasks.mask_digits`); this is the net under them. The patterns are those of
`idcard`, 18- and 15-digit ID numbers and mobile numbers."""

from __future__ import annotations

import logging

from .idcard import PERSONAL_IN_LOG


def mask_personal(text: str) -> str:
    return PERSONAL_IN_LOG.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 7) + m.group()[-4:], text)


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is left to the handler's own error path
            return True
        masked = mask_personal(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
