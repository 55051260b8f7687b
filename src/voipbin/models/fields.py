"""Field types shared by several resources' schemas."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
OptionalName = Annotated[str, msgspec.Meta(max_length=255)]
Detail = Annotated[str, msgspec.Meta(max_length=4096)]
Email = Annotated[str, msgspec.Meta(max_length=254)]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=1024)]

#: Permission bits (see ``voipbin.common.permissions``); combinations are sums of them.
PermissionBits = Annotated[int, msgspec.Meta(ge=0, le=127)]

WebhookMethod = Literal["", "POST", "GET", "PUT", "DELETE"]
Username = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
