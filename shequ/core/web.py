"""Small helpers shared by every app's HTML views."""

from __future__ import annotations

from contextlib import contextmanager
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.http import HttpResponse
from django.shortcuts import render

from .errors import DomainError


def require(capability: str):
    """Login required, then the capability; a refusal is audited and shows the Chinese 403 page."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.can(capability):
                from .audit import audit_denied

                audit_denied(actor=request.user, what=f"{request.method} {request.path} needs {capability}")
                raise PermissionDenied(capability)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def forbidden(request, exc: Exception) -> PermissionDenied:
    """A service's `Forbidden` refusal as the HTML 403 page, audited like `@require`'s:
    `except Forbidden as exc: raise forbidden(request, exc) from exc`."""
    from .audit import audit_denied

    audit_denied(actor=request.user, what=f"{request.method} {request.path} refused: {exc}"[:500])
    return PermissionDenied(str(exc))


def is_htmx(request) -> bool:
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted


def render_page(request, template: str, context: dict, partial: str | None = None, status: int = 200):
    """Render the full page, or only `partial` when htmx asks for a fragment."""
    if partial and is_htmx(request):
        return render(request, partial, context, status=status)
    return render(request, template, context, status=status)


class ServiceCall:
    """The outcome of `service_call`: `ok` once the service returned without a refusal; `message`, the refusal's
    message otherwise (for a page that also shows it as a flash message)."""

    ok = False
    message = ""


@contextmanager
def service_call(request, form):
    """Call a service for a bound form the way every page does: a `Forbidden` refusal (or any refusal answering
    403, as a workflow's) becomes the audited 403 page, one answering 404 (a record outside the actor's
    jurisdiction) the 404 page, any other `DomainError` goes onto the form (`form_add_domain_error`), and `call.ok`
    says it went through:

        with service_call(request, form) as call:
            services.room_create(...)
        if call.ok:
            messages.success(...); return redirect(...)
    """
    from .errors import Forbidden

    call = ServiceCall()
    try:
        yield call
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        if exc.status_code == 403:
            raise forbidden(request, exc) from exc
        if exc.status_code == 404:
            from django.http import Http404

            raise Http404 from exc
        call.message = exc.message
        form_add_domain_error(form, exc)
    else:
        call.ok = True


def form_add_domain_error(form, exc: DomainError) -> None:
    """Show a service's refusal on the form: field messages beside their fields, the rest on top."""
    placed = False
    for field, messages in exc.errors.items():
        if field in form.fields and not form.fields[field].widget.is_hidden:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class CappedPaginator(Paginator):
    """Counts at most `cap` rows, so a list over a million rows never pays for a full COUNT(*) and never
    offers an OFFSET deep enough to be slow; beyond the cap the page asks the user to narrow the search."""

    def __init__(self, object_list, per_page, cap: int = 10000):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self):
        if isinstance(self.object_list, QuerySet):
            # Without the list's order: any cap + 1 rows count the same, and the database may take the cheapest
            # (a 街道's grid cases at a district's 3 M: 13.5 → 3.7 ms on PostgreSQL, where the ordered count
            # walked the date index through the other 街道' rows).
            return self.object_list.order_by()[: self.cap + 1].count()
        return min(len(self.object_list), self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._slice(bottom, top), number, self)

    def _slice(self, bottom: int, top: int):
        """A deep page finds its rows' ids first (the list's table only, often from an index alone), then loads
        those rows with their joins: with OFFSET the database would join and read every skipped row (PostgreSQL:
        100 ms for page 400 of a 街道's grid cases, 10 ms this way)."""
        qs = self.object_list
        if not isinstance(qs, QuerySet) or bottom == 0 or qs._fields is not None or qs.query.combinator:
            return qs[bottom:top]
        ids = list(qs.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in qs.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


def paginate(request, queryset, per_page: int = 25, cap: int = 10000):
    paginator = CappedPaginator(queryset, per_page, cap)
    try:
        number = int(request.GET.get("page", 1))
    except (TypeError, ValueError):
        number = 1
    number = max(1, min(number, paginator.num_pages or 1))
    return paginator.page(number)


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An Excel download (exports, templates, error reports); `filename` is ASCII."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def search_term(request, limit: int = 64, name: str = "q") -> str:
    """The search box's term (`core.inputs.query_text`); an unusable term searches for nothing and the page says
    why."""
    from django.contrib import messages

    from .inputs import SEARCH_TEXT_MESSAGE, query_text

    term = query_text(request.GET.get(name), limit)
    if term is None:
        messages.error(request, SEARCH_TEXT_MESSAGE % {"n": limit})
        return ""
    return term
