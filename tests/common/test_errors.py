"""The error tree and the reason catalog: every class and reason agree on HTTP and status."""

from __future__ import annotations

import copy
import pickle
import re

import pytest

from voipbin.common.errors import (
    ERROR_CLASSES,
    AlreadyExists,
    ApiError,
    BadGateway,
    FailedPrecondition,
    FieldError,
    Internal,
    InvalidArgument,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    PaymentRequired,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    Unprocessable,
    error_class_for,
    error_class_for_http,
)
from voipbin.common.reasons import CATALOG, REASONS, Reason, Status, reason

#: The tree as CONVENTIONS.md §6 draws it.
EXPECTED: dict[type[ApiError], tuple[int, Status]] = {
    InvalidArgument: (400, Status.INVALID_ARGUMENT),
    Unprocessable: (422, Status.INVALID_ARGUMENT),
    PayloadTooLarge: (413, Status.INVALID_ARGUMENT),
    Unauthenticated: (401, Status.UNAUTHENTICATED),
    PaymentRequired: (402, Status.PAYMENT_REQUIRED),
    PermissionDenied: (403, Status.PERMISSION_DENIED),
    NotFound: (404, Status.NOT_FOUND),
    MethodNotAllowed: (405, Status.NOT_FOUND),
    AlreadyExists: (409, Status.ALREADY_EXISTS),
    FailedPrecondition: (409, Status.FAILED_PRECONDITION),
    ResourceExhausted: (429, Status.RESOURCE_EXHAUSTED),
    Internal: (500, Status.INTERNAL),
    Unavailable: (503, Status.UNAVAILABLE),
    BadGateway: (502, Status.UNAVAILABLE),
}

#: Reasons CONVENTIONS.md §6 names, which code may raise.
NAMED_REASONS = [
    "AUTHENTICATION_REQUIRED",
    "INVALID_CREDENTIALS",
    "PERMISSION_DENIED",
    "ROUTE_NOT_FOUND",
    "METHOD_NOT_ALLOWED",
    "INVALID_JSON_BODY",
    "INVALID_ID",
    "INVALID_REQUEST_PARAMETER",
    "MISSING_REQUEST_PARAMETER",
    "INVALID_ARGUMENT",
    "STATE_INVALID",
    "INSUFFICIENT_BALANCE",
    "RATE_LIMIT_EXCEEDED",
    "SERVICE_UNAVAILABLE",
    "REQUEST_TIMEOUT",
    "INTERNAL",
]

UPPER_SNAKE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")


def test_the_tree_is_the_one_conventions_draws() -> None:
    assert {cls: (cls.http_status, cls.status) for cls in ERROR_CLASSES} == EXPECTED


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_class_has_a_catalogued_default_reason_with_its_http_and_status(
    cls: type[ApiError],
) -> None:
    row = REASONS[cls.default_reason]

    assert (row.http, row.status) == (cls.http_status, cls.status)


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_class_builds_with_its_defaults(cls: type[ApiError]) -> None:
    error = cls()

    assert error.reason == cls.default_reason
    assert error.message == REASONS[cls.default_reason].message
    assert error.details == []
    assert error.request_id == ""
    assert str(error) == f"{error.reason}: {error.message}"


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_a_reason_not_in_the_catalog_is_refused(cls: type[ApiError]) -> None:
    with pytest.raises(ValueError, match="not in the catalog"):
        cls("NO_SUCH_REASON")


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_a_class_takes_exactly_the_reasons_with_its_http_and_status(cls: type[ApiError]) -> None:
    for row in CATALOG:
        if (row.http, row.status) == (cls.http_status, cls.status):
            assert cls(row.name).reason == row.name
        else:
            with pytest.raises(ValueError, match=row.name):
                cls(row.name)


@pytest.mark.parametrize(
    ("cls", "reason_name"),
    [
        (NotFound, "INVALID_ARGUMENT"),  # other http, other status
        (InvalidArgument, "UNPROCESSABLE_ENTITY"),  # same status, other http
        (FailedPrecondition, "AGENT_ALREADY_EXISTS"),  # same http, other status
        (Unavailable, "BAD_GATEWAY"),  # a subclass's reason on its parent
        (BadGateway, "SERVICE_UNAVAILABLE"),  # a parent's reason on its subclass
    ],
)
def test_a_reason_with_another_http_or_status_is_refused(
    cls: type[ApiError], reason_name: str
) -> None:
    with pytest.raises(ValueError, match=r"is \d{3} "):
        cls(reason_name)


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_error_class_for_maps_http_and_status_back_to_the_class(cls: type[ApiError]) -> None:
    assert error_class_for(cls.http_status, cls.status) is cls
    # The SDK passes the status as the plain string it read from the envelope.
    assert error_class_for(cls.http_status, str(cls.status)) is cls


@pytest.mark.parametrize(
    ("http", "status"), [(418, "TEAPOT"), (404, "INVALID_ARGUMENT"), (400, "NOT_FOUND"), (0, "")]
)
def test_error_class_for_falls_back_to_api_error(http: int, status: str) -> None:
    assert error_class_for(http, status) is ApiError


def test_classes_have_distinct_http_and_status() -> None:
    pairs = [(cls.http_status, cls.status) for cls in ERROR_CLASSES]

    assert len(pairs) == len(set(pairs))


