"""Checks shared by every Excel import: what an uploaded file must be before a module reads its sheets."""

import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import DomainError


class ImportFileError(DomainError):
    """The uploaded file cannot be imported at all; the message goes beside the file field."""

    def __init__(self, message):
        super().__init__(message, {"file": [message]})


def check_xlsx_upload(upload) -> None:
    """Refuse anything that is not an .xlsx (a zip archive) of acceptable size. The file is left at its start."""
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(".xlsx"):
        raise ImportFileError(_("只支持 .xlsx 格式的 Excel 文件。"))
    if upload.size > settings.SHEQU_IMPORT_MAX_BYTES:
        raise ImportFileError(_("文件过大（上限 %(m)d MB）。") % {"m": settings.SHEQU_IMPORT_MAX_BYTES // 1048576})
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04" or not zipfile.is_zipfile(upload):
        raise ImportFileError(_("文件不是有效的 Excel (.xlsx) 文件。"))
    upload.seek(0)
