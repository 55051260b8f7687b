"""Field types shared by several resources' schemas."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.common.address import Address

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
OptionalName = Annotated[str, msgspec.Meta(max_length=255)]
Detail = Annotated[str, msgspec.Meta(max_length=4096)]
Email = Annotated[str, msgspec.Meta(max_length=254, extra_json_schema={"format": "email"})]
#: An email address, or ``""`` for none.
OptionalEmail = Annotated[
    str,
    msgspec.Meta(
        max_length=254, extra_json_schema={"anyOf": [{"format": "email"}, {"maxLength": 0}]}
    ),
]
#: An E.164 number (``+`` then 2-15 digits), or ``""`` for none. The pattern documents the
#: rule; the server checks it itself, with a message that says what an E.164 number is.
OptionalPhoneNumber = Annotated[
    str, msgspec.Meta(max_length=16, extra_json_schema={"pattern": r"^(\+[1-9][0-9]{1,14})?$"})
]
MAX_PASSWORD = 1024
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=MAX_PASSWORD)]
#: A password as login reads it: bounded, and otherwise whatever was set.
LoginPassword = Annotated[str, msgspec.Meta(max_length=MAX_PASSWORD)]

#: Most addresses one body may give (an agent's endpoints).
MAX_ADDRESSES = 64
#: Most ids one body's ``tag_ids`` may list.
MAX_TAG_IDS = 256
Addresses = Annotated[list[Address], msgspec.Meta(max_length=MAX_ADDRESSES)]
TagIds = Annotated[list[UUID], msgspec.Meta(max_length=MAX_TAG_IDS)]

#: Permission bits (see ``voipbin.common.permissions``); combinations are sums of them.
PermissionBits = Annotated[int, msgspec.Meta(ge=0, le=127)]

WebhookMethod = Literal["", "POST", "GET", "PUT", "DELETE"]
#: An agent's username: an email address (lowercased when stored).
Username = Annotated[
    str, msgspec.Meta(min_length=3, max_length=254, extra_json_schema={"format": "email"})
]

#: A SIP extension number, as an ``extension`` Address target: 1-32 of ``A-Za-z0-9_.-``.
#: The pattern documents the rule; the server checks it with a message that says it.
ExtensionNumber = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=32, extra_json_schema={"pattern": r"^[A-Za-z0-9_.-]{1,32}$"}
    ),
]
#: A SIP digest password: written, never shown (only its digests are stored).
SipPassword = Annotated[
    str, msgspec.Meta(min_length=8, max_length=MAX_PASSWORD, extra_json_schema={"writeOnly": True})
]
#: A SIP digest password, or ``""`` for none (or, in an update, "keep the current one").
OptionalSipPassword = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_PASSWORD,
        extra_json_schema={"writeOnly": True, "anyOf": [{"minLength": 8}, {"maxLength": 0}]},
    ),
]
