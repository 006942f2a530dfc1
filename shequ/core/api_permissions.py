"""One permission class for every API view: login, then the capability the view declares. A refusal is audited
like the HTML `@require` does (`shequ.core.api_errors.exception_handler` writes the row for every 401/403)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

# The capability a refused request lacked, kept on the Django request so the audit row can name it.
DENIED_CAPABILITY_ATTR = "shequ_denied_capability"


def _needed(view) -> tuple[str, ...]:
    """`view.capabilities[view.action]` when the view maps actions, else `view.capability`; a tuple means all."""
    by_action = getattr(view, "capabilities", None) or {}
    action = getattr(view, "action", None)
    needed = by_action[action] if action in by_action else getattr(view, "capability", None)
    if not needed:
        return ()
    return (needed,) if isinstance(needed, str) else tuple(needed)


def _note_denied(request, capability: str) -> None:
    setattr(getattr(request, "_request", request), DENIED_CAPABILITY_ATTR, capability)


class HasCapability(BasePermission):
    """On a view: `permission_classes = [HasCapability]` with `capability = "people.view"` for every action, or
    `capabilities = {"create": "people.edit", "reveal": ("people.view", "people.reveal")}` per action (an action
    mapped to `None` needs only a login)."""

    message = _("您没有执行该操作的权限。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        for capability in _needed(view):
            if not user.can(capability):
                _note_denied(request, capability)
                return False
        return True


def require_capability(request, capability: str) -> None:
    """The same check inside an action whose need depends on the input (e.g. a device or a clerk)."""
    if not request.user.can(capability):
        _note_denied(request, capability)
        raise PermissionDenied(HasCapability.message)
