"""The event stream's topics: what a subscription may name, who may name it, and which
events it matches (``behaviour-flows-webhooks.md`` §5, with §8.3's decisions).

A topic is ``<scope>:<scope_id>[:<resource>[:<event type>][:<resource id>]]``:

- ``scope`` is ``customer_id`` (the customer's events) or ``agent_id`` (the events of the
  resources the agent owns, their ``owner_id``); ``scope_id`` a UUID, not the empty one;
- ``resource`` is a resource of the event catalogue (``call``), or ``*``;
- then an event type of that resource (``call_hangup``), a resource id, or ``*``; after an
  event type, a resource id or ``*``.

Each event is published under the topics ``<scope>:<scope_id>:<resource>:<id>`` and
``<scope>:<scope_id>:<resource>:<type>:<id>``, for its customer and, when the resource has
an owner, for that agent. A subscription matches an event when it is a prefix of one of
those topics *at a segment boundary* (``customer_id:X:call`` does not match a ``callflow``),
``*`` matching any one segment. Upstream matched on bare string prefixes; a connection here
gets each event at most once, however many of its topics match it.

Who may subscribe: a super-admin to any topic; the customer's admins and managers (and its
access keys, which act as an admin) to ``customer_id:<their customer>...``; an agent to
``agent_id:<themselves>...``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from voipbin.common.errors import ApiError, FieldError, InvalidArgument, PermissionDenied
from voipbin.common.ids import EMPTY_UUID_TEXT, canonical_id
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.events import CATALOGUE
from voipbin.server.auth.principal import Principal

CUSTOMER = "customer_id"
AGENT = "agent_id"
ANY = "*"
#: The event types of each resource of the catalogue.
RESOURCE_TYPES: dict[str, frozenset[str]] = {
    resource: frozenset(e.name for e in CATALOGUE if e.resource == resource)
    for resource in dict.fromkeys(e.resource for e in CATALOGUE)
}
#: The longest topic accepted (a scope, two UUIDs, a resource and an event type fit).
MAX_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Topic:
    """A valid topic, its ids in canonical form."""

    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        """The canonical form (ids lowercase), by which a listener holds its topics."""
        return ":".join(self.parts)

    @property
    def scope(self) -> tuple[str, str]:
        """``(scope, scope_id)``: the events a topic can match are all under it."""
        return self.parts[0], self.parts[1]

    def matches(self, published: tuple[str, ...]) -> bool:
        """Whether this topic is a prefix of ``published`` at a segment boundary."""
        parts = self.parts
        if len(parts) > len(published):
            return False
        return all(p in (q, ANY) for p, q in zip(parts, published, strict=False))


def _id_or_any(text: str, what: str) -> str:
    if text == ANY:
        return text
    try:
        return canonical_id(text)
    except ValueError:
        raise ValueError(f"{what} must be a UUID or *, not {text!r}") from None


def parse_topic(text: object) -> Topic:
    """The topic ``text`` names; ``ValueError`` saying what is wrong with it."""
    if not isinstance(text, str) or not text:
        raise ValueError("a topic is a non-empty string")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"a topic is at most {MAX_LENGTH} characters")
    parts = text.split(":")
    if len(parts) < 2 or len(parts) > 5:
        raise ValueError("a topic is <scope>:<scope_id>[:<resource>[:<event type>][:<id>]]")
    scope, scope_id, *rest = parts
    if scope not in (CUSTOMER, AGENT):
        raise ValueError(f"the scope is {CUSTOMER} or {AGENT}, not {scope!r}")
    try:
        scope_id = canonical_id(scope_id)
    except ValueError:
        raise ValueError(f"the {scope} must be a UUID, not {scope_id!r}") from None
    if scope_id == EMPTY_UUID_TEXT:
        raise ValueError(f"the {scope} must not be the empty UUID")
    checked = [scope, scope_id]
    if rest:
        resource, *tail = rest
        if resource != ANY and resource not in RESOURCE_TYPES:
            known = ", ".join(sorted(RESOURCE_TYPES))
            raise ValueError(f"{resource!r} is not a resource with events (one of: {known}, *)")
        checked.append(resource)
        types = RESOURCE_TYPES.get(resource, frozenset())
        if tail and tail[0] in types:
            checked.append(tail.pop(0))
            if tail:
                checked.append(_id_or_any(tail.pop(0), "the resource id"))
        elif tail:
            if len(tail) > 1:
                raise ValueError(f"{tail[0]!r} is not an event type of a {resource}")
            checked.append(_id_or_any(tail.pop(), "the event type or resource id"))
    return Topic(tuple(checked))


def refusal(principal: Principal, topic: Topic, field: str) -> ApiError | None:
    """Why ``principal`` may not subscribe to ``topic`` (``None``: it may)."""
    if principal.is_super_admin:
        return None
    scope, scope_id = topic.scope
    if scope == CUSTOMER:
        allowed = scope_id == principal.customer_id and principal.allows(CUSTOMER_MANAGERS)
        why = "only the customer's admins and managers follow its topics"
    else:
        allowed = principal.is_agent and scope_id == principal.agent_id
        why = "an agent follows only its own agent_id topics"
    if allowed:
        return None
    return PermissionDenied(details=[FieldError(field, why)])


def parse_topics(
    principal: Principal, texts: object, limit: int, *, check: bool = True
) -> list[Topic]:
    """The topics of a subscribe or unsubscribe frame, each valid and (``check``) allowed;
    the error of the first that is not (naming it: ``topics[2]``)."""
    if not isinstance(texts, list) or not texts:
        raise InvalidArgument.field("topics", "a non-empty list of topics")
    if len(texts) > limit:
        raise InvalidArgument.field("topics", f"at most {limit} topics")
    topics = []
    for index, text in enumerate(texts):
        field = f"topics[{index}]"
        try:
            topic = parse_topic(text)
        except ValueError as exc:
            raise InvalidArgument.field(field, str(exc)) from None
        refused = refusal(principal, topic, field) if check else None
        if refused is not None:
            raise refused
        topics.append(topic)
    return topics


def published_topics(
    customer_id: str, owner_id: str, resource: str, type: str, resource_id: str
) -> Iterable[tuple[str, ...]]:
    """The topics an event is published under (module doc)."""
    scopes = [(CUSTOMER, customer_id)]
    if owner_id and owner_id != EMPTY_UUID_TEXT:
        scopes.append((AGENT, owner_id))
    for scope in scopes:
        yield (*scope, resource, resource_id)
        yield (*scope, resource, type, resource_id)
