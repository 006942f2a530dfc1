"""Declared workflows: a state machine as data.

For each stateful entity an app declares, once, every action: its name and label, the statuses it may start from
and the status it leads to, the capability it needs, the guards on the actor and the record, the inputs it reads
and the one `<entity>_<action>` service that performs it. Everything else is computed from the declaration:

- `Workflow.check(actor, obj, name)`: the refusal (or nothing). Every service calls it first, under its lock, so
  a rule cannot be skipped by calling the service from another door.
- `Workflow.available(actor, obj)`: the actions the page shows and the API offers (the same guards, not raising).
- `Workflow.perform(actor, obj, name, **inputs)`: the generic dispatch the HTML view and the API endpoint use.

No framework: frozen dataclasses and functions. A guard is `guard(actor, obj) -> DomainError | None`; it returns
the refusal rather than raising it, so that "offered" and "accepted" are one computation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module

from django.utils.translation import gettext as _

from .errors import ConflictError, DomainError, Forbidden, NotFound

Guard = Callable[[object, object], "DomainError | None"]


class ActionForbidden(Forbidden):
    """The actor may not take this action on this record (wrong role, another unit's record): HTTP 403. A
    `Forbidden` like any other service's, so a page turns it into the audited 403 and the API into its 403."""


class ActionNotFound(NotFound):
    """The record lies outside the actor's jurisdiction: answered like a missing record (HTTP 404)."""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset
    target: str | None  # None keeps the status (or the service decides, e.g. a visit closes or reopens)
    capability: str | tuple[str, ...]  # a tuple: any one of them (the guards then tell who may do what)
    service: str  # dotted path of the one service performing the action, resolved on first use
    guards: tuple[Guard, ...] = ()
    inputs: tuple[str, ...] = ()  # the service's keyword arguments besides the actor and the record
    rename: dict = field(default_factory=dict)  # service argument -> the form/API field it is read from
    required: tuple[str, ...] = ()  # inputs the page marks as required
    form: tuple[str, ...] = ("note",)  # what the record page's form for this action shows
    hint: str = ""  # the note's placeholder on the page
    danger: bool = False  # shown as a destructive button
    button: bool = True  # offered as its own form on the record's page (a free note is not)

    @property
    def capabilities(self) -> tuple[str, ...]:
        return (self.capability,) if isinstance(self.capability, str) else self.capability

    def allows(self, actor) -> bool:
        """The actor's role holds one of the action's capabilities (the guards then decide the rest)."""
        return any(actor.can(c) for c in self.capabilities)

    def run(self, **kwargs):
        module, _sep, name = self.service.rpartition(".")
        return getattr(import_module(module), name)(**kwargs)


@dataclass(frozen=True)
class Workflow:
    entity: str  # e.g. "grid.case"
    param: str  # the keyword the services take the record under (`case`, `order`)
    status_labels: Callable[[str], str]
    actions: tuple[Action, ...]
    number: Callable[[object], str] = field(default=lambda obj: str(obj.pk))
    status_field: str = "status"

    def __post_init__(self):
        names = [a.name for a in self.actions]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.entity}: duplicate action names")

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.actions]

    def action(self, name: str) -> Action:
        for a in self.actions:
            if a.name == name:
                return a
        raise DomainError(_("未知的操作：%(a)s") % {"a": name}, {"action": [_("操作无效。")]})

    def refusal(self, actor, obj, name: str) -> DomainError | None:
        """Why `actor` may not take action `name` on `obj` now, or None. The order is the answer's priority:
        not logged in / no capability (403), wrong status (409), then the action's own guards."""
        action = self.action(name)
        if actor is None or not getattr(actor, "is_authenticated", False):
            return ActionForbidden(_("请先登录。"), {"actor": [_("未登录。")]})
        if not action.allows(actor):
            return ActionForbidden(_("您的岗位（%(r)s）不能执行“%(a)s”。") % {
                "r": actor.get_role_display(), "a": action.label}, {"actor": [_("无权执行该操作。")]})
        status = getattr(obj, self.status_field)  # None: a record being created (its first action)
        if status not in action.sources:
            return ConflictError(_("%(n)s 当前状态为“%(s)s”，不能执行“%(a)s”。") % {
                "n": self.number(obj), "s": self.status_labels(status), "a": action.label},
                {"status": [_("当前状态不允许该操作。")]})
        for guard in action.guards:
            refused = guard(actor, obj)
            if refused is not None:
                return refused
        return None

    def check(self, actor, obj, name: str) -> Action:
        refused = self.refusal(actor, obj, name)
        if refused is not None:
            raise refused
        return self.action(name)

    def available(self, actor, obj, *, buttons_only: bool = False, only: Iterable[str] | None = None) -> list[Action]:
        """The actions `actor` may take on `obj` now (optionally among `only`, e.g. a work queue's quick buttons):
        those `refusal` has nothing against, decided by the same checks in the same order without composing the
        refusals' messages (an answer offers every action of its record: most are refused)."""
        if actor is None or not getattr(actor, "is_authenticated", False):
            return []
        wanted = set(only) if only is not None else None
        status = getattr(obj, self.status_field)
        found = []
        for a in self.actions:
            if not (a.button or not buttons_only) or (wanted is not None and a.name not in wanted):
                continue
            if status in a.sources and a.allows(actor) and all(guard(actor, obj) is None for guard in a.guards):
                found.append(a)
        return found

    def perform(self, actor, obj, name: str, **inputs):
        """Generic dispatch: call the action's service with the inputs it declares, read from the adapter's fields
        (others are ignored; a missing one takes the service's default)."""
        action = self.action(name)
        given = {}
        for arg in action.inputs:
            source = action.rename.get(arg, arg)
            if source in inputs:
                given[arg] = inputs[source]
        return action.run(actor=actor, **{self.param: obj}, **given)


def available_names(workflow: Workflow, actor, obj) -> list[str]:
    return [a.name for a in workflow.available(actor, obj)]


def declared_services(workflows: Iterable[Workflow]) -> list[str]:
    return [a.service for w in workflows for a in w.actions]
