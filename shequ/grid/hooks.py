"""What other modules show on a grid case's page: a module whose records lead to grid cases (the 96980 hotline's
calls) registers a function from its `registry.py`; the case page lists what they return. The grid imports no
module for it."""

from collections.abc import Callable

# (user, case) -> [(label, text, url)]; url "" when the user may not open the record
_CASE_LINKS: list[Callable] = []


def case_link(fn: Callable) -> Callable:
    _CASE_LINKS.append(fn)
    return fn


def case_links(user, case) -> list[tuple[str, str, str]]:
    return [link for fn in _CASE_LINKS for link in fn(user, case)]
