"""Every route the URL configuration serves, found by walking `get_resolver()`: the API operations under
/api/v1/ (function views and every router-generated list/detail/extra action, one per HTTP method) and the HTML
pages that take an object id. A route that matches a literal alternation (`(?P<step>contact|rectify|…)`) counts
once per literal, so each step is exercised on its own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

_GROUP = re.compile(r"\(\?P<(\w+)>([^()]*)\)|<(?:(\w+):)?(\w+)>")
_LITERALS = re.compile(r"^[\w-]+(\|[\w-]+)+$")
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    name: str  # namespaced URL name, e.g. "grid-api:case-dispatch"
    pattern: str  # the full pattern, for messages
    method: str  # GET, POST, ...
    literals: tuple = ()  # ((param, value), ...) fixed by the literal alternation this operation stands for
    params: tuple = field(default=())  # the remaining (object) parameters, e.g. ("pk",)

    @property
    def key(self) -> str:
        extra = "".join(f" {k}={v}" for k, v in self.literals)
        return f"{self.method} {self.name}{extra}"

    def __str__(self):
        return self.key


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (f"{namespace}:{p.name}" if namespace else p.name) or "", p


def _methods(callback) -> list[str]:
    actions = getattr(callback, "actions", None)
    if actions:  # a router-generated viewset route (DRF adds "head" to it after the first GET: not ours)
        return sorted(m.upper() for m in actions if m in METHODS)
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is not None:
        return [m.upper() for m in METHODS if hasattr(cls, m)]
    return ["GET", "POST"]  # a plain function view: exercised with both


def _expand(pattern: str):
    """(literals choices, object params) of a pattern."""
    choices, params = [], []
    for m in _GROUP.finditer(pattern):
        if m.group(1):
            name, body = m.group(1), m.group(2)
            if _LITERALS.match(body):
                choices.append((name, body.split("|")))
                continue
            params.append(name)
        else:
            params.append(m.group(4))
    return choices, params


def _combinations(choices):
    if not choices:
        yield ()
        return
    (name, values), rest = choices[0], choices[1:]
    for value in values:
        for tail in _combinations(rest):
            yield ((name, value), *tail)


def operations(prefix: str) -> list[Operation]:
    """Every operation whose full pattern starts with `prefix` (e.g. "api/v1/")."""
    found = []
    for pattern, name, p in _walk(get_resolver().url_patterns):
        if not pattern.startswith(prefix):
            continue
        choices, params = _expand(pattern)
        for method in _methods(p.callback):
            for literals in _combinations(choices):
                found.append(Operation(name or pattern, pattern, method, literals, tuple(params)))
    return sorted(set(found), key=lambda o: o.key)


def html_object_routes(prefixes: tuple[str, ...]) -> list[tuple[str, str, tuple]]:
    """(name, pattern, params) of every HTML route under `prefixes` that takes an object id or number."""
    found = []
    for pattern, name, _p in _walk(get_resolver().url_patterns):
        if pattern.startswith(prefixes) and re.search(r"<int:\w+>", pattern):
            _choices, params = _expand(pattern)
            found.append((name, pattern, tuple(params)))
    return sorted(set(found))
