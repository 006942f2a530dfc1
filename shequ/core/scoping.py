"""Jurisdiction scoping: what part of the tree a user may see.

A user's scope is the union of the subtrees under their assigned nodes. Every selector that returns records
tied to a node filters by these ids, so lists, details, the API and exports all agree.
"""

from django.db.models import Q, QuerySet

from .choices import NodeKind
from .models import Node


def scope_paths(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_shequ_scope_paths", None)
    if cached is None:
        cached = [n.path for n in scope_roots(user)]
        user._shequ_scope_paths = cached
    return cached


def scope_roots(user) -> list[Node]:
    """The user's assigned (active) nodes, ordered by path: the one read of the scope per request, cached on the
    user. `scope_paths` and `acting_subdistrict` derive from it."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_shequ_scope_roots", None)
    if cached is None:
        cached = list(user.nodes.filter(is_active=True).order_by("path"))
        user._shequ_scope_roots = cached
    return cached


def scope_node_ids(user, kind: str | None = None) -> set[int]:
    """Ids of every node inside the user's scope (optionally of one kind)."""
    key = f"_shequ_scope_ids_{kind or 'all'}"
    cached = getattr(user, key, None)
    if cached is not None:
        return cached
    paths = scope_paths(user)
    if not paths:
        ids: set[int] = set()
    else:
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        qs = Node.objects.filter(condition)
        if kind:
            qs = qs.filter(kind=kind)
        ids = set(qs.values_list("id", flat=True))
    setattr(user, key, ids)
    return ids


def scope_is_whole_tree(user) -> bool:
    """True when the user's scope contains every root of the tree, hence every node (a district leader in a
    one-district deployment). Only a scope holding a top-level node can qualify, so others cost no query."""
    cached = getattr(user, "_shequ_scope_whole_tree", None)
    if cached is None:
        top = {p for p in scope_paths(user) if p.count("/") == 2}
        cached = bool(top) and set(Node.objects.filter(parent__isnull=True).values_list("path", flat=True)) <= top
        user._shequ_scope_whole_tree = cached
    return cached


def in_scope(user, node: Node | None) -> bool:
    if node is None:
        return False
    return any(node.path.startswith(p) for p in scope_paths(user))


def filter_by_scope(qs: QuerySet, user, field: str = "node", kind: str | None = None, *,
                    subquery: bool = False) -> QuerySet:
    """Restrict a queryset to rows whose `field` (a FK to Node) lies in the user's scope.

    `subquery=True` suits a lookup of a row or two by an indexed key (a resident by ID hash): unless the scope's
    ids are already known, the nodes are selected inside the same statement instead of fetched first."""
    if subquery and getattr(user, f"_shequ_scope_ids_{kind or 'all'}", None) is None:
        paths = scope_paths(user)
        if not paths:
            return qs.none()
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        nodes = Node.objects.filter(condition)
        if kind:
            nodes = nodes.filter(kind=kind)
        return qs.filter(**{f"{field}_id__in": nodes.values("id")})
    if scope_is_whole_tree(user):
        # Every node is in scope: the list of every node id (about a thousand in a district) would only cost
        # time, fetching it, compiling it into the SQL and testing it on every row (PostgreSQL's `= ANY(array)`
        # is a linear search): 15-25 ms of a district leader's list page at a million rows.
        return qs.filter(**{f"{field}__isnull": False})
    ids = scope_node_ids(user, kind)
    if not ids:
        return qs.none()
    return qs.filter(**{f"{field}_id__in": ids})


def ancestor_codes(node: Node, *, include_self: bool = True) -> list[str]:
    """The codes from the root down to `node`, read from its materialised path (no query)."""
    codes = node.path.strip("/").split("/")
    return codes if include_self else codes[:-1]


def acting_subdistrict(user) -> Node | None:
    """The 街道 a staff member acts for (whose centre they work in, whose numbers their reports take): the first
    sub-district of their scope, cached on the user for the request. None when the scope holds none."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_shequ_acting_subdistrict"):
        roots = scope_roots(user)
        if roots and all(n.kind != NodeKind.DISTRICT for n in roots):
            # No assigned node lies above a 街道 (a node sits only under the kind before it), so the 街道 in the
            # scope are the assigned ones themselves: no query.
            subs = [n for n in roots if n.kind == NodeKind.SUBDISTRICT]
            user._shequ_acting_subdistrict = subs[0] if subs else None
            return user._shequ_acting_subdistrict
        paths = scope_paths(user)
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        # One query (not the scope's ids, then the nodes): a window clerk's intake reads it on every case.
        user._shequ_acting_subdistrict = (Node.objects.filter(condition, kind=NodeKind.SUBDISTRICT).order_by("path")
                                          .first() if paths else None)
    return user._shequ_acting_subdistrict


def scoped_nodes(user, kind: str | None = None) -> QuerySet:
    qs = Node.objects.filter(id__in=scope_node_ids(user, kind))
    return qs.order_by("path")
