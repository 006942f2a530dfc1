"""Documents of a social organisation (登记证书, 章程, 评估等级证书 …): the type is decided by the content, never by
the name or the browser's claim; only PDF, JPEG and PNG are kept, at most 10 MB, under a name the server makes."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from shequ.core.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = ((b"%PDF-", "application/pdf", "pdf"), (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
              (b"\xff\xd8\xff", "image/jpeg", "jpg"))


def clean_document(upload) -> tuple[ContentFile, str, int]:
    """(content under a generated name, content type, size) of an acceptable upload, else a DomainError."""
    if upload is None:
        raise DomainError(_("请选择文件。"), {"file": [_("请选择文件。")]})
    size = getattr(upload, "size", None)
    if not size:
        raise DomainError(_("文件是空的。"), {"file": [_("文件是空的。")]})
    if size > MAX_BYTES:
        message = _("文件超过 %(m)d MB 上限。") % {"m": MAX_BYTES // 1048576}
        raise DomainError(message, {"file": [message]})
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        message = _("文件超过 %(m)d MB 上限。") % {"m": MAX_BYTES // 1048576}
        raise DomainError(message, {"file": [message]})
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            return ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}"), content_type, len(data)
    message = _("只接受 PDF、JPG 或 PNG 文件。")
    raise DomainError(message, {"file": [message]})
