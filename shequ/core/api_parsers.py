"""The API's JSON parser: a body nested deeper than any Shequ payload (a few levels) is refused with a 400 before
it can exhaust the interpreter's recursion limit (which DRF's parser turns into a 500)."""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _depth_exceeded(text: str, limit: int) -> bool:
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError("请求内容不是有效的 UTF-8 JSON。") from exc
        if _depth_exceeded(text, MAX_DEPTH):
            raise ParseError(f"JSON 嵌套层数超过 {MAX_DEPTH} 层。")
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON 格式错误：{str(exc)[:80]}") from exc


def _refuse_constant(name):
    raise ValueError(f"不支持 {name}")
