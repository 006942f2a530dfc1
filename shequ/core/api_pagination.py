"""Keyset pagination for API lists: no COUNT(*) over the whole table and constant cost for deep pages.

A cursor comes from the client, so it is input like any other: one that does not decode, or whose position is
not a value of the ordering column (text for an id, a number past 64 bits, a date in year 0), is a 400 with a
field message, never a database error (a 500) and never a silent first page."""

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

INVALID = "分页游标无效。"
_INT_LIMIT = 2**63


def cursor_position_valid(model, ordering: str, position) -> bool:
    """Whether `position` is a value the ordering column of `model` can hold."""
    try:
        field = model._meta.get_field(ordering.lstrip("-"))
    except FieldDoesNotExist:
        return False
    try:
        value = field.to_python(position)
    except (DjangoValidationError, ValueError, TypeError, OverflowError):
        return False
    if isinstance(field, (models.IntegerField, models.AutoField, models.ForeignKey)):
        return isinstance(value, int) and -_INT_LIMIT <= value < _INT_LIMIT
    return value is not None


class KeysetPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = INVALID

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [INVALID]}) from None
        if cursor is not None and cursor.position is not None:
            ordering = self.ordering[0] if isinstance(self.ordering, (list, tuple)) else self.ordering
            if not cursor_position_valid(self._model, ordering, cursor.position):
                raise ValidationError({self.cursor_query_param: [INVALID]})
        return cursor


def document_cursor_errors(result, generator, request, public):
    """drf-spectacular hook: every paged list documents the 400 its cursor validation can give."""
    error = {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    has_error_component = "Error" in result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            names = {p.get("name") for p in operation.get("parameters", [])}
            if "cursor" in names and "400" not in operation.get("responses", {}) and has_error_component:
                operation["responses"]["400"] = error
    return result
