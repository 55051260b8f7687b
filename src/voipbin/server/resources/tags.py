"""Tags: the generic resource, scoped to the caller's customer."""

from __future__ import annotations

from voipbin.models.tag import TAGS, Tag
from voipbin.server.resources.base import ServerResource
from voipbin.server.storage.tables import tag_tags

RESOURCE: ServerResource[Tag] = ServerResource(spec=TAGS, table=tag_tags, reason_prefix="TAG")
