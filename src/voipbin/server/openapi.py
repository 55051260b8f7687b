"""The OpenAPI 3.1 document, generated from the resource declarations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import msgspec

import voipbin
from voipbin.common.pagination import PAGE_SIZE_DESCRIPTION
from voipbin.common.reasons import CATALOG, Status
from voipbin.models import events
from voipbin.models.base import Action, Filter, ResourceSpec
from voipbin.models.lookup import Lookup
from voipbin.models.own import OwnRoute
from voipbin.models.wire import wire_struct

_REF = "#/components/schemas/{name}"

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "reason", "message", "request_id", "details"],
            "properties": {
                "status": {"type": "string", "enum": [s.value for s in Status]},
                "reason": {"type": "string", "enum": [r.name for r in CATALOG]},
                "message": {"type": "string"},
                "request_id": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}


def _a(title: str) -> str:
    """``title`` with its indefinite article: "a flow", "an activeflow"."""
    return f"{'an' if title[:1] in 'aeiou' else 'a'} {title}"


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    """A list query parameter. An empty value means the parameter is not given (as VoIPBIN
    treats it), so the schema admits ``""`` beside the real values."""
    parameter: dict[str, Any] = {
        "name": name,
        "in": "query",
        "schema": {"anyOf": [schema, {"type": "string", "maxLength": 0}]},
    }
    if description:
        parameter["description"] = f"{description} Empty: not given."
    else:
        parameter["description"] = "Empty: not given."
    return parameter


#: As VoIPBIN does (CONVENTIONS.md §4): more than 100 is not refused, it lists 100.
_PAGE_SIZE = PAGE_SIZE_DESCRIPTION
_TIMESTAMP_QUERY = {
    "type": "string",
    "minLength": 1,
    "examples": ["2022-05-01 15:10:38.785510"],
}
_LIST_PARAMETERS: list[dict[str, Any]] = [
    _query(
        "page_size",
        {"type": "integer", "minimum": 1},
        _PAGE_SIZE,
    ),
    _query(
        "page_token",
        _TIMESTAMP_QUERY,
        "List items created before this timestamp (a next_page_token).",
    ),
    _query("tm_create_from", _TIMESTAMP_QUERY, "Items created at or after this timestamp."),
    _query("tm_create_to", _TIMESTAMP_QUERY, "Items created before this timestamp."),
    _query(
        "deleted",
        {"type": "string", "enum": ["false", "true", "all"], "default": "false"},
        "false: live items; true: only soft-deleted ones; all: both.",
    ),
]
_CUSTOMER_PARAMETER = _query(
    "customer_id",
    {"type": "string", "format": "uuid"},
    "Another customer's items (super-admins); anyone else's other customer lists nothing.",
)


#: Where a credential may be, first found wins (CONVENTIONS.md §8); any one of them will do.
_SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A login token (JWT) or an access key (vb_...).",
    },
    "tokenCookie": {"type": "apiKey", "in": "cookie", "name": "token"},
    "tokenQuery": {"type": "apiKey", "in": "query", "name": "token"},
    "accesskeyCookie": {"type": "apiKey", "in": "cookie", "name": "accesskey"},
    "accesskeyQuery": {"type": "apiKey", "in": "query", "name": "accesskey"},
}


def _error(code: int, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF.format(name="Error")}}},
    }


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF.format(name=ref)}}},
    }


def _body(ref: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": _REF.format(name=ref)}}},
    }


_PATH_ID = {"type": "string", "format": "uuid"}
_COMMON_ERRORS = {
    "400": _error(
        400, "Malformed request: a bad id (INVALID_ID), a bad parameter, an unknown field."
    ),
    "401": _error(401, "Missing or bad credentials."),
    "403": _error(403, "Not allowed."),
    "429": _error(429, "Rate limited."),
    "503": _error(503, "A backend is unavailable."),
}
#: Statuses of every operation that reads a body.
_BODY_ERRORS = {"413": _error(413, "The request body is larger than the server accepts.")}
_UNPROCESSABLE = _error(422, "The body refers to something that does not exist or cannot be used.")


_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
    "description": (
        "A repeat within 24 hours with the same body from the same credential (agent or access "
        "key) gets the first answer again (Idempotent-Replayed: true); the caller's permission is "
        "checked first. The same key with another body is 422; while the first still runs, 409."
    ),
}
_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "An ETag from an earlier answer: 304 with no body while it is current.",
}


def _action_operation(
    spec: ResourceSpec[Any],
    action: Action,
    names: dict[type, str],
    tag: str,
    id_parameter: list[dict[str, Any]],
    summary: str,
    suffix: str,
) -> dict[str, Any]:
    """The operation of an action (``suffix`` ``_undo``: of its undo, ``DELETE``): the
    resource, or ``204`` for an action that answers none."""
    model = names[wire_struct(spec.model)]
    done = (
        _json(model, f"The {spec.title}.")
        if action.returns_resource
        else {"description": "Done; no body."}
    )
    parameters = list(id_parameter)
    if action.item:
        parameters.append(
            {
                "name": action.item,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "format": "uuid"},
            }
        )
    operation: dict[str, Any] = {
        "tags": [tag],
        "summary": summary,
        "operationId": f"{spec.name}_{action.name}{suffix}",
        "parameters": parameters,
        "responses": {
            str(action.status) if action.returns_resource else "204": done,
            **_COMMON_ERRORS,
            "404": _error(404, f"No such {spec.title}{' or item' if action.item else ''}."),
            "409": _error(409, f"The {spec.title} is deleted, or the change clashes."),
        },
    }
    if action.body is not None:
        operation["requestBody"] = _body(names[action.body])
        operation["responses"].update({**_BODY_ERRORS, "422": _UNPROCESSABLE})
    return operation


def _bulk(spec: ResourceSpec[Any], names: dict[type, str], model: str) -> dict[str, Any]:
    """A creation taking one body or a list of them (``spec.bulk``): its body, and the
    ``200`` answering a list, one result per item, in order."""
    assert spec.create is not None
    one = {"$ref": _REF.format(name=names[spec.create])}
    many = {"type": "array", "items": one, "minItems": 1, "maxItems": spec.bulk}
    key = spec.name.split("_")[-1]  # an outdial_target is a "target" under its outdial
    error: dict[str, Any] = _ERROR_SCHEMA["properties"]["error"]  # type: ignore[index]
    result = {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"type": "integer", "description": "201, or the item's error status."},
            key: {"$ref": _REF.format(name=model)},
            "error": {
                **error,
                "required": [r for r in error["required"] if r != "request_id"],
                "description": "The item's error: the envelope's, without a request_id.",
            },
        },
    }
    answer = {
        "type": "object",
        "required": ["result"],
        "properties": {"result": {"type": "array", "items": result}},
    }
    return {
        "description": f"One (201), or a list of up to {spec.bulk} answered per item (200).",
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"oneOf": [one, many]}}},
        },
        "200": {
            "description": "The result of each item of a list, in order.",
            "content": {"application/json": {"schema": answer}},
        },
    }


def _resource_paths(spec: ResourceSpec[Any], names: dict[type, str]) -> dict[str, Any]:
    model = names[wire_struct(spec.model)]
    created = names[wire_struct(spec.created)] if spec.created is not None else model
    tag = spec.title.capitalize()
    collection: dict[str, Any] = {}
    item: dict[str, Any] = {}
    id_parameter = [
        {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "format": "uuid"},
        }
    ]
    not_found = {"404": _error(404, f"No such {spec.title}.")}
    # Served under its owner (an outdial's targets): the owner's id, then the item's.
    base = spec.under or spec.path
    owner_parameter = id_parameter if spec.under else []
    item_parameters = id_parameter
    if spec.under:
        item_parameters = [*id_parameter, {**id_parameter[0], "name": spec.item}]
    if "list" in spec.verbs:
        parameters = [*owner_parameter, *_LIST_PARAMETERS]
        if spec.customer_scoped and not spec.under:  # the owner decides the customer
            parameters.append(_CUSTOMER_PARAMETER)
        if spec.statuses:
            statuses = [s for s in spec.statuses if s]
            parameters.append(_query("status", {"type": "string", "enum": statuses}))
        for f in spec.filters:
            parameters.append(_query(f.name, _filter_schema(f), f.description))
        collection["get"] = {
            "tags": [tag],
            "summary": f"List {spec.plural}",
            "operationId": f"list_{spec.plural}",
            "parameters": parameters,
            "responses": {
                "200": _json(f"{model}Page", f"A page of {spec.plural}."),
                **_COMMON_ERRORS,
            },
        }
    if "create" in spec.verbs and spec.create is not None:
        collection["post"] = {
            "tags": [tag],
            "summary": f"Create {_a(spec.title)}",
            "operationId": f"create_{spec.name}",
            "parameters": [*owner_parameter, _IDEMPOTENCY_KEY],
            "requestBody": _body(names[spec.create]),
            "responses": {
                str(spec.create_status): {
                    **_json(created, f"The new {spec.title}."),
                    "headers": {
                        **(
                            {"Location": {"schema": {"type": "string"}}}
                            if spec.create_status == 201
                            else {}
                        ),
                        "Idempotent-Replayed": {
                            "description": "true when this is a stored answer replayed.",
                            "schema": {"type": "string", "enum": ["true"]},
                        },
                    },
                },
                **_COMMON_ERRORS,
                **_BODY_ERRORS,
                "409": _error(
                    409, "Already exists, or the idempotency key's first request still runs."
                ),
                "422": _error(
                    422,
                    "The body refers to something that does not exist or cannot be used, or "
                    "the idempotency key was used for another request.",
                ),
                **({"402": _error(402, spec.paid)} if spec.paid else {}),
            },
        }
    if "get" in spec.verbs:
        item["get"] = {
            "tags": [tag],
            "summary": f"Get {_a(spec.title)}",
            "operationId": f"get_{spec.name}",
            "parameters": [*item_parameters, _IF_NONE_MATCH],
            "responses": {
                "200": _json(model, f"The {spec.title} (with its ETag)."),
                "304": {"description": "Not modified: If-None-Match names the current ETag."},
                **_COMMON_ERRORS,
                **not_found,
            },
        }
    if "update" in spec.verbs and spec.update is not None:
        item["put"] = {
            "tags": [tag],
            "summary": f"Update {_a(spec.title)}",
            "operationId": f"update_{spec.name}",
            "parameters": id_parameter,
            "requestBody": _body(names[spec.update]),
            "responses": {
                "200": _json(model, f"The updated {spec.title}."),
                **_COMMON_ERRORS,
                **_BODY_ERRORS,
                **not_found,
                "409": _error(409, f"The {spec.title} is deleted, or the change clashes."),
                "422": _UNPROCESSABLE,
            },
        }
    if "delete" in spec.verbs:
        item["delete"] = {
            "tags": [tag],
            "summary": f"Delete {_a(spec.title)}",
            "operationId": f"delete_{spec.name}",
            "parameters": item_parameters,
            "responses": {
                "204": {
                    "description": (
                        "Deleted (soft: tm_delete is set). Deleting it again is 204 too and "
                        "changes nothing."
                    )
                },
                **_COMMON_ERRORS,
                **not_found,
                "409": _error(409, f"The {spec.title} cannot be deleted in its state."),
            },
        }
    paths: dict[str, Any] = {}
    if spec.under:  # the owner in the path may not be there
        owner = spec.under.split("/")[2].removesuffix("s")
        for operation in collection.values():
            operation["responses"]["404"] = _error(404, f"No such {owner}.")
    if spec.bulk and "post" in collection:
        bulk = _bulk(spec, names, model)
        collection["post"]["responses"]["200"] = bulk.pop("200")
        collection["post"].update(bulk)
    if collection:
        paths[base] = collection
    if item:
        paths[f"{base}/{{{spec.item}}}"] = item
    for action in spec.actions:
        common = (spec, action, names, tag, id_parameter)
        # Actions sharing a path (an item's PUT and DELETE) are one path item.
        methods = paths.setdefault(action.path(spec.path), {})
        methods[action.method.lower()] = _action_operation(
            *common, action.summary or f"{action.name} of a {spec.title}", ""
        )
        if action.undo:
            methods["delete"] = _action_operation(*common, action.undo, "_undo")
    return paths


def _own_paths(own: Sequence[OwnRoute], names: dict[type, str]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for route in own:
        path, spec, summary, missing = route.path, route.spec, route.summary, route.missing
        # What the own route shows its own people (the customer's admins see its secret).
        model = names[wire_struct(route.model)]
        not_found = {"404": _error(404, missing)} if missing else {}
        operations: dict[str, Any] = {
            "get": {
                "tags": [spec.title.capitalize()],
                "summary": summary,
                "operationId": f"get_own_{spec.name}",
                "responses": {
                    "200": _json(model, f"The {spec.title}."),
                    **_COMMON_ERRORS,
                    **not_found,
                },
            },
        }
        if route.update is not None:
            operations["put"] = {
                "tags": [spec.title.capitalize()],
                "summary": f"Update: {summary.lower()}",
                "operationId": f"update_own_{spec.name}",
                "requestBody": _body(names[route.update]),
                "responses": {
                    "200": _json(model, f"The {spec.title}."),
                    **_COMMON_ERRORS,
                    **_BODY_ERRORS,
                    # As on <path>/{id}: a reference the body makes can name nothing usable.
                    "422": _UNPROCESSABLE,
                    **not_found,
                },
            }
        paths[path] = operations
        for action in route.actions:
            operation: dict[str, Any] = {
                "tags": [spec.title.capitalize()],
                "summary": action.summary or f"{action.name} of the caller's {spec.title}",
                "operationId": f"own_{spec.name}_{action.name}",
                "responses": {
                    "200": _json(model, f"The {spec.title}."),
                    **_COMMON_ERRORS,
                    **not_found,
                    "409": _error(409, f"The {spec.title} changed meanwhile; try again."),
                },
            }
            if action.body is not None:
                operation["requestBody"] = _body(names[action.body])
                operation["responses"].update(_BODY_ERRORS)
            paths[f"{path}/{action.name}"] = {action.method.lower(): operation}
    return paths


def _filter_schema(spec: Filter) -> dict[str, Any]:
    if spec.kind == "uuid":
        return {"type": "string", "format": "uuid"}
    if spec.kind == "uuids":
        uuid = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
        return {"type": "string", "pattern": f"^{uuid}(,{uuid}){{0,99}}$"}
    if spec.kind in ("enum", "held"):
        return {"type": "string", "enum": [v for v in spec.values if v]}
    if spec.kind == "bool":
        return {"type": "string", "enum": ["true", "false"]}
    return {"type": "string", "minLength": 1}


def _one_of(schema: Any) -> Any:
    """``schema`` with each discriminated union as ``oneOf``: msgspec writes ``anyOf``, but
    the members of a tagged union exclude each other (each has its own ``type``). Decimals
    (dollar amounts) are JSON numbers, read exactly: msgspec documents them as strings."""
    if isinstance(schema, dict):
        fixed = {k: _one_of(v) for k, v in schema.items()}
        if "discriminator" in fixed and "anyOf" in fixed:
            fixed["oneOf"] = fixed.pop("anyOf")
        if fixed.get("type") == "string" and fixed.get("format") == "decimal":
            fixed["type"], fixed["format"] = "number", "double"
        return fixed
    if isinstance(schema, list):
        return [_one_of(v) for v in schema]
    return schema


def _lookup_paths(lookups: Sequence[Lookup], names: dict[type, str]) -> dict[str, Any]:
    """``GET <path>`` of each lookup: one query parameter per field of its query struct."""
    paths: dict[str, Any] = {}
    for lookup in lookups:
        _, components = msgspec.json.schema_components([lookup.query], ref_template=_REF)
        fields: dict[str, Any] = components[lookup.query.__name__]["properties"]
        # The path's own ids first (a campaign's campaigncalls: its {id}).
        ids = re.findall(r"{(\w+)}", lookup.path)
        parameters: list[dict[str, Any]] = [
            {"name": name, "in": "path", "required": True, "schema": _PATH_ID} for name in ids
        ]
        for name, schema in fields.items():
            description = schema.get("description", "")
            value = {k: v for k, v in schema.items() if k != "description"}
            parameters.append(_query(name, value, description))
        paths[lookup.path] = {
            "get": {
                "tags": [lookup.tag],
                "summary": lookup.summary,
                "description": lookup.description,
                "operationId": lookup.name,
                "parameters": parameters,
                "responses": {
                    "200": _json(names[lookup.answer], lookup.summary),
                    **_COMMON_ERRORS,
                    **(
                        {"404": _error(404, lookup.not_found or "No such resource for the caller.")}
                        if ids or lookup.not_found
                        else {}
                    ),
                },
            }
        }
    return paths


def _timeline_paths() -> dict[str, Any]:
    """The timeline route (``voipbin.models.events``)."""
    resource_types = list(events.TIMELINE_RESOURCES)
    return {
        events.TIMELINE_PATH: {
            "get": {
                "tags": ["Timeline"],
                "summary": events.TIMELINE.summary,
                "description": events.TIMELINE.description,
                "operationId": "timeline_events",
                "parameters": [
                    {
                        "name": "resource_type",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": resource_types},
                    },
                    {
                        "name": "resource_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    },
                    *_LIST_PARAMETERS[:2],
                ],
                "responses": {
                    "200": _json("TimelinePage", "A page of the resource's events."),
                    **_COMMON_ERRORS,
                    "404": _error(404, "No such resource for the caller."),
                },
            }
        }
    }


def _recording_file_paths() -> dict[str, Any]:
    """A recording's files (``server/runtime/recordings/routes.py``): the 307 to a signed
    link, and the link itself (no credentials: the signature stands in)."""
    from voipbin.models.recording import RECORDINGFILES_PATH

    download = "/files/recordings/{id}.zip"  # runtime/recordings/links.py DOWNLOAD_PATH
    id_parameter = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
        "description": "The recording's id.",
    }
    not_ready = _error(409, "The recording has not ended, or its files are being written.")
    return {
        RECORDINGFILES_PATH: {
            "get": {
                "tags": ["Recording"],
                "summary": "Download a recording's files: 307 to a signed, expiring link",
                "operationId": "recordingfiles_get",
                "parameters": [id_parameter],
                "responses": {
                    "307": {
                        "description": "The link (also the Location header), serving the "
                        "zip of the recording's two WAVs.",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": {"type": "string"}}},
                    },
                    **_COMMON_ERRORS,
                    "404": _error(404, "No such recording for the caller, or it was deleted."),
                    "409": not_ready,
                },
            }
        },
        download: {
            "get": {
                "tags": ["Recording"],
                "summary": "The zip of a recording's WAVs, through a signed link",
                "operationId": "recordingfiles_download",
                "security": [],
                "parameters": [
                    id_parameter,
                    {
                        "name": "expires",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "integer"},
                        "description": "When the link expires (Unix seconds).",
                    },
                    {
                        "name": "signature",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": "The link's signature.",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "<recording_name>_in.wav and _out.wav, zipped.",
                        "content": {"application/zip": {"schema": {"type": "string"}}},
                    },
                    "400": _error(
                        400, "A parameter is missing or unknown, or the id is malformed."
                    ),
                    "403": _error(403, "The link was altered or has expired."),
                    "404": _error(404, "The recording was deleted."),
                    "409": not_ready,
                },
            }
        },
    }


def _event_types() -> list[dict[str, str]]:
    return [
        {"type": e.name, "resource": e.resource, "description": e.description}
        for e in events.CATALOGUE
    ]


def _simulator_clock_paths() -> dict[str, Any]:
    """The simulator's clock (``server/runtime/clock_routes.py``), under the tag Simulator."""
    from voipbin.models.simulator import ADVANCE_PATH, CLOCK_PATH

    super_admins = "Super-admins only (403 for anyone else)."
    return {
        CLOCK_PATH: {
            "get": {
                "tags": ["Simulator"],
                "summary": "The server's clock",
                "description": f"Its mode (VOIPBIN_CLOCK) and time. {super_admins}",
                "operationId": "sim_clock_get",
                "responses": {
                    "200": _json("ClockState", "The clock."),
                    **_COMMON_ERRORS,
                },
            }
        },
        ADVANCE_PATH: {
            "post": {
                "tags": ["Simulator"],
                "summary": "Move the virtual clock forward",
                "description": (
                    "Moves the virtual clock by `seconds`, stopping at each due job in order "
                    "(due time, then submission) to run it, and answers once every job due by "
                    f"the new time has run. {super_admins}"
                ),
                "operationId": "sim_clock_advance",
                "requestBody": _body("ClockAdvance"),
                "responses": {
                    "200": _json("ClockState", "The clock after the move."),
                    **_COMMON_ERRORS,
                    **_BODY_ERRORS,
                    "409": _error(409, "The server's clock is real (VOIPBIN_CLOCK=real)."),
                },
            }
        },
    }


