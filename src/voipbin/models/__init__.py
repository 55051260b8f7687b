"""The public description of every resource (and of the caller's own routes), shared by the
server and the SDK."""

from voipbin.models.base import Action, Filter, ResourceSpec
from voipbin.models.own import OwnRoute
from voipbin.models.registry import OWN_ROUTES, RESOURCES
from voipbin.models.tag import TAGS, Tag, TagCreate, TagUpdate

__all__ = [
    "OWN_ROUTES",
    "RESOURCES",
    "TAGS",
    "Action",
    "Filter",
    "OwnRoute",
    "ResourceSpec",
    "Tag",
    "TagCreate",
    "TagUpdate",
]
