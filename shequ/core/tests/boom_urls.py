"""The project's URLs plus views that fail on purpose, to exercise the error handlers (tests only)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from shequ.urls import handler400, handler403, handler404, handler500  # noqa: F401
from shequ.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("boom")


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("bad request")


urlpatterns = [
    path("boom/", boom),
    path("suspicious/", suspicious),
    path("api/v1/boom/", boom),
    path("api/v1/forbidden/", forbidden),
    path("api/v1/suspicious/", suspicious),
    *project_urlpatterns,
]