_SIMULATOR = "Simulator"
_SIMULATOR_TAG = {
    "name": _SIMULATOR,
    "description": (
        "The simulated network's control API (super-admins only): scripted outcomes by "
        "destination, the registered devices of extensions, and the far end's side of calls "
        "(an inbound call to one of our numbers, key presses, a hangup). See docs/simulator.md."
    ),
}


def _simulator_paths() -> dict[str, Any]:
    """The simulated network's control routes (``runtime.carrier.control``) and its traffic
    toward our calls (``runtime.calls.simulate``)."""
    from voipbin.models.simulator import (
        CALL_DTMF_PATH,
        CALL_HANGUP_PATH,
        CALLS_PATH,
        DEVICES_PATH,
        EMAILS_PATH,
        RESET_PATH,
        RULE_PATH,
        RULES_PATH,
    )

    forbidden = {"403": _error(403, "The caller is not a super-admin.")}
    id_parameter = [
        {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "format": "uuid"},
        }
    ]

    def operation(name: str, summary: str, responses: dict[str, Any], **extra: Any) -> Any:
        return {
            "tags": [_SIMULATOR],
            "summary": summary,
            "operationId": name,
            "responses": {**responses, **_COMMON_ERRORS, **forbidden},
            **extra,
        }

    return {
        RULES_PATH: {
            "post": operation(
                "sim_add_rule",
                "Script what the network does for destinations matching a pattern",
                {"201": _json("Rule", "The rule, stored."), **_BODY_ERRORS},
                description=(
                    "The latest rule whose type is the destination's and whose pattern matches "
                    "the whole target wins over earlier and built-in ones. A bad pattern, a "
                    "negative delay, an unknown outcome or a field the outcome does not use is "
                    "a 400 naming the field."
                ),
                requestBody=_body("RuleCreate"),
            ),
            "get": operation(
                "sim_list_rules",
                "List the stored rules, earliest first",
                {"200": _json("RuleList", "The stored rules.")},
            ),
        },
        RULE_PATH: {
            "delete": operation(
                "sim_delete_rule",
                "Delete a rule",
                {"204": {"description": "Deleted."}, "404": _error(404, "No such rule.")},
                parameters=id_parameter,
            )
        },
        DEVICES_PATH: {
            "post": operation(
                "sim_set_devices",
                "Register an extension's devices, each with its script, replacing earlier ones",
                {
                    "201": _json("Devices", "The extension's devices and their contacts."),
                    "404": _error(404, "No such live extension."),
                    **_BODY_ERRORS,
                },
                parameters=id_parameter,
                requestBody=_body("DevicesSet"),
            )
        },
        RESET_PATH: {
            "post": operation(
                "sim_reset",
                "Forget every stored rule and device: the built-in rules alone again",
                {"204": {"description": "Reset."}},
            )
        },
        CALLS_PATH: {
            "post": operation(
                "sim_inbound_call",
                "A call from the network to one of our numbers",
                {
                    "201": _json("Call", "The incoming call, made."),
                    "404": _error(
                        404, "No live, active number is the destination (NUMBER_NOT_FOUND)."
                    ),
                    **_BODY_ERRORS,
                },
                description=(
                    "The network delivers a call from `source` (any address) to `destination`, "
                    "a `tel` address that must be one of a customer's live, active numbers: "
                    "the call is made for the number's customer and runs the number's "
                    "`call_flow_id` at once (a number with no flow: the call is hung up). A "
                    "destination of another type is a 400; no matching number is a 404 and "
                    "nothing is made."
                ),
                requestBody=_body("InboundCall"),
            )
        },
        CALL_DTMF_PATH: {
            "post": operation(
                "sim_call_dtmf",
                "The far end presses keys on a call",
                {
                    "204": {"description": "Pressed: the digits reach the call in order."},
                    "404": _error(404, "No such call (CALL_NOT_FOUND)."),
                    "409": _error(
                        409,
                        "The call is not answered yet (CALL_STATE_INVALID), or it is ending "
                        "or ended (CALL_ALREADY_HANGUP).",
                    ),
                    **_BODY_ERRORS,
                },
                description=(
                    "The far end of an answered call presses `digits` (0-9, *, #, A-D), as "
                    "the network reports them: a `digits_receive` action of the call's flow "
                    "gets them."
                ),
                parameters=id_parameter,
                requestBody=_body("KeyPress"),
            )
        },
        CALL_HANGUP_PATH: {
            "post": operation(
                "sim_call_hangup",
                "The far end hangs up a call",
                {
                    "204": {"description": "Hung up, or already ending: left as it is."},
                    "404": _error(404, "No such call (CALL_NOT_FOUND)."),
                },
                description=(
                    "The far end hangs up (Q.850 cause 16, normal clearing): the call ends "
                    "with `hangup_by` `remote` and its flow stops. A call already ending or "
                    "ended is left as it is."
                ),
                parameters=id_parameter,
            )
        },
        EMAILS_PATH: {
            "get": operation(
                "sim_list_emails",
                "List the emails the local outbox delivered, newest first",
                {"200": _json("DeliveredEmailPage", "A page of delivered emails.")},
                description=(
                    "Every email the local transport delivered (the server has no "
                    "`VOIPBIN_SMTP_URL`): sender, recipients, subject, content and each "
                    "attachment (its recording, whether it was attached, the zip's file name, "
                    "MIME type, size and SHA-256). Paged as every list (`page_size`, "
                    "`page_token`); "
                    "`customer_id` and `email_id` narrow it. " + _PAGE_SIZE
                ),
                parameters=[
                    {"name": name, "in": "query", "required": False, "schema": schema}
                    for name, schema in (
                        ("page_size", {"type": "integer", "minimum": 1}),
                        ("page_token", {"type": "string"}),
                        ("customer_id", {"type": "string", "format": "uuid"}),
                        ("email_id", {"type": "string", "format": "uuid"}),
                    )
                ],
            )
        },
    }


