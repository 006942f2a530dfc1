"""Role → capability grants. Each app declares its own grants in its `registry.py`; core collects them."""

from collections import defaultdict
from collections.abc import Iterable

from .choices import ADMIN_ROLES, Role

_GRANTS: dict[str, set[str]] = defaultdict(set)

# Capabilities that belong to exactly one of the three administrator roles (三权分立).
SEPARATED_CAPABILITIES = {
    "core.manage_config": Role.SYSADMIN,
    "core.manage_users": Role.SECADMIN,
    "core.read_audit": Role.AUDITOR,
}


def grant(roles: Iterable[str], *capabilities: str) -> None:
    for role in roles:
        _GRANTS[str(role)].update(capabilities)


# (role, capability) -> the key of `settings.SHEQU_DEPARTMENTS` naming the only department whose members of that
# role hold it. A back-office officer's role is shared by every department (民政, 城管, 水务 …); work that belongs to
# one of them (elderly care is 民政's) is granted to that department's officers only.
_DEPARTMENT_ONLY: dict[tuple[str, str], str] = {}


def department_only(role: str, *capabilities: str, department: str) -> None:
    for capability in capabilities:
        _DEPARTMENT_ONLY[(str(role), capability)] = department


def department_code_for(role: str, capability: str) -> str | None:
    """The department code a holder of `role` must belong to for `capability`, or None (any)."""
    key = _DEPARTMENT_ONLY.get((str(role), capability))
    if key is None:
        return None
    from django.conf import settings

    return settings.SHEQU_DEPARTMENTS.get(key, "")


def role_has(role: str, capability: str) -> bool:
    return capability in _GRANTS.get(role, ())


def capabilities_of(role: str) -> frozenset[str]:
    return frozenset(_GRANTS.get(role, ()))


def all_grants() -> dict[str, frozenset[str]]:
    return {role: frozenset(caps) for role, caps in _GRANTS.items()}


def check_separation() -> list[str]:
    """Problems with the grants: an admin role doing business work or another admin's work."""
    problems = []
    for cap, owner in SEPARATED_CAPABILITIES.items():
        for role, caps in _GRANTS.items():
            if cap in caps and role != owner:
                problems.append(f"{role} holds {cap}, which only {owner} may hold")
    for role in ADMIN_ROLES:
        business = {c for c in _GRANTS.get(role, ()) if not c.startswith("core.") or c == "core.view_tree"}
        business -= {"core.view_tree"}
        if business:
            problems.append(f"{role} holds business capabilities {sorted(business)}")
    return problems
