"""The error tree. Each class carries its HTTP status and canonical status; an instance
carries a reason from the catalog (``reasons.CATALOG``), a message and details.

::

    ApiError
     ├── InvalidArgument        400 INVALID_ARGUMENT
     │    └── Unprocessable     422 INVALID_ARGUMENT
     ├── Unauthenticated        401 UNAUTHENTICATED
     ├── PaymentRequired        402 PAYMENT_REQUIRED
     ├── PermissionDenied       403 PERMISSION_DENIED
     ├── NotFound               404 NOT_FOUND
     │    └── MethodNotAllowed  405 NOT_FOUND
     ├── AlreadyExists          409 ALREADY_EXISTS
     ├── FailedPrecondition     409 FAILED_PRECONDITION
     ├── ResourceExhausted      429 RESOURCE_EXHAUSTED
     ├── Internal               500 INTERNAL
     └── Unavailable            503 UNAVAILABLE
          └── BadGateway        502 UNAVAILABLE

The server raises these and renders them in one place; the SDK maps an envelope back to the
same classes with :func:`error_class_for`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

import msgspec

from voipbin.common.reasons import REASONS, Status


class FieldError(msgspec.Struct, frozen=True):
    """One ``details`` entry naming a bad field."""

    field: str
    description: str


Detail = FieldError | dict[str, str]


class ApiError(Exception):
    """An error the API answers with the envelope."""

    http_status: ClassVar[int] = 500
    status: ClassVar[Status] = Status.INTERNAL
    default_reason: ClassVar[str] = "INTERNAL"

    def __init__(
        self,
        reason: str | None = None,
        message: str | None = None,
        details: Iterable[Detail] = (),
        *,
        request_id: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.reason = reason or self.default_reason
        row = REASONS.get(self.reason)
        if row is None:
            raise ValueError(f"reason {self.reason!r} is not in the catalog")
        if (row.http, row.status) != (self.http_status, self.status):
            raise ValueError(
                f"reason {self.reason!r} is {row.http} {row.status}, "
                f"not {self.http_status} {self.status}"
            )
        self.message = message or row.message
        self.details: list[Detail] = list(details)
        self.request_id = request_id
        self.headers: dict[str, str] = headers or {}
        super().__init__(f"{self.reason}: {self.message}")

    def __reduce__(self) -> tuple[type[ApiError], tuple[str, str], dict[str, object]]:
        # Exception's default rebuilds from ``args`` (the rendered text), which is not a reason.
        return type(self), (self.reason, self.message), self.__dict__

    def details_as_dicts(self) -> list[dict[str, str]]:
        """``details`` in their wire form."""
        return [
            {"field": d.field, "description": d.description} if isinstance(d, FieldError) else d
            for d in self.details
        ]


class InvalidArgument(ApiError):
    http_status = 400
    status = Status.INVALID_ARGUMENT
    default_reason = "INVALID_ARGUMENT"

    @classmethod
    def field(cls, field: str, description: str, reason: str | None = None) -> InvalidArgument:
        """A bad field, named in ``details``."""
        return cls(reason, details=[FieldError(field, description)])


class Unprocessable(InvalidArgument):
    http_status = 422
    default_reason = "UNPROCESSABLE_ENTITY"


class Unauthenticated(ApiError):
    http_status = 401
    status = Status.UNAUTHENTICATED
    default_reason = "AUTHENTICATION_REQUIRED"


class PaymentRequired(ApiError):
    http_status = 402
    status = Status.PAYMENT_REQUIRED
    default_reason = "INSUFFICIENT_BALANCE"


class PermissionDenied(ApiError):
    http_status = 403
    status = Status.PERMISSION_DENIED
    default_reason = "PERMISSION_DENIED"


class NotFound(ApiError):
    http_status = 404
    status = Status.NOT_FOUND
    default_reason = "RESOURCE_NOT_FOUND"


class MethodNotAllowed(NotFound):
    http_status = 405
    default_reason = "METHOD_NOT_ALLOWED"


class AlreadyExists(ApiError):
    http_status = 409
    status = Status.ALREADY_EXISTS
    default_reason = "ALREADY_EXISTS"


class FailedPrecondition(ApiError):
    http_status = 409
    status = Status.FAILED_PRECONDITION
    default_reason = "STATE_INVALID"


class ResourceExhausted(ApiError):
    http_status = 429
    status = Status.RESOURCE_EXHAUSTED
    default_reason = "RATE_LIMIT_EXCEEDED"


class Internal(ApiError):
    http_status = 500
    status = Status.INTERNAL
    default_reason = "INTERNAL"


class Unavailable(ApiError):
    http_status = 503
    status = Status.UNAVAILABLE
    default_reason = "SERVICE_UNAVAILABLE"


class BadGateway(Unavailable):
    http_status = 502
    default_reason = "BAD_GATEWAY"


ERROR_CLASSES: tuple[type[ApiError], ...] = (
    InvalidArgument,
    Unprocessable,
    Unauthenticated,
    PaymentRequired,
    PermissionDenied,
    NotFound,
    MethodNotAllowed,
    AlreadyExists,
    FailedPrecondition,
    ResourceExhausted,
    Internal,
    Unavailable,
    BadGateway,
)


def error_class_for(http_status: int, status: str) -> type[ApiError]:
    """The class for an envelope's HTTP status and canonical status (``ApiError`` if none)."""
    for cls in ERROR_CLASSES:
        if cls.http_status == http_status and cls.status == status:
            return cls
    return ApiError