def _simulator_message_paths() -> dict[str, Any]:
    """The simulated network's SMS side (``runtime.messages.simulate``)."""
    from voipbin.models.simulator_messages import (
        MESSAGE_RULE_PATH,
        MESSAGE_RULES_PATH,
        MESSAGES_PATH,
    )

    forbidden = {"403": _error(403, "The caller is not a super-admin.")}

    def operation(name: str, summary: str, responses: dict[str, Any], **extra: Any) -> Any:
        return {
            "tags": [_SIMULATOR],
            "summary": summary,
            "operationId": name,
            "responses": {**responses, **_COMMON_ERRORS, **forbidden},
            **extra,
        }

    return {
        MESSAGES_PATH: {
            "post": operation(
                "sim_inbound_message",
                "An SMS from the network to one of our numbers",
                {
                    "201": _json("Message", "The received message, made."),
                    "404": _error(404, "No live, active number is `to` (NUMBER_NOT_FOUND)."),
                    **_BODY_ERRORS,
                },
                description=(
                    "The network delivers an SMS from `from` to `to`, which must be one of a "
                    "customer's live, active numbers: the message (`direction` `inbound`, one "
                    "target `received`) is made for the number's customer, and the number's "
                    "`message_flow_id` runs with the `voipbin.message.*` variables (id, "
                    "source, destination, text). No matching number is a 404 and nothing "
                    "is made."
                ),
                requestBody=_body("InboundMessage"),
            )
        },
        MESSAGE_RULES_PATH: {
            "post": operation(
                "sim_add_message_rule",
                "Script what happens to SMS sent to numbers matching a pattern",
                {"201": _json("MessageRule", "The rule, stored."), **_BODY_ERRORS},
                description=(
                    "The latest rule whose pattern matches the whole number wins over earlier "
                    "and built-in ones. A bad pattern, a negative delay or a field the "
                    "outcome does not use is a 400 naming the field."
                ),
                requestBody=_body("MessageRuleCreate"),
            ),
            "get": operation(
                "sim_list_message_rules",
                "List the stored SMS rules, earliest first",
                {"200": _json("MessageRuleList", "The stored rules.")},
            ),
        },
        MESSAGE_RULE_PATH: {
            "delete": operation(
                "sim_delete_message_rule",
                "Delete an SMS rule",
                {"204": {"description": "Deleted."}, "404": _error(404, "No such rule.")},
                parameters=[
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    }
                ],
            )
        },
    }


