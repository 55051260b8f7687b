"""The error tree. Each class carries its HTTP status and canonical status; an instance
carries a reason from the catalog (``reasons.CATALOG``), a message and details.

::

    ApiError
     ├── InvalidArgument        400 INVALID_ARGUMENT
     │    ├── Unprocessable     422 INVALID_ARGUMENT
     │    └── PayloadTooLarge   413 INVALID_ARGUMENT
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
same classes with :func:`error_class_for` (or :func:`error_class_for_http` when the body is not
an envelope) and :meth:`ApiError.from_envelope`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import ClassVar, TypeVar

import msgspec

from voipbin.common.reasons import REASONS, Status


class FieldError(msgspec.Struct, frozen=True):
    """One ``details`` entry naming a bad field."""

    field: str
    description: str


Detail = FieldError | dict[str, str]

E = TypeVar("E", bound="ApiError")


class ApiError(Exception):
    """An error the API answers with the envelope."""

    http_status: ClassVar[int] = 500
    status: ClassVar[Status] = Status.INTERNAL
    default_reason: ClassVar[str] = "INTERNAL"

    body: bytes = b""
    """The answer's body as received (the SDK sets it; empty on the server)."""

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
        self._fill(self.reason, message or row.message, details, request_id, headers or {})

    def _fill(
        self,
        reason: str,
        message: str,
        details: Iterable[Detail],
        request_id: str,
        headers: Mapping[str, str],
    ) -> None:
        self.reason = reason
        self.message = message
        self.details: list[Detail] = list(details)
        self.request_id = request_id
        self.headers: dict[str, str] = dict(headers)
        Exception.__init__(self, f"{reason}: {message}")

    @classmethod
    def from_envelope(
        cls: type[E],
        reason: str,
        message: str,
        details: Iterable[Detail] = (),
        *,
        request_id: str = "",
        headers: Mapping[str, str] | None = None,
        http_status: int | None = None,
        body: bytes = b"",
    ) -> E:
        """An error as a server reported it (the SDK's path).

        Unlike the constructor it does not check ``reason`` against this catalog: a newer
        server may answer with reasons this one does not know. ``http_status`` is kept on the
        instance when it differs from the class's (a status the tree has no class for).
        The server never builds errors this way.
        """
        error = cls.__new__(cls)
        error._fill(reason or cls.default_reason, message, details, request_id, headers or {})
        error.body = body
        if http_status is not None and http_status != cls.http_status:
            # Shadows the class attribute on this instance only.
            setattr(error, "http_status", http_status)  # noqa: B010
        return error

    def __reduce__(
        self,
    ) -> tuple[object, tuple[type[ApiError], tuple[object, ...]], dict[str, object]]:
        # Exception's default rebuilds from ``args`` (the rendered text), which is not a reason;
        # rebuilding without the constructor also keeps errors whose reason a newer server made.
        return _restore, (type(self), self.args), self.__dict__

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


class PayloadTooLarge(InvalidArgument):
    """The request body is larger than the server accepts (nothing of it was acted on)."""

    http_status = 413
    default_reason = "PAYLOAD_TOO_LARGE"


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
    """A rate limit. ``retry_after`` (seconds) comes from the ``Retry-After`` header and
    ``limited_by`` (``"ip"`` or ``"customer"``) from ``details``; both ``None`` when absent."""

    http_status = 429
    status = Status.RESOURCE_EXHAUSTED
    default_reason = "RATE_LIMIT_EXCEEDED"

    retry_after: float | None = None
    limited_by: str | None = None

    def _fill(
        self,
        reason: str,
        message: str,
        details: Iterable[Detail],
        request_id: str,
        headers: Mapping[str, str],
    ) -> None:
        super()._fill(reason, message, details, request_id, headers)
        self.retry_after = _retry_after(self.headers)
        self.limited_by = next(
            (d["limited_by"] for d in self.details if isinstance(d, dict) and "limited_by" in d),
            None,
        )


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
    PayloadTooLarge,
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


#: The class for an answer known only by its HTTP status (no envelope, or an unknown status):
#: each class's own status, with the one shared status and a gateway timeout declared.
_BY_HTTP: dict[int, type[ApiError]] = {
    **{cls.http_status: cls for cls in ERROR_CLASSES},
    409: FailedPrecondition,  # AlreadyExists shares 409
    504: Unavailable,  # a gateway timeout: the backend did not answer, try again
}


def error_class_for_http(http_status: int) -> type[ApiError]:
    """The class for an error answer known only by its HTTP status: the one class of that
    status (409 reads as ``FailedPrecondition``, 504 as ``Unavailable``); else ``Internal``
    for 5xx and ``ApiError`` for anything else."""
    cls = _BY_HTTP.get(http_status)
    if cls is not None:
        return cls
    return Internal if 500 <= http_status < 600 else ApiError


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds (the delay-seconds form; an HTTP date is not used here)."""
    text = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _restore(cls: type[ApiError], args: tuple[object, ...]) -> ApiError:
    error = cls.__new__(cls)
    error.args = args
    return error
