"""The reason catalog: every error reason the API can answer with, as one data table.

Each row is ``(reason, http status, canonical status, message)``. The catalog is append-only:
a reason, once published, keeps its name, code and status. Names follow the public VoIPBIN
catalog where it has one. The docs page ``docs/reasons.md`` is generated from this table.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Status(StrEnum):
    """Canonical statuses of the error envelope."""

    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    PAYMENT_REQUIRED = "PAYMENT_REQUIRED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED"
    INTERNAL = "INTERNAL"
    UNAVAILABLE = "UNAVAILABLE"


class Reason(NamedTuple):
    """One row of the catalog."""

    name: str
    http: int
    status: Status
    message: str


_S = Status

CATALOG: tuple[Reason, ...] = (
    # generic
    Reason("INVALID_ARGUMENT", 400, _S.INVALID_ARGUMENT, "A field of the request is not valid."),
    Reason("INVALID_ID", 400, _S.INVALID_ARGUMENT, "The id in the path is not a valid UUID."),
    Reason("INVALID_JSON_BODY", 400, _S.INVALID_ARGUMENT, "The request body is not a JSON object."),
    Reason(
        "INVALID_REQUEST_PARAMETER",
        400,
        _S.INVALID_ARGUMENT,
        "A query parameter of the request is not valid.",
    ),
    Reason(
        "MISSING_REQUEST_PARAMETER",
        400,
        _S.INVALID_ARGUMENT,
        "A required parameter of the request is missing.",
    ),
    Reason(
        "UNPROCESSABLE_ENTITY",
        422,
        _S.INVALID_ARGUMENT,
        "The request refers to something that does not exist or cannot be used.",
    ),
    Reason(
        "AUTHENTICATION_REQUIRED",
        401,
        _S.UNAUTHENTICATED,
        "This request needs credentials: a bearer token or an access key.",
    ),
    Reason(
        "INVALID_CREDENTIALS",
        401,
        _S.UNAUTHENTICATED,
        "The credentials are not valid, have expired or were revoked.",
    ),
    Reason(
        "INSUFFICIENT_BALANCE",
        402,
        _S.PAYMENT_REQUIRED,
        "The customer's balance cannot pay for this operation.",
    ),
    Reason(
        "PERMISSION_DENIED",
        403,
        _S.PERMISSION_DENIED,
        "The caller's permission does not allow this operation.",
    ),
    Reason("RESOURCE_NOT_FOUND", 404, _S.NOT_FOUND, "The resource was not found."),
    Reason("ROUTE_NOT_FOUND", 404, _S.NOT_FOUND, "No route matches this path."),
    Reason(
        "METHOD_NOT_ALLOWED",
        405,
        _S.NOT_FOUND,
        "This route does not accept this method; the Allow header lists those it does.",
    ),
    Reason("ALREADY_EXISTS", 409, _S.ALREADY_EXISTS, "The resource already exists."),
    Reason(
        "STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The resource is not in a state that allows this.",
    ),
    Reason(
        "IDEMPOTENCY_KEY_REUSED",
        422,
        _S.INVALID_ARGUMENT,
        "This idempotency key was used for a different request.",
    ),
    Reason(
        "IDEMPOTENCY_KEY_IN_USE",
        409,
        _S.FAILED_PRECONDITION,
        "A request with this idempotency key is still running.",
    ),
    Reason(
        "RATE_LIMIT_EXCEEDED",
        429,
        _S.RESOURCE_EXHAUSTED,
        "Too many requests; retry after the time the Retry-After header gives.",
    ),
    Reason("INTERNAL", 500, _S.INTERNAL, "The server failed to handle this request."),
    Reason("BAD_GATEWAY", 502, _S.UNAVAILABLE, "A system the server depends on failed."),
    Reason(
        "SERVICE_UNAVAILABLE",
        503,
        _S.UNAVAILABLE,
        "A backend the server needs is unreachable; try again shortly.",
    ),
    Reason(
        "REQUEST_TIMEOUT",
        503,
        _S.UNAVAILABLE,
        "A backend the server needs did not answer in time; try again shortly.",
    ),
    # customer
    Reason("CUSTOMER_NOT_FOUND", 404, _S.NOT_FOUND, "The customer was not found."),
    Reason(
        "CUSTOMER_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The customer is not in a state that allows this.",
    ),
    Reason("ACCESSKEY_NOT_FOUND", 404, _S.NOT_FOUND, "The access key was not found."),
    Reason(
        "ACCESSKEY_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The access key is not in a state that allows this.",
    ),
    # agent
    Reason("AGENT_NOT_FOUND", 404, _S.NOT_FOUND, "The agent was not found."),
    Reason(
        "AGENT_ALREADY_EXISTS",
        409,
        _S.ALREADY_EXISTS,
        "An agent with this username already exists.",
    ),
    Reason(
        "AGENT_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The agent is not in a state that allows this.",
    ),
    # tag
    Reason("TAG_NOT_FOUND", 404, _S.NOT_FOUND, "The tag was not found."),
    Reason(
        "TAG_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The tag is not in a state that allows this.",
    ),
    # input limits
    Reason(
        "PAYLOAD_TOO_LARGE",
        413,
        _S.INVALID_ARGUMENT,
        "The request body is larger than the server accepts.",
    ),
    # providers and routes. Upstream answers a missing route resource with ROUTE_NOT_FOUND,
    # the reason of an unknown path too; ours tells the two apart.
    Reason("PROVIDER_NOT_FOUND", 404, _S.NOT_FOUND, "The provider was not found."),
    Reason(
        "PROVIDER_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The provider is not in a state that allows this.",
    ),
    Reason("INVALID_CODECS", 400, _S.INVALID_ARGUMENT, "The codec list is not valid."),
    Reason("CALL_ROUTE_NOT_FOUND", 404, _S.NOT_FOUND, "The route was not found."),
    Reason(
        "CALL_ROUTE_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The route is not in a state that allows this.",
    ),
    # extension
    Reason("EXTENSION_NOT_FOUND", 404, _S.NOT_FOUND, "The extension was not found."),
    Reason(
        "EXTENSION_ALREADY_EXISTS",
        409,
        _S.ALREADY_EXISTS,
        "The customer already has a live extension with this number.",
    ),
    Reason(
        "EXTENSION_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The extension is not in a state that allows this.",
    ),
    # trunk
    Reason("TRUNK_NOT_FOUND", 404, _S.NOT_FOUND, "The trunk was not found."),
    Reason(
        "TRUNK_ALREADY_EXISTS",
        409,
        _S.ALREADY_EXISTS,
        "A live trunk already has this domain name.",
    ),
    Reason(
        "TRUNK_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The trunk is not in a state that allows this.",
    ),
    # flow
    Reason("FLOW_NOT_FOUND", 404, _S.NOT_FOUND, "The flow was not found."),
    Reason(
        "FLOW_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The flow is not in a state that allows this.",
    ),
    Reason(
        "INVALID_ACTION_TYPE",
        400,
        _S.INVALID_ARGUMENT,
        "An action's type is not one of the action catalogue's.",
    ),
    Reason(
        "INVALID_ANONYMOUS_VALUE",
        400,
        _S.INVALID_ARGUMENT,
        'An action\'s anonymous option is not one of: "", yes, no, auto.',
    ),
    # number
    Reason("NUMBER_NOT_FOUND", 404, _S.NOT_FOUND, "The number was not found."),
    Reason(
        "NUMBER_ALREADY_EXISTS",
        409,
        _S.ALREADY_EXISTS,
        "The number is already held by a live number.",
    ),
    Reason(
        "NUMBER_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The number is not in a state that allows this.",
    ),
    Reason(
        "IDENTITY_VERIFICATION_REQUIRED",
        403,
        _S.PERMISSION_DENIED,
        "The customer's identity must be verified first.",
    ),
    # outbound config
    Reason("OUTBOUND_CONFIG_NOT_FOUND", 404, _S.NOT_FOUND, "The outbound config was not found."),
    Reason(
        "OUTBOUND_CONFIG_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The outbound config is not in a state that allows this.",
    ),
    # customer lifecycle: VoIPBIN's name and message for a frozen customer's writes
    Reason("ACCOUNT_FROZEN", 403, _S.PERMISSION_DENIED, "This account is frozen. Contact support."),
    # billing
    Reason("BILLING_ACCOUNT_NOT_FOUND", 404, _S.NOT_FOUND, "The billing account was not found."),
    Reason(
        "BILLING_ACCOUNT_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The billing account is not in a state that allows this.",
    ),
    Reason("BILLING_NOT_FOUND", 404, _S.NOT_FOUND, "The billing record was not found."),
    Reason(
        "BILLING_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The billing record is not in a state that allows this.",
    ),
    # The runtime's resources; their timelines answer these too (upstream's names).
    Reason("CALL_NOT_FOUND", 404, _S.NOT_FOUND, "The call was not found."),
    Reason(
        "CALL_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The call is not in a state that allows this.",
    ),
    Reason("CALL_ALREADY_HANGUP", 409, _S.FAILED_PRECONDITION, "The call has already hung up."),
    Reason("GROUPCALL_NOT_FOUND", 404, _S.NOT_FOUND, "The groupcall was not found."),
    Reason("ACTIVEFLOW_NOT_FOUND", 404, _S.NOT_FOUND, "The activeflow was not found."),
    Reason(
        "ACTIVEFLOW_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The activeflow is not in a state that allows this.",
    ),
    Reason(
        "INVALID_VARIABLES",
        400,
        _S.INVALID_ARGUMENT,
        "The variables are too many (100 at most) or too large (32 KB a value, 64 KB in all).",
    ),
    Reason(
        "INVALID_WEBHOOK_URI",
        400,
        _S.INVALID_ARGUMENT,
        "The webhook URI is not an http or https URL with a host.",
    ),
    Reason(
        "INVALID_WEBHOOK_METHOD",
        400,
        _S.INVALID_ARGUMENT,
        'The webhook method is not one of: "", POST, GET, PUT, DELETE.',
    ),
    Reason(
        "GROUPCALL_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The groupcall is not in a state that allows this.",
    ),
    Reason("EMAIL_NOT_FOUND", 404, _S.NOT_FOUND, "The email was not found."),
    Reason(
        "EMAIL_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The email is not in a state that allows this.",
    ),
    # messages
    Reason("MESSAGE_NOT_FOUND", 404, _S.NOT_FOUND, "The message was not found."),
    Reason(
        "MESSAGE_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The message is not in a state that allows this.",
    ),
    # conferences
    Reason("CONFERENCE_NOT_FOUND", 404, _S.NOT_FOUND, "The conference was not found."),
    Reason(
        "CONFERENCE_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The conference is not in a state that allows this.",
    ),
    Reason("CONFERENCECALL_NOT_FOUND", 404, _S.NOT_FOUND, "The conferencecall was not found."),
    Reason(
        "CONFERENCECALL_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The conferencecall is not in a state that allows this.",
    ),
    Reason("RECORDING_NOT_FOUND", 404, _S.NOT_FOUND, "The recording was not found."),
    Reason(
        "RECORDING_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The recording is not in a state that allows this.",
    ),
    Reason(
        "RECORDING_ALREADY_ACTIVE",
        409,
        _S.FAILED_PRECONDITION,
        "The call is being recorded already.",
    ),
    Reason("RECORDING_NOT_ACTIVE", 409, _S.FAILED_PRECONDITION, "The call is not being recorded."),
    Reason(
        "RECORDING_FILES_NOT_READY",
        409,
        _S.FAILED_PRECONDITION,
        "The recording's files are not there: it has not ended, or they are still being written.",
    ),
    Reason(
        "RECORDING_FILE_LINK_INVALID",
        403,
        _S.PERMISSION_DENIED,
        "The download link is not valid: it was altered or it has expired.",
    ),
    Reason("WEBHOOK_DELIVERY_NOT_FOUND", 404, _S.NOT_FOUND, "The webhook delivery was not found."),
    Reason(
        "WEBHOOK_DELIVERY_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The webhook delivery is not in a state that allows this (only a failed one is retried).",
    ),
    # outplans, outdials and their targets
    Reason("OUTPLAN_NOT_FOUND", 404, _S.NOT_FOUND, "The outplan was not found."),
    Reason(
        "OUTPLAN_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The outplan is not in a state that allows this.",
    ),
    Reason("OUTDIAL_NOT_FOUND", 404, _S.NOT_FOUND, "The outdial was not found."),
    Reason(
        "OUTDIAL_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The outdial is not in a state that allows this.",
    ),
    Reason("OUTDIAL_TARGET_NOT_FOUND", 404, _S.NOT_FOUND, "The outdial has no such target."),
    Reason(
        "OUTDIAL_TARGET_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The outdial target is not in a state that allows this.",
    ),
    # contact
    Reason("CONTACT_NOT_FOUND", 404, _S.NOT_FOUND, "The contact was not found."),
    Reason(
        "CONTACT_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The contact is not in a state that allows this.",
    ),
    Reason(
        "CONTACT_PHONE_NUMBER_NOT_FOUND",
        404,
        _S.NOT_FOUND,
        "No live contact of the customer has this phone number.",
    ),
    Reason(
        "CONTACT_EMAIL_NOT_FOUND",
        404,
        _S.NOT_FOUND,
        "No live contact of the customer has this email address.",
    ),
    Reason("CONTACT_TAG_NOT_FOUND", 404, _S.NOT_FOUND, "The contact does not hold this tag."),
    Reason("ADDRESS_NOT_FOUND", 404, _S.NOT_FOUND, "The contact has no such address."),
    Reason(
        "ADDRESS_ALREADY_EXISTS",
        409,
        _S.ALREADY_EXISTS,
        "A live contact of the customer already has this phone number or email address.",
    ),
    # queues
    Reason("QUEUE_NOT_FOUND", 404, _S.NOT_FOUND, "The queue was not found."),
    Reason(
        "QUEUE_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The queue is not in a state that allows this.",
    ),
    Reason(
        "INVALID_ROUTING_METHOD",
        400,
        _S.INVALID_ARGUMENT,
        'The routing method is not one of: "random", "longest_idle".',
    ),
    Reason("QUEUECALL_NOT_FOUND", 404, _S.NOT_FOUND, "The queuecall was not found."),
    Reason(
        "QUEUECALL_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The queuecall is not in a state that allows this (it has ended).",
    ),
    # campaigns
    Reason("CAMPAIGN_NOT_FOUND", 404, _S.NOT_FOUND, "The campaign was not found."),
    Reason(
        "CAMPAIGN_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The campaign is not in a state that allows this.",
    ),
    Reason(
        "CAMPAIGN_NOT_RUNNABLE",
        422,
        _S.INVALID_ARGUMENT,
        "The campaign cannot run: it lacks a live outplan, outdial, queue or actions.",
    ),
    Reason("CAMPAIGNCALL_NOT_FOUND", 404, _S.NOT_FOUND, "The campaigncall was not found."),
    Reason(
        "CAMPAIGNCALL_STATE_INVALID",
        409,
        _S.FAILED_PRECONDITION,
        "The campaigncall is not in a state that allows this (its call is still up).",
    ),
)

REASONS: dict[str, Reason] = {row.name: row for row in CATALOG}


def reason(name: str) -> Reason:
    """The catalog row of a reason; ``KeyError`` for a reason that is not in the catalog."""
    return REASONS[name]