def openapi_document(
    resources: Sequence[ResourceSpec[Any]],
    own: Sequence[OwnRoute] = (),
    *,
    signup: bool = False,
    lookups: Sequence[Lookup] = (),
    simulator: bool = False,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the server serving ``resources`` (and ``own`` routes,
    ``lookups``, and the simulated network's control API when ``simulator``)."""
    from voipbin.models.simulator import (
        ClockAdvance,
        ClockState,
        DeliveredEmail,
        Devices,
        DevicesSet,
        InboundCall,
        KeyPress,
        Rule,
        RuleCreate,
    )
    from voipbin.models.simulator_messages import (
        InboundMessage,
        MessageRuleCreate,
        MessageRuleList,
    )
    from voipbin.server.auth.routes import LoginRequest, LoginResponse
    from voipbin.server.signup import SignupRequest

    types: list[Any] = [LoginRequest, LoginResponse, *([SignupRequest] if signup else [])]
    types += [ClockState, ClockAdvance]
    types.extend(lookup.answer for lookup in lookups)
    types.extend([events.TimelinePage, events.EventMessage])
    if simulator:
        types.extend(
            [RuleCreate, wire_struct(Rule), DevicesSet, wire_struct(Devices), InboundCall, KeyPress]
        )
        types.append(wire_struct(DeliveredEmail))
        types.extend([InboundMessage, MessageRuleCreate, wire_struct(MessageRuleList)])
    for spec in resources:
        types.append(wire_struct(spec.model))
        types.extend(t for t in (spec.create, spec.update) if t is not None)
        if spec.created is not None:
            types.append(wire_struct(spec.created))
        types.extend(a.body for a in spec.actions if a.body is not None)
        if spec.own is not None:
            types.append(wire_struct(spec.own))
        types.extend(a.body for a in spec.own_actions if a.body is not None)
    _, components = msgspec.json.schema_components(types, ref_template=_REF)
    components = _one_of(components)
    names = {t: t.__name__ for t in types}
    for spec in resources:
        if spec.own is not None:
            # What only some of the resource's own people see is not always there.
            extra = set(spec.own.__struct_fields__) - set(spec.model.__struct_fields__)
            schema = components[names[wire_struct(spec.own)]]
            schema["required"] = [f for f in schema.get("required", []) if f not in extra]
    for spec in resources:
        model = names[wire_struct(spec.model)]
        components[f"{model}Page"] = {
            "type": "object",
            "required": ["result", "next_page_token"],
            "properties": {
                "result": {"type": "array", "items": {"$ref": _REF.format(name=model)}},
                "next_page_token": {
                    "type": "string",
                    "description": "tm_create of the last item; empty on the last page.",
                },
            },
        }
    if simulator:
        rule = names[wire_struct(Rule)]
        components["RuleList"] = {
            "type": "object",
            "required": ["result"],
            "properties": {"result": {"type": "array", "items": {"$ref": _REF.format(name=rule)}}},
        }
        delivered = names[wire_struct(DeliveredEmail)]
        components["DeliveredEmailPage"] = {
            "type": "object",
            "required": ["result", "next_page_token"],
            "properties": {
                "result": {"type": "array", "items": {"$ref": _REF.format(name=delivered)}},
                "next_page_token": {"type": "string"},
            },
        }
    components["Error"] = _ERROR_SCHEMA
    message = components["EventMessage"]
    message["properties"]["type"]["enum"] = [e.name for e in events.CATALOGUE]
    message["description"] = "An event as a webhook delivers it (its body)."
    paths: dict[str, Any] = {
        "/auth/login": {
            "post": {
                "tags": ["Auth"],
                "summary": "Log in",
                "operationId": "login",
                "security": [],
                "requestBody": _body("LoginRequest"),
                "responses": {
                    "200": _json("LoginResponse", "A bearer token."),
                    **_COMMON_ERRORS,
                    **_BODY_ERRORS,
                },
            }
        }
    }
    if signup:
        paths["/auth/signup"] = {
            "post": {
                "tags": ["Auth"],
                "summary": "Sign up: a customer, its admin agent and an access key",
                "operationId": "signup",
                "security": [],
                "requestBody": _body("SignupRequest"),
                "responses": {
                    "200": {
                        "description": "{customer, accesskey}, or {} for a known email.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **_COMMON_ERRORS,
                    **_BODY_ERRORS,
                },
            }
        }
    for spec in resources:
        paths.update(_resource_paths(spec, names))
    paths.update(_own_paths(own, names))
    paths.update(_lookup_paths(lookups, names))
    paths.update(_timeline_paths())
    paths.update(_recording_file_paths())
    paths.update(_simulator_clock_paths())
    if simulator:
        paths.update(_simulator_paths())
        paths.update(_simulator_message_paths())
    return {
        "openapi": "3.1.0",
        "x-event-types": _event_types(),
        "info": {"title": "VoIPBIN API", "version": voipbin.__version__},
        "servers": [{"url": "/"}],
        "security": [{name: []} for name in _SECURITY_SCHEMES],
        **({"tags": [_SIMULATOR_TAG]} if simulator else {}),
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": _SECURITY_SCHEMES},
    }
