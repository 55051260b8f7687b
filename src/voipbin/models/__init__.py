"""The public description of every resource, shared by the server and the SDK."""

from voipbin.models.base import Action, Filter, ResourceSpec
from voipbin.models.registry import RESOURCES
from voipbin.models.tag import TAGS, Tag, TagCreate, TagUpdate

__all__ = ["RESOURCES", "TAGS", "Action", "Filter", "ResourceSpec", "Tag", "TagCreate", "TagUpdate"]
