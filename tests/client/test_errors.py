"""Error answers back to the error tree: every canonical status to its class, with the
reason, message, request id and details; unknown reasons, unknown statuses, and bodies that
are not envelopes."""

from __future__ import annotations

import pickle
from typing import Any

import msgspec
import pytest

from voipbin.client.errors import error_from_response
from voipbin.common.errors import (
    ERROR_CLASSES,
    AlreadyExists,
    ApiError,
    BadGateway,
    FailedPrecondition,
    FieldError,
    Internal,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unavailable,
    Unprocessable,
)
from voipbin.common.reasons import CATALOG, Reason


def body(status: str, reason: str, message: str = "Said the server.", **extra: Any) -> bytes:
    error = {"status": status, "reason": reason, "message": message, "request_id": "req_42"}
    return msgspec.json.encode({"error": {**error, "details": [], **extra}})


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_each_canonical_status_maps_to_its_class(cls: type[ApiError]) -> None:
    error = error_from_response(
        cls.http_status, {"x-request-id": "req_42"}, body(cls.status, cls.default_reason)
    )

    assert type(error) is cls
    assert (error.http_status, error.status, error.reason) == (
        cls.http_status,
        cls.status,
        cls.default_reason,
    )
    assert error.message == "Said the server."
    assert error.request_id == "req_42"
    assert error.details == []


@pytest.mark.parametrize("row", CATALOG, ids=lambda row: row.name)
def test_every_catalogued_reason_maps_to_the_class_that_raises_it(row: Reason) -> None:
    error = error_from_response(row.http, {}, body(row.status, row.name))

    raising = next(c for c in ERROR_CLASSES if (c.http_status, c.status) == (row.http, row.status))
    assert type(error) is raising
    assert error.reason == row.name


def test_field_errors_and_other_details_are_kept() -> None:
    details = [
        {"field": "destinations[1].target", "description": "must be E.164"},
        {"limited_by": "ip"},
        {"count": 3},
    ]

    error = error_from_response(
        400, {}, body("INVALID_ARGUMENT", "INVALID_ARGUMENT", details=details)
    )

    assert isinstance(error, InvalidArgument)
    assert error.details == [
        FieldError("destinations[1].target", "must be E.164"),
        {"limited_by": "ip"},
        {"count": "3"},
    ]


def test_a_rate_limit_carries_retry_after_and_limited_by() -> None:
    error = error_from_response(
        429,
        {"retry-after": "2", "x-request-id": "req_42"},
        body("RESOURCE_EXHAUSTED", "RATE_LIMIT_EXCEEDED", details=[{"limited_by": "customer"}]),
    )

    assert isinstance(error, ResourceExhausted)
    assert (error.retry_after, error.limited_by) == (2.0, "customer")


@pytest.mark.parametrize("header", ["soon", "-1", "nan", "inf"])
def test_a_retry_after_that_is_not_a_number_of_seconds_is_none(header: str) -> None:
    error = error_from_response(429, {"retry-after": header}, b"")

    assert isinstance(error, ResourceExhausted)
    assert error.retry_after is None
    assert error.limited_by is None


def test_a_reason_a_newer_server_added_still_maps_to_its_class() -> None:
    error = error_from_response(409, {}, body("ALREADY_EXISTS", "QUEUE_ALREADY_EXISTS"))

    assert type(error) is AlreadyExists
    assert error.reason == "QUEUE_ALREADY_EXISTS"
    assert str(error) == "QUEUE_ALREADY_EXISTS: Said the server."
    clone = pickle.loads(pickle.dumps(error))
    assert (type(clone), vars(clone), str(clone)) == (AlreadyExists, vars(error), str(error))


def test_an_unknown_canonical_status_maps_by_http_status() -> None:
    error = error_from_response(404, {}, body("GONE_FISHING", "FISH_NOT_FOUND"))

    assert type(error) is NotFound
    assert error.reason == "FISH_NOT_FOUND"


@pytest.mark.parametrize(
    ("status", "content", "cls", "reason"),
    [
        (502, b"<html>Bad Gateway</html>", BadGateway, "BAD_GATEWAY"),
        (503, b"", Unavailable, "SERVICE_UNAVAILABLE"),
        (504, b"upstream timed out", Unavailable, "SERVICE_UNAVAILABLE"),
        (500, b"oops", Internal, "INTERNAL"),
        (599, b"", Internal, "INTERNAL"),
        (422, b"[1, 2]", Unprocessable, "UNPROCESSABLE_ENTITY"),
        (409, b'{"error": "conflict"}', FailedPrecondition, "STATE_INVALID"),
        (404, b'{"error": {"status": "NOT_FOUND"}}', NotFound, "RESOURCE_NOT_FOUND"),
        (418, b"teapot", ApiError, "INTERNAL"),
    ],
)
def test_a_body_that_is_not_an_envelope_maps_by_http_status(
    status: int, content: bytes, cls: type[ApiError], reason: str
) -> None:
    error = error_from_response(status, {"x-request-id": "req_proxy"}, content)

    assert type(error) is cls
    assert error.http_status == status
    assert error.reason == reason
    assert error.message
    assert error.request_id == "req_proxy"


def test_an_envelope_error_keeps_the_body_it_came_with() -> None:
    content = body("NOT_FOUND", "TAG_NOT_FOUND")

    error = error_from_response(404, {}, content)

    assert error.body == content
