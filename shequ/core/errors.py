"""Domain errors raised by services. Views turn them into form errors, the API into 400/409 responses."""


class DomainError(Exception):
    """A rule of the domain refused the operation (HTTP 400)."""

    status_code = 400

    def __init__(self, message, errors: dict | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.errors = {k: [str(m) for m in (v if isinstance(v, (list, tuple)) else [v])]
                       for k, v in (errors or {}).items()}


class ConflictError(DomainError):
    """The object is not in a state that allows this (an illegal transition, a stale version): HTTP 409."""

    status_code = 409


class PreconditionFailed(ConflictError):
    """If-Match did not match the current version: HTTP 412."""

    status_code = 412


class Forbidden(DomainError):
    """The actor may see the object but not do this to it (not the responsible officer, not the department): 403.
    HTML views turn it into the 403 page (`PermissionDenied`)."""

    status_code = 403


class NotFound(DomainError):
    """The thing asked for does not exist (or lies outside the actor's jurisdiction): 404."""

    status_code = 404