def test_classes_are_api_errors_and_subclasses_keep_their_parent() -> None:
    assert all(issubclass(cls, ApiError) for cls in ERROR_CLASSES)
    assert issubclass(Unprocessable, InvalidArgument)
    assert issubclass(PayloadTooLarge, InvalidArgument)
    assert issubclass(MethodNotAllowed, NotFound)
    assert issubclass(BadGateway, Unavailable)


def test_catalog_names_are_unique() -> None:
    names = [row.name for row in CATALOG]

    assert len(names) == len(set(names)) == len(REASONS)


@pytest.mark.parametrize("row", CATALOG, ids=lambda row: row.name)
def test_catalog_row_is_well_formed(row: Reason) -> None:
    assert UPPER_SNAKE.fullmatch(row.name)
    assert row.message.endswith(".")
    assert "\n" not in row.message
    # Every reason can be raised: some class has its http and status.
    assert error_class_for(row.http, row.status) is not ApiError


@pytest.mark.parametrize("name", NAMED_REASONS)
def test_reasons_named_by_the_conventions_are_catalogued(name: str) -> None:
    assert reason(name).name == name


def test_reason_lookup_of_an_unknown_name_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        reason("NO_SUCH_REASON")


def test_a_given_message_and_request_id_are_kept() -> None:
    error = NotFound("AGENT_NOT_FOUND", "No agent 42.", request_id="req_1")

    assert (error.reason, error.message, error.request_id) == (
        "AGENT_NOT_FOUND",
        "No agent 42.",
        "req_1",
    )


def test_a_field_error_names_the_field_in_details() -> None:
    error = InvalidArgument.field("destinations[1].target", "must be a UUID", "INVALID_ID")

    assert error.reason == "INVALID_ID"
    assert error.details_as_dicts() == [
        {"field": "destinations[1].target", "description": "must be a UUID"}
    ]


def test_details_that_are_not_field_errors_pass_through() -> None:
    error = ResourceExhausted(details=[{"limited_by": "ip"}, FieldError("a", "b")])

    assert error.details_as_dicts() == [
        {"limited_by": "ip"},
        {"field": "a", "description": "b"},
    ]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_an_error_survives_pickle_and_copy(cls: type[ApiError]) -> None:
    error = cls(message="Custom.", details=[FieldError("a", "b")], request_id="req_1")

    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert type(clone) is cls
        assert vars(clone) == vars(error)
        assert vars(clone)["details"] == [FieldError("a", "b")]


# -- the SDK's path: errors as a server reported them -----------------------------------------


def test_from_envelope_takes_a_reason_this_catalog_does_not_know() -> None:
    error = NotFound.from_envelope(
        "QUEUE_NOT_FOUND", "No queue.", [FieldError("id", "x")], request_id="req_1"
    )

    assert (error.reason, error.message, error.request_id) == (
        "QUEUE_NOT_FOUND",
        "No queue.",
        "req_1",
    )
    assert error.details == [FieldError("id", "x")]
    assert str(error) == "QUEUE_NOT_FOUND: No queue."
    assert error.http_status == 404


def test_from_envelope_keeps_an_http_status_the_tree_has_no_class_for() -> None:
    error = Unavailable.from_envelope("SERVICE_UNAVAILABLE", "Timed out.", http_status=504)

    assert error.http_status == 504
    assert Unavailable.http_status == 503
    assert Unavailable.from_envelope("SERVICE_UNAVAILABLE", "m", http_status=503).http_status == 503


def test_the_constructor_still_refuses_an_unknown_reason() -> None:
    NotFound.from_envelope("WIDGET_NOT_FOUND", "No widget.")

    with pytest.raises(ValueError, match="not in the catalog"):
        NotFound("WIDGET_NOT_FOUND")


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_error_class_for_http_gives_each_class_its_status(cls: type[ApiError]) -> None:
    if cls.http_status == 409:  # two classes: a conflict known only by its status is a state
        assert error_class_for_http(409) is FailedPrecondition
    else:
        assert error_class_for_http(cls.http_status) is cls


@pytest.mark.parametrize(("http", "cls"), [(504, Unavailable), (599, Internal), (418, ApiError)])
def test_error_class_for_http_falls_back_by_range(http: int, cls: type[ApiError]) -> None:
    assert error_class_for_http(http) is cls


def test_a_rate_limit_reads_retry_after_and_limited_by() -> None:
    error = ResourceExhausted(details=[{"limited_by": "ip"}], headers={"Retry-After": "3"})

    assert (error.retry_after, error.limited_by) == (3.0, "ip")
    assert (ResourceExhausted().retry_after, ResourceExhausted().limited_by) == (None, None)
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.retry_after, clone.limited_by) == (3.0, "ip")


def test_a_413_envelope_and_a_bare_413_map_to_payload_too_large() -> None:
    assert error_class_for(413, "INVALID_ARGUMENT") is PayloadTooLarge
    assert error_class_for_http(413) is PayloadTooLarge
    error = PayloadTooLarge.from_envelope("PAYLOAD_TOO_LARGE", "Too large.", http_status=413)
    assert (error.http_status, error.reason) == (413, "PAYLOAD_TOO_LARGE")
