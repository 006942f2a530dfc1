"""Keyset pagination for API lists: no COUNT(*) over the whole table and constant cost for deep pages."""

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = "分页游标无效。"
