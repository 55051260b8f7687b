"""Who may do what to whose agents, tags, flows, access keys, numbers, extensions, trunks,
outbound configs and routes (CONVENTIONS.md §8).

First the matrix: the four roles x {their own customer's resource, another customer's} x
{list, get, create, update, delete}, each cell's exact status, reason and stored effect. Then
the grant rule, an agent's self-service, an access key acting as its customer's admin, and a
super-admin acting for another customer through ``customer_id``.

Each test builds one world and walks its cells in a loop (a parametrized case costs an app
start), collecting every failing cell before failing, so one run shows the whole picture.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
import pytest

from tests.server.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    Agent,
    Api,
    add_agent,
    add_customer,
    assert_error,
    fields_of,
)
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.server.resources.call_routes import SIM_PROVIDER_ID

Headers = dict[str, str]
Json = dict[str, Any]

SUPER, ADMIN, MANAGER, AGENT = "super-admin", "admin", "manager", "agent"
ROLES = (SUPER, ADMIN, MANAGER, AGENT)
BITS = {SUPER: 1, ADMIN: 32, MANAGER: 64, AGENT: 16}
OWN, OTHER = "own", "other"

# A cell's outcome: allowed (200, 201 or 204 by verb), 403 PERMISSION_DENIED, or 404 with the
# resource's NOT_FOUND reason. A creation's outcome is instead the label ("P", "A") of the
# customer the new resource must land in.
OK, DENIED, HIDDEN = "allowed", "403", "404"
# A verb the resource does not serve (an outbound config is neither created nor deleted
# through the API): 405 for everyone, and nothing stored changes.
ABSENT = "405"

UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
PASSWORD = "agent-password"
NEW_PASSWORD = "a-new-password"
SIP_PASSWORD = "a-sip-password"


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


# -- the world --------------------------------------------------------------------------------


@dataclass
class Tenant:
    """A customer of the world and what it holds."""

    label: str
    customer_id: str
    agents: dict[str, Agent]
    """The callers of this customer, by role (the project customer P has the super-admin)."""
    member: Agent
    """A plain agent (16) nobody acts as: the target of agent cells."""
    tag: str
    flow: str
    accesskey: str
    accesskey_token: str
    extension: str
    trunk: str

    @property
    def owner(self) -> Agent:
        """Who makes this customer's tags and keys: its admin (the super-admin, for P)."""
        return self.agents.get(ADMIN) or self.agents[SUPER]


@dataclass
class World:
    """Customer P (the super-admin's), and customers A and B, each with an admin, a manager,
    an agent, a member, a tag and an access key. Roles other than super-admin act from A."""

    api: Api
    project: Tenant
    a: Tenant
    b: Tenant
    labels: dict[str, str]
    """Every resource id the world made -> a readable label ("A manager", "B tag")."""

    def tenant(self, role: str, scope: str) -> Tenant:
        """The customer whose resource a ``role`` caller acts on in ``scope``."""
        if role == SUPER:
            return self.project if scope == OWN else self.a
        return self.a if scope == OWN else self.b

    def caller(self, role: str) -> Agent:
        return self.tenant(role, OWN).agents[role]

    def labelled(self, label: str) -> Tenant:
        return next(t for t in (self.project, self.a, self.b) if t.label == label)

    def names(self, items: list[Json]) -> list[str]:
        """The labels of listed items, sorted; an item the world did not make shows its id."""
        return sorted(self.labels.get(item["id"], f"unknown {item['id']}") for item in items)


async def _post(api: Api, path: str, body: Json, headers: Headers) -> Json:
    response = await api.client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def _tenant(
    api: Api, label: str, customer_id: str, agents: dict[str, Agent] | None, labels: dict[str, str]
) -> Tenant:
    if agents is None:
        agents = {}
        for role in (ADMIN, MANAGER, AGENT):
            username = f"{label.lower()}-{role}@example.com"
            agents[role] = await add_agent(
                api, permission=BITS[role], customer_id=customer_id, username=username
            )
    member = await add_agent(
        api, permission=16, customer_id=customer_id, username=f"{label.lower()}-member@example.com"
    )
    labels.update({agent.id: f"{label} {role}" for role, agent in agents.items()})
    labels[member.id] = f"{label} member"
    owner = agents.get(ADMIN) or agents[SUPER]
    tag = await _post(api, "/v1.0/tags", {"name": f"{label} tag"}, owner.headers)
    flow = await _post(api, "/v1.0/flows", {"name": f"{label} flow"}, owner.headers)
    key = await _post(api, "/v1.0/accesskeys", {"name": f"{label} key"}, owner.headers)
    extension = await _post(api, "/v1.0/extensions", _extension(f"{label}-ext"), owner.headers)
    trunk = await _post(api, "/v1.0/trunks", _trunk(f"{label.lower()}-trunk"), owner.headers)
    labels[tag["id"]] = f"{label} tag"
    labels[flow["id"]] = f"{label} flow"
    labels[key["id"]] = f"{label} key"
    labels[extension["id"]] = f"{label} extension"
    labels[trunk["id"]] = f"{label} trunk"
    return Tenant(
        label,
        customer_id,
        agents,
        member,
        tag["id"],
        flow["id"],
        key["id"],
        key["token"],
        extension["id"],
        trunk["id"],
    )


def _extension(number: str) -> Json:
    return {"extension": number, "password": SIP_PASSWORD}


def _trunk(domain_name: str) -> Json:
    return {
        "domain_name": domain_name,
        "auth_types": ["basic"],
        "username": "pbx",
        "password": SIP_PASSWORD,
    }


async def build_world(api: Api) -> World:
    me = await api.client.get("/v1.0/me", headers=api.headers)
    assert me.status_code == 200, me.text
    root = Agent(
        me.json()["id"], me.json()["customer_id"], ADMIN_USERNAME, ADMIN_PASSWORD, api.headers
    )
    labels: dict[str, str] = {}
    project = await _tenant(api, "P", root.customer_id, {SUPER: root}, labels)
    a = await _tenant(api, "A", await add_customer(api, "A"), None, labels)
    b = await _tenant(api, "B", await add_customer(api, "B"), None, labels)
    return World(api, project, a, b, labels)


async def stored(api: Api, kind: str, id: str) -> Json | None:
    """The resource as storage holds it (deleted or not), or ``None``."""
    repository = api.state.services[kind].repository
    row = await repository.get(id)
    if row is None:
        return None
    return {
        name: bytes(value) if isinstance(value, msgspec.Raw) else value
        for name, value in zip(repository.fields, row, strict=True)
    }


async def stored_by(api: Api, kind: str, field: str, value: str) -> Json | None:
    """The first stored resource (deleted or not) whose ``field`` is ``value``."""
    row = await api.state.services[kind].repository.find(
        ("id", "customer_id"), {field: value}, live=False
    )
    return None if row is None else {"id": str(row[0]), "customer_id": str(row[1])}


# -- checking cells ---------------------------------------------------------------------------


class Failures:
    """Failing cells, collected so that one run reports them all."""

    def __init__(self) -> None:
        self.cells: list[str] = []

    async def check(self, cell: str, check: Awaitable[None]) -> None:
        try:
            await check
        except AssertionError as exc:
            self.cells.append(f"{cell}: {str(exc).strip()}")

    def expect(self, cell: str, response: httpx.Response, expected: str, not_found: str) -> None:
        try:
            expect(response, expected, not_found)
        except AssertionError as exc:
            self.cells.append(f"{cell}: {str(exc).strip()}")

    def assert_none(self) -> None:
        if self.cells:
            pytest.fail(f"{len(self.cells)} failing cells:\n" + "\n\n".join(self.cells), False)


SUCCESS = {"GET": 200, "PUT": 200, "POST": 201, "DELETE": 204}


def expect(response: httpx.Response, expected: str, not_found: str) -> bool:
    """Check ``response`` is ``expected``; whether the request was to succeed."""
    success = SUCCESS[response.request.method]
    if expected == DENIED:
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
        return False
    if expected == HIDDEN:
        assert_error(response, 404, "NOT_FOUND", not_found)
        return False
    if expected == ABSENT:
        assert_error(response, 405, "NOT_FOUND", "METHOD_NOT_ALLOWED")
        return False
    assert response.status_code == success, f"wanted {success}: {response.text}"
    return True


async def _victim_agent(world: World, tenant: Tenant, name: str) -> str:
    return (await add_agent(world.api, permission=16, customer_id=tenant.customer_id)).id


async def _victim_tag(world: World, tenant: Tenant, name: str) -> str:
    created = await _post(world.api, "/v1.0/tags", {"name": name}, tenant.owner.headers)
    return str(created["id"])


async def _victim_flow(world: World, tenant: Tenant, name: str) -> str:
    created = await _post(world.api, "/v1.0/flows", {"name": name}, tenant.owner.headers)
    return str(created["id"])


async def _victim_accesskey(world: World, tenant: Tenant, name: str) -> str:
    created = await _post(world.api, "/v1.0/accesskeys", {"name": name}, tenant.owner.headers)
    return str(created["id"])


async def _victim_extension(world: World, tenant: Tenant, name: str) -> str:
    created = await _post(world.api, "/v1.0/extensions", _extension(name), tenant.owner.headers)
    return str(created["id"])


async def _victim_trunk(world: World, tenant: Tenant, name: str) -> str:
    created = await _post(world.api, "/v1.0/trunks", _trunk(name), tenant.owner.headers)
    return str(created["id"])


@dataclass(frozen=True)
class Kind:
    """What the matrix needs to know of a resource."""

    name: str
    path: str
    not_found: str
    target: Callable[[Tenant], str]
    """The resource of a customer that get and update cells act on."""
    new: Callable[[str], Json]
    """A creation body, from a name unique in the world."""
    key: str
    """The field a creation body's name is stored in."""
    victim: Callable[[World, Tenant, str], Awaitable[str]]
    """A fresh resource of a customer, for a delete cell."""
    secrets: frozenset[str]
    """Fields no answer but a creation may carry."""
    names_customer: bool = True
    """Whether a creation body may name its customer (``customer_id``)."""


AGENTS = Kind(
    "agent",
    "/v1.0/agents",
    "AGENT_NOT_FOUND",
    lambda tenant: tenant.member.id,
    lambda name: {"username": f"{name}@example.com", "password": PASSWORD, "permission": 16},
    "username",
    _victim_agent,
    frozenset({"password", "password_hash"}),
)
TAGS = Kind(
    "tag",
    "/v1.0/tags",
    "TAG_NOT_FOUND",
    lambda tenant: tenant.tag,
    lambda name: {"name": name},
    "name",
    _victim_tag,
    frozenset(),
    names_customer=False,
)
FLOWS = Kind(
    "flow",
    "/v1.0/flows",
    "FLOW_NOT_FOUND",
    lambda tenant: tenant.flow,
    lambda name: {"name": name, "actions": [{"type": "answer"}]},
    "name",
    _victim_flow,
    frozenset(),
    names_customer=False,
)
ACCESSKEYS = Kind(
    "accesskey",
    "/v1.0/accesskeys",
    "ACCESSKEY_NOT_FOUND",
    lambda tenant: tenant.accesskey,
    lambda name: {"name": name},
    "name",
    _victim_accesskey,
    frozenset({"token", "token_hash"}),
)

EXTENSIONS = Kind(
    "extension",
    "/v1.0/extensions",
    "EXTENSION_NOT_FOUND",
    lambda tenant: tenant.extension,
    _extension,
    "extension",
    _victim_extension,
    frozenset({"password", "digest_ha1_md5", "digest_ha1_sha256", "digest_realm"}),
)
TRUNKS = Kind(
    "trunk",
    "/v1.0/trunks",
    "TRUNK_NOT_FOUND",
    lambda tenant: tenant.trunk,
    _trunk,
    "domain_name",
    _victim_trunk,
    frozenset({"password", "digest_ha1_md5", "digest_ha1_sha256", "digest_realm"}),
)


def _virtual_number(name: str) -> str:
    """A virtual number of its own for each name of the world (never ``+899000...``)."""
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    return f"+899{1_000_000 + digest % 999_000_000:09d}"


async def _victim_number(world: World, tenant: Tenant, name: str) -> str:
    body = {"number": _virtual_number(name)}
    created = await _post(world.api, "/v1.0/numbers", body, tenant.owner.headers)
    return str(created["id"])


def numbers_kind(held: Mapping[str, str]) -> Kind:
    """Numbers, each customer's target being ``held[its label]``."""
    return Kind(
        "number",
        "/v1.0/numbers",
        "NUMBER_NOT_FOUND",
        lambda tenant: held[tenant.label],
        lambda name: {"number": _virtual_number(name), "name": name},
        "number",
        _victim_number,
        frozenset(),
    )


ListOutcome = frozenset[str] | str
Row = tuple[ListOutcome, str, str, str, str]
"""A role's outcomes on one customer's resources: list, get, create, update, delete."""
Matrix = Mapping[tuple[str, str], Row]


def labels(*names: str) -> frozenset[str]:
    return frozenset(names)


async def _list(world: World, kind: Kind, role: str, scope: str, expected: ListOutcome) -> None:
    """Own scope: the plain list. Other scope: the list filtered by the other customer."""
    other = world.tenant(role, OTHER).customer_id
    params = {} if scope == OWN else {"customer_id": other}
    response = await world.api.client.get(
        kind.path, params=params, headers=world.caller(role).headers
    )
    if isinstance(expected, str):
        expect(response, expected, kind.not_found)
        return
    assert response.status_code == 200, response.text
    body = response.json()
    assert world.names(body["result"]) == sorted(expected)
    assert body["next_page_token"] == ""
    for item in body["result"]:
        assert not kind.secrets & set(item), f"a listed {kind.name} shows a secret: {item}"


async def _get(world: World, kind: Kind, role: str, scope: str, expected: str) -> None:
    tenant = world.tenant(role, scope)
    id = kind.target(tenant)
    response = await world.api.client.get(f"{kind.path}/{id}", headers=world.caller(role).headers)
    if expect(response, expected, kind.not_found):
        item = response.json()
        assert (item["id"], item["customer_id"]) == (id, tenant.customer_id)
        assert not kind.secrets & set(item), f"the {kind.name} shows a secret: {item}"


async def _create(world: World, kind: Kind, role: str, scope: str, expected: str) -> None:
    """Own scope: a plain body. Other scope: the body names the other customer (where a body
    may; elsewhere the field would be an unknown one)."""
    name = f"new-{kind.name}-{role}-{scope}"
    body = kind.new(name)
    if scope == OTHER and kind.names_customer:
        body["customer_id"] = world.tenant(role, OTHER).customer_id
    response = await world.api.client.post(kind.path, json=body, headers=world.caller(role).headers)
    found = await stored_by(world.api, kind.name, kind.key, body[kind.key])
    if expected == ABSENT:
        assert_error(response, 405, "NOT_FOUND", "METHOD_NOT_ALLOWED")
        assert found is None, f"a refused creation stored {found}"
        return
    if expected == DENIED:
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
        assert found is None, f"a refused creation stored {found}"
        return
    customer_id = world.labelled(expected).customer_id
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["customer_id"] == customer_id, f"landed in {world.names([item])}"
    assert response.headers["location"] == f"{kind.path}/{item['id']}"
    assert found == {"id": item["id"], "customer_id": customer_id}


async def _update(world: World, kind: Kind, role: str, scope: str, expected: str) -> None:
    id = kind.target(world.tenant(role, scope))
    before = await stored(world.api, kind.name, id)
    detail = f"changed by {role} ({scope})"
    response = await world.api.client.put(
        f"{kind.path}/{id}", json={"detail": detail}, headers=world.caller(role).headers
    )
    after = await stored(world.api, kind.name, id)
    if expect(response, expected, kind.not_found):
        assert response.json()["detail"] == detail
        assert after is not None
        assert after["detail"] == detail
    else:
        assert after == before, "a refused update changed the stored resource"


async def _delete(world: World, kind: Kind, role: str, scope: str, expected: str) -> None:
    if expected == ABSENT:
        victim = kind.target(world.tenant(role, scope))
    else:
        victim = await kind.victim(world, world.tenant(role, scope), f"victim-{role}-{scope}")
    response = await world.api.client.delete(
        f"{kind.path}/{victim}", headers=world.caller(role).headers
    )
    after = await stored(world.api, kind.name, victim)
    assert after is not None
    if expected == ABSENT:
        assert_error(response, 405, "NOT_FOUND", "METHOD_NOT_ALLOWED")
        assert after["tm_delete"] == SENTINEL_TEXT, "a refused delete deleted it"
        return
    if expect(response, expected, kind.not_found):
        assert response.content == b""
        assert after["tm_delete"] != SENTINEL_TEXT, "not deleted"
    else:
        assert after["tm_delete"] == SENTINEL_TEXT, "a refused delete deleted it"


async def walk(world: World, kind: Kind, matrix: Matrix) -> None:
    """Check every cell of ``matrix``: lists first, while the world is as built."""
    assert set(matrix) == {(role, scope) for role in ROLES for scope in (OWN, OTHER)}
    failures = Failures()
    for (role, scope), row in matrix.items():
        cell = f"{kind.path} as {role} on the {scope} customer's: list, expected {row[0]}"
        await failures.check(cell, _list(world, kind, role, scope, row[0]))
    verbs = (("get", _get), ("create", _create), ("update", _update), ("delete", _delete))
    for (role, scope), row in matrix.items():
        for (verb, check), expected in zip(verbs, row[1:], strict=True):
            cell = f"{kind.path} as {role} on the {scope} customer's: {verb}, expected {expected}"
            await failures.check(cell, check(world, kind, role, scope, expected))
    failures.assert_none()


# -- the matrix -------------------------------------------------------------------------------

# Roles other than super-admin belong to A: "own" is A's resource, "other" is B's (the list
# filtered by customer_id=B; a creation body naming B). The super-admin belongs to P: "own" is
# P's, "other" is A's.

A_AGENTS = labels("A admin", "A manager", "A agent", "A member")


async def test_who_may_do_what_to_agents(api: Api) -> None:
    world = await build_world(api)
    await walk(
        world,
        AGENTS,
        {
            # role, scope:   list                                 get  create update delete
            (SUPER, OWN): (labels("P super-admin", "P member"), OK, "P", OK, OK),
            (SUPER, OTHER): (A_AGENTS, OK, "A", OK, OK),
            (ADMIN, OWN): (A_AGENTS, OK, "A", OK, OK),
            (ADMIN, OTHER): (labels(), HIDDEN, "A", HIDDEN, HIDDEN),
            (MANAGER, OWN): (A_AGENTS, OK, "A", OK, OK),
            (MANAGER, OTHER): (labels(), HIDDEN, "A", HIDDEN, HIDDEN),
            # An agent lists only themselves; the target is another agent of theirs.
            (AGENT, OWN): (labels("A agent"), DENIED, DENIED, DENIED, DENIED),
            (AGENT, OTHER): (labels(), HIDDEN, DENIED, HIDDEN, HIDDEN),
        },
    )


async def test_who_may_do_what_to_tags(api: Api) -> None:
    world = await build_world(api)
    await walk(
        world,
        TAGS,
        {
            # A tag's body cannot name a customer: the super-admin's lands in their own one.
            (SUPER, OWN): (labels("P tag"), OK, "P", OK, OK),
            (SUPER, OTHER): (labels("A tag"), OK, "P", OK, OK),
            (ADMIN, OWN): (labels("A tag"), OK, "A", OK, OK),
            (ADMIN, OTHER): (labels(), HIDDEN, "A", HIDDEN, HIDDEN),
            (MANAGER, OWN): (labels("A tag"), OK, "A", OK, OK),
            (MANAGER, OTHER): (labels(), HIDDEN, "A", HIDDEN, HIDDEN),
            (AGENT, OWN): (labels("A tag"), OK, DENIED, DENIED, DENIED),
            (AGENT, OTHER): (labels(), HIDDEN, DENIED, HIDDEN, HIDDEN),
        },
    )


async def test_who_may_do_what_to_flows(api: Api) -> None:
    world = await build_world(api)
    await walk(
        world,
        FLOWS,
        {
            # A flow's body cannot name a customer: the super-admin's lands in their own one.
            (SUPER, OWN): (labels("P flow"), OK, "P", OK, OK),
            (SUPER, OTHER): (labels("A flow"), OK, "P", OK, OK),
            (ADMIN, OWN): (labels("A flow"), OK, "A", OK, OK),
            (ADMIN, OTHER): (labels(), HIDDEN, "A", HIDDEN, HIDDEN),
            (MANAGER, OWN): (labels("A flow"), OK, "A", OK, OK),
            (MANAGER, OTHER): (labels(), HIDDEN, "A", HIDDEN, HIDDEN),
            (AGENT, OWN): (labels("A flow"), OK, DENIED, DENIED, DENIED),
            (AGENT, OTHER): (labels(), HIDDEN, DENIED, HIDDEN, HIDDEN),
        },
    )


async def test_who_may_do_what_to_access_keys(api: Api) -> None:
    world = await build_world(api)
    await walk(
        world,
        ACCESSKEYS,
        {
            (SUPER, OWN): (labels("P key"), OK, "P", OK, OK),
            (SUPER, OTHER): (labels("A key"), OK, "A", OK, OK),
            (ADMIN, OWN): (labels("A key"), OK, "A", OK, OK),
            (ADMIN, OTHER): (labels(), HIDDEN, "A", HIDDEN, HIDDEN),
            (MANAGER, OWN): (labels("A key"), OK, DENIED, DENIED, DENIED),
            (MANAGER, OTHER): (labels(), HIDDEN, DENIED, HIDDEN, HIDDEN),
            (AGENT, OWN): (DENIED, DENIED, DENIED, DENIED, DENIED),
            (AGENT, OTHER): (DENIED, HIDDEN, DENIED, HIDDEN, HIDDEN),
        },
    )


async def _super_admin_route(world: World, tenant: Tenant, name: str) -> str:
    body = {"customer_id": tenant.customer_id, "name": name}
    created = await _post(world.api, "/v1.0/routes", ROUTE_BODY | body, world.api.headers)
    return str(created["id"])


ROUTE_BODY: Json = {"provider_id": SIM_PROVIDER_ID, "target": "all"}


async def test_who_may_do_what_to_routes(api: Api) -> None:
    """Super-admins only, and for everyone else a 403 before anything is looked up: another
    customer's route is a 403 too, not a 404, as there is nothing of theirs to hide."""
    world = await build_world(api)
    routes = {}
    for tenant in (world.project, world.a, world.b):
        routes[tenant.label] = await _super_admin_route(world, tenant, f"{tenant.label} route")
        world.labels[routes[tenant.label]] = f"{tenant.label} route"
    kind = Kind(
        "route",
        "/v1.0/routes",
        "CALL_ROUTE_NOT_FOUND",
        lambda tenant: routes[tenant.label],
        lambda name: ROUTE_BODY | {"name": name},
        "name",
        _super_admin_route,
        frozenset(),
    )
    await walk(
        world,
        kind,
        {
            (SUPER, OWN): (labels("P route"), OK, "P", OK, OK),
            (SUPER, OTHER): (labels("A route"), OK, "A", OK, OK),
            (ADMIN, OWN): (DENIED, DENIED, DENIED, DENIED, DENIED),
            (ADMIN, OTHER): (DENIED, DENIED, DENIED, DENIED, DENIED),
            (MANAGER, OWN): (DENIED, DENIED, DENIED, DENIED, DENIED),
            (MANAGER, OTHER): (DENIED, DENIED, DENIED, DENIED, DENIED),
            (AGENT, OWN): (DENIED, DENIED, DENIED, DENIED, DENIED),
            (AGENT, OTHER): (DENIED, DENIED, DENIED, DENIED, DENIED),
        },
    )


async def test_who_may_do_what_to_numbers(api: Api) -> None:
    world = await build_world(api)
    held = {}
    for tenant in (world.project, world.a, world.b):
        held[tenant.label] = await _victim_number(world, tenant, f"{tenant.label} number")
        world.labels[held[tenant.label]] = f"{tenant.label} number"
    await walk(
        world,
        numbers_kind(held),
        {
            # Buying and releasing spend money: the admin's; managers read and point numbers.
            (SUPER, OWN): (labels("P number"), OK, "P", OK, OK),
            (SUPER, OTHER): (labels("A number"), OK, "A", OK, OK),
            (ADMIN, OWN): (labels("A number"), OK, "A", OK, OK),
            (ADMIN, OTHER): (labels(), HIDDEN, "A", HIDDEN, HIDDEN),
            (MANAGER, OWN): (labels("A number"), OK, DENIED, OK, DENIED),
            (MANAGER, OTHER): (labels(), HIDDEN, DENIED, HIDDEN, HIDDEN),
            (AGENT, OWN): (DENIED, DENIED, DENIED, DENIED, DENIED),
            (AGENT, OTHER): (DENIED, HIDDEN, DENIED, HIDDEN, HIDDEN),
        },
    )


# Extensions and trunks are for admins and managers (as upstream); a plain agent is denied.
SIP_MATRIX: dict[str, Matrix] = {
    kind: {
        (SUPER, OWN): (labels(f"P {kind}"), OK, "P", OK, OK),
        (SUPER, OTHER): (labels(f"A {kind}"), OK, "A", OK, OK),
        (ADMIN, OWN): (labels(f"A {kind}"), OK, "A", OK, OK),
        (ADMIN, OTHER): (labels(), HIDDEN, "A", HIDDEN, HIDDEN),
        (MANAGER, OWN): (labels(f"A {kind}"), OK, "A", OK, OK),
        (MANAGER, OTHER): (labels(), HIDDEN, "A", HIDDEN, HIDDEN),
        (AGENT, OWN): (DENIED, DENIED, DENIED, DENIED, DENIED),
        (AGENT, OTHER): (DENIED, HIDDEN, DENIED, HIDDEN, HIDDEN),
    }
    for kind in ("extension", "trunk")
}


async def test_who_may_do_what_to_extensions(api: Api) -> None:
    await walk(await build_world(api), EXTENSIONS, SIP_MATRIX["extension"])


async def test_who_may_do_what_to_trunks(api: Api) -> None:
    await walk(await build_world(api), TRUNKS, SIP_MATRIX["trunk"])


async def _no_victim(world: World, tenant: Tenant, name: str) -> str:
    raise AssertionError("outbound configs are not deleted through the API")


async def test_who_may_do_what_to_outbound_configs(api: Api) -> None:
    """Each customer's one config: read by admins and managers, changed by admins, neither
    created nor deleted by anyone (405); another customer's is a 404."""
    world = await build_world(api)
    configs = {}
    for tenant in (world.project, world.a, world.b):
        # A and B were put straight into storage: their first own read makes theirs.
        response = await api.client.get("/v1.0/outbound_config", headers=tenant.owner.headers)
        assert response.status_code == 200, response.text
        configs[tenant.label] = response.json()["id"]
        world.labels[configs[tenant.label]] = f"{tenant.label} config"
    kind = Kind(
        "outbound_config",
        "/v1.0/outbound_configs",
        "OUTBOUND_CONFIG_NOT_FOUND",
        lambda tenant: configs[tenant.label],
        lambda name: {"name": name},
        "name",
        _no_victim,
        frozenset(),
    )
    await walk(
        world,
        kind,
        {
            (SUPER, OWN): (labels("P config"), OK, ABSENT, OK, ABSENT),
            (SUPER, OTHER): (labels("A config"), OK, ABSENT, OK, ABSENT),
            (ADMIN, OWN): (labels("A config"), OK, ABSENT, OK, ABSENT),
            (ADMIN, OTHER): (labels(), HIDDEN, ABSENT, HIDDEN, ABSENT),
            (MANAGER, OWN): (labels("A config"), OK, ABSENT, DENIED, ABSENT),
            (MANAGER, OTHER): (labels(), HIDDEN, ABSENT, HIDDEN, ABSENT),
            (AGENT, OWN): (DENIED, DENIED, ABSENT, DENIED, ABSENT),
            (AGENT, OTHER): (DENIED, HIDDEN, ABSENT, HIDDEN, ABSENT),
        },
    )


async def _no_creation(world: World, tenant: Tenant, name: str) -> str:
    raise AssertionError("neither billing accounts nor ledger rows are deleted through the API")


async def test_who_may_do_what_to_billing_accounts(api: Api) -> None:
    """Super-admins only, refused to everyone else before anything is looked up (a customer's
    admins read theirs at /v1.0/billing_account); made with customers, never through the API."""
    world = await build_world(api)
    accounts = {}
    for tenant in (world.project, world.a, world.b):
        customer = await api.client.get(
            f"/v1.0/customers/{tenant.customer_id}", headers=api.headers
        )
        accounts[tenant.label] = customer.json()["billing_account_id"]
        world.labels[accounts[tenant.label]] = f"{tenant.label} account"
    kind = Kind(
        "billing_account",
        "/v1.0/billing_accounts",
        "BILLING_ACCOUNT_NOT_FOUND",
        lambda tenant: accounts[tenant.label],
        lambda name: {"name": name},
        "name",
        _no_creation,
        frozenset(),
    )
    await walk(
        world,
        kind,
        {
            (SUPER, OWN): (labels("P account"), OK, ABSENT, OK, ABSENT),
            (SUPER, OTHER): (labels("A account"), OK, ABSENT, OK, ABSENT),
            (ADMIN, OWN): (DENIED, DENIED, ABSENT, DENIED, ABSENT),
            (ADMIN, OTHER): (DENIED, DENIED, ABSENT, DENIED, ABSENT),
            (MANAGER, OWN): (DENIED, DENIED, ABSENT, DENIED, ABSENT),
            (MANAGER, OTHER): (DENIED, DENIED, ABSENT, DENIED, ABSENT),
            (AGENT, OWN): (DENIED, DENIED, ABSENT, DENIED, ABSENT),
            (AGENT, OTHER): (DENIED, DENIED, ABSENT, DENIED, ABSENT),
        },
    )


async def test_who_may_do_what_to_the_ledger(api: Api) -> None:
    """Customer admins read their customer's rows; nobody writes them (405)."""
    world = await build_world(api)
    rows = {}
    for tenant in (world.project, world.a, world.b):
        response = await api.client.get(
            "/v1.0/billings", params={"customer_id": tenant.customer_id}, headers=api.headers
        )
        (row,) = response.json()["result"]  # the tokens granted with the customer
        rows[tenant.label] = row["id"]
        world.labels[row["id"]] = f"{tenant.label} row"
    kind = Kind(
        "billing",
        "/v1.0/billings",
        "BILLING_NOT_FOUND",
        lambda tenant: rows[tenant.label],
        lambda name: {"reference_type": name},
        "reference_type",
        _no_creation,
        frozenset(),
    )
    await walk(
        world,
        kind,
        {
            (SUPER, OWN): (labels("P row"), OK, ABSENT, ABSENT, ABSENT),
            (SUPER, OTHER): (labels("A row"), OK, ABSENT, ABSENT, ABSENT),
            (ADMIN, OWN): (labels("A row"), OK, ABSENT, ABSENT, ABSENT),
            (ADMIN, OTHER): (labels(), HIDDEN, ABSENT, ABSENT, ABSENT),
            (MANAGER, OWN): (DENIED, DENIED, ABSENT, ABSENT, ABSENT),
            (MANAGER, OTHER): (DENIED, HIDDEN, ABSENT, ABSENT, ABSENT),
            (AGENT, OWN): (DENIED, DENIED, ABSENT, ABSENT, ABSENT),
            (AGENT, OTHER): (DENIED, HIDDEN, ABSENT, ABSENT, ABSENT),
        },
    )


# -- an agent's self-service ------------------------------------------------------------------

ADDRESSES = {"addresses": [{"type": "tel", "target": "+15551234567"}]}
AGENT_REQUESTS: tuple[tuple[str, str, Json | None], ...] = (
    ("GET", "", None),
    ("PUT", "", {"detail": "changed"}),
    ("PUT", "/addresses", ADDRESSES),
    ("PUT", "/status", {"status": "available"}),
    ("PUT", "/password", {"password": NEW_PASSWORD}),
    ("PUT", "/tag_ids", {"tag_ids": []}),
    ("PUT", "/permission", {"permission": 16}),
    ("DELETE", "", None),
)


async def test_an_agent_reads_and_changes_only_themselves(api: Api) -> None:
    world = await build_world(api)
    me, colleague, stranger = world.a.agents[AGENT], world.a.member, world.b.member
    before = {a.id: await stored(api, "agent", a.id) for a in (colleague, stranger)}
    mine = dict.fromkeys(("GET", "PUT", "/addresses", "/status", "/password"), OK)
    failures = Failures()
    headers = me.headers
    for target, outcomes in (
        (me, mine),  # the rest (tag_ids, permission, DELETE) is denied
        (colleague, {}),
        (stranger, {}),
    ):
        default = HIDDEN if target is stranger else DENIED
        for method, suffix, body in AGENT_REQUESTS:
            expected = outcomes.get(suffix or method, default)
            response = await api.client.request(
                method, f"/v1.0/agents/{target.id}{suffix}", json=body, headers=headers
            )
            cell = f"{method} {world.labels[target.id]}{suffix}, expected {expected}"
            failures.expect(cell, response, expected, "AGENT_NOT_FOUND")
            if target is me and suffix == "/password" and response.status_code == 200:
                # A new password ends the logins made before it: carry on with a new one.
                relogin = await _login(api, me.username, NEW_PASSWORD)
                headers = {"Authorization": f"Bearer {relogin.json()['token']}"}
    failures.assert_none()

    own = await api.client.get("/v1.0/me", headers=headers)
    assert own.status_code == 200
    assert own.json()["detail"] == "changed"
    assert own.json()["status"] == "available"
    assert own.json()["addresses"][0]["target"] == "+15551234567"
    assert own.json()["permission"] == 16
    assert own.json()["tm_delete"] == SENTINEL_TEXT
    assert (await _login(api, me.username, NEW_PASSWORD)).status_code == 200
    for other in (colleague, stranger):
        assert await stored(api, "agent", other.id) == before[other.id]
        assert (await _login(api, other.username, PASSWORD)).status_code == 200


async def _login(api: Api, username: str, password: str) -> httpx.Response:
    return await api.client.post("/auth/login", json={"username": username, "password": password})


# -- nobody grants a permission they do not hold ----------------------------------------------


async def test_nobody_creates_an_agent_with_a_permission_they_do_not_hold(api: Api) -> None:
    world = await build_world(api)
    failures = Failures()
    for role, permission, expected in (
        (SUPER, 1, OK),
        (SUPER, 1 | 16 | 32 | 64, OK),
        (ADMIN, 1, DENIED),  # the public service allows this one; we must not
        (ADMIN, 1 | 32, DENIED),
        (ADMIN, 32, OK),
        (ADMIN, 16 | 32 | 64, OK),
        (MANAGER, 32, DENIED),
        (MANAGER, 32 | 64, DENIED),
        (MANAGER, 1, DENIED),
        (MANAGER, 64, OK),
        (MANAGER, 16 | 64, OK),
        (AGENT, 16, DENIED),
    ):
        username = f"granted-{permission}-by-{role}@example.com"
        body = {"username": username, "password": PASSWORD, "permission": permission}
        response = await api.client.post(
            "/v1.0/agents", json=body, headers=world.caller(role).headers
        )
        cell = f"{role} creating an agent of permission {permission}, expected {expected}"
        await failures.check(cell, _created_with(api, response, username, permission, expected))
    failures.assert_none()


async def _created_with(
    api: Api, response: httpx.Response, username: str, permission: int, expected: str
) -> None:
    found = await stored_by(api, "agent", "username", username)
    if expect(response, expected, "AGENT_NOT_FOUND"):
        assert response.json()["permission"] == permission
        assert found is not None
        agent = await stored(api, "agent", found["id"])
        assert agent is not None
        assert agent["permission"] == permission
    else:
        assert found is None, f"a refused creation stored {found}"


async def test_nobody_raises_a_permission_beyond_their_own(api: Api) -> None:
    world = await build_world(api)
    a = world.a
    victims = {
        role: await add_agent(api, permission=16, customer_id=a.customer_id) for role in ROLES
    }
    failures = Failures()
    for role, target, permission, expected in (
        (ADMIN, victims[ADMIN].id, 1, DENIED),
        (ADMIN, a.agents[ADMIN].id, 1 | 32, DENIED),  # not even on themselves
        (MANAGER, victims[MANAGER].id, 32, DENIED),
        (MANAGER, a.agents[MANAGER].id, 32 | 64, DENIED),
        (AGENT, a.agents[AGENT].id, 32, DENIED),
        (AGENT, a.agents[AGENT].id, 64, DENIED),
        (MANAGER, victims[MANAGER].id, 64, OK),
        (ADMIN, victims[ADMIN].id, 32, OK),
        (SUPER, victims[SUPER].id, 1 | 16, OK),
    ):
        before = await stored(api, "agent", target)
        assert before is not None
        response = await api.client.put(
            f"/v1.0/agents/{target}/permission",
            json={"permission": permission},
            headers=world.caller(role).headers,
        )
        after = await stored(api, "agent", target)
        assert after is not None
        wanted = permission if expected == OK else before["permission"]
        cell = f"{role} giving {world.labels.get(target, 'a new agent')} {permission}"
        failures.expect(cell, response, expected, "AGENT_NOT_FOUND")
        if after["permission"] != wanted:
            failures.cells.append(f"{cell}: stored permission {after['permission']}")
    failures.assert_none()


async def test_an_agent_cannot_raise_their_permission_through_an_update(api: Api) -> None:
    world = await build_world(api)
    me = world.a.agents[AGENT]
    response = await api.client.put(
        f"/v1.0/agents/{me.id}", json={"permission": 32, "detail": "mine"}, headers=me.headers
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["permission"]
    after = await stored(api, "agent", me.id)
    assert after is not None
    assert (after["permission"], after["detail"]) == (16, "")
    denied = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=me.headers)
    assert_error(denied, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")


async def test_a_manager_cannot_act_on_an_admin_only_read_them(api: Api) -> None:
    world = await build_world(api)
    admin, manager = world.a.agents[ADMIN], world.a.agents[MANAGER]
    before = await stored(api, "agent", admin.id)
    path = f"/v1.0/agents/{admin.id}"
    failures = Failures()
    for method, suffix, body in AGENT_REQUESTS:
        expected = OK if method == "GET" else DENIED
        response = await api.client.request(
            method, f"{path}{suffix}", json=body, headers=manager.headers
        )
        cell = f"manager: {method} the admin{suffix}, expected {expected}"
        failures.expect(cell, response, expected, "AGENT_NOT_FOUND")
    failures.assert_none()
    assert await stored(api, "agent", admin.id) == before
    assert (await _login(api, admin.username, PASSWORD)).status_code == 200
    assert_error(
        await _login(api, admin.username, NEW_PASSWORD),
        401,
        "UNAUTHENTICATED",
        "INVALID_CREDENTIALS",
    )
    # ...while an admin may change the manager's password.
    changed = await api.client.put(
        f"/v1.0/agents/{manager.id}/password",
        json={"password": NEW_PASSWORD},
        headers=admin.headers,
    )
    assert changed.status_code == 200, changed.text
    assert (await _login(api, manager.username, NEW_PASSWORD)).status_code == 200


# -- an access key acts as its customer's admin -----------------------------------------------


async def test_an_access_key_acts_as_its_customers_admin(api: Api) -> None:
    world = await build_world(api)
    a = world.a
    key = bearer(a.accesskey_token)

    tag = await api.client.post("/v1.0/tags", json={"name": "by key"}, headers=key)
    assert tag.status_code == 201, tag.text
    assert tag.json()["customer_id"] == a.customer_id
    failures = Failures()
    for permission, expected in ((32, OK), (16 | 32 | 64, OK), (1, DENIED), (1 | 32, DENIED)):
        username = f"keyed-{permission}@example.com"
        body = {"username": username, "password": PASSWORD, "permission": permission}
        response = await api.client.post("/v1.0/agents", json=body, headers=key)
        cell = f"an access key creating an agent of permission {permission}, expected {expected}"
        await failures.check(cell, _created_with(api, response, username, permission, expected))
    failures.assert_none()
    created = await api.client.post("/v1.0/accesskeys", json={"name": "by key"}, headers=key)
    assert created.status_code == 201, created.text
    assert created.json()["customer_id"] == a.customer_id

    listed = await api.client.get("/v1.0/tags", headers=key)
    assert world.names(listed.json()["result"]) == sorted(["A tag", f"unknown {tag.json()['id']}"])
    hidden = await api.client.get(f"/v1.0/tags/{world.b.tag}", headers=key)
    assert_error(hidden, 404, "NOT_FOUND", "TAG_NOT_FOUND")
    for response in (
        await api.client.get("/v1.0/customers", headers=key),
        await api.client.post("/v1.0/customers", json={"name": "mine"}, headers=key),
        await api.client.get(f"/v1.0/customers/{a.customer_id}", headers=key),
    ):
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")


async def test_only_a_super_admin_uses_the_customers_collection(api: Api) -> None:
    world = await build_world(api)
    for role in (ADMIN, MANAGER, AGENT):
        response = await api.client.get("/v1.0/customers", headers=world.caller(role).headers)
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    response = await api.client.get("/v1.0/customers", headers=api.headers)
    assert response.status_code == 200
    ids = {c["id"] for c in response.json()["result"]}
    assert {world.project.customer_id, world.a.customer_id, world.b.customer_id} <= ids


# -- a super-admin acts for another customer through customer_id ------------------------------


async def test_a_super_admin_creates_an_agent_for_another_customer(api: Api) -> None:
    world = await build_world(api)
    a = world.a
    body = {
        "username": "placed@example.com",
        "password": PASSWORD,
        "permission": 32,
        "tag_ids": [a.tag],
        "customer_id": a.customer_id.upper(),
    }
    response = await api.client.post("/v1.0/agents", json=body, headers=api.headers)
    assert response.status_code == 201, response.text
    agent = response.json()
    assert (agent["customer_id"], agent["tag_ids"]) == (a.customer_id, [a.tag])
    assert await stored_by(api, "agent", "username", "placed@example.com") == {
        "id": agent["id"],
        "customer_id": a.customer_id,
    }
    login = await _login(api, "placed@example.com", PASSWORD)
    assert login.status_code == 200, login.text
    tags = await api.client.get("/v1.0/tags", headers=bearer(login.json()["token"]))
    assert world.names(tags.json()["result"]) == ["A tag"]

    # The tags are checked in the customer the agent lands in, not the caller's.
    body |= {"username": "misplaced@example.com", "tag_ids": [world.project.tag]}
    refused = await api.client.post("/v1.0/agents", json=body, headers=api.headers)
    assert fields_of(assert_error(refused, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")) == [
        "tag_ids"
    ]


async def test_a_super_admin_creates_an_access_key_for_another_customer(api: Api) -> None:
    world = await build_world(api)
    response = await api.client.post(
        "/v1.0/accesskeys",
        json={"name": "placed", "customer_id": world.b.customer_id},
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    key = response.json()
    assert key["customer_id"] == world.b.customer_id
    assert await stored_by(api, "accesskey", "name", "placed") == {
        "id": key["id"],
        "customer_id": world.b.customer_id,
    }
    tags = await api.client.get("/v1.0/tags", headers=bearer(key["token"]))
    assert world.names(tags.json()["result"]) == ["B tag"]


async def test_anyone_elses_customer_id_in_a_body_is_ignored(api: Api) -> None:
    world = await build_world(api)
    a = world.a
    callers = {
        "A's admin": a.agents[ADMIN].headers,
        "A's manager": a.agents[MANAGER].headers,
        "A's access key": bearer(a.accesskey_token),
    }
    failures = Failures()
    for n, (caller, kind, customer_id) in enumerate(
        (caller, kind, customer_id)
        for caller in callers
        for kind in (AGENTS, ACCESSKEYS)
        for customer_id in (world.project.customer_id, world.b.customer_id, UNUSED_ID)
        if (caller, kind) != ("A's manager", ACCESSKEYS)
    ):
        body = kind.new(f"ignored-{n}") | {"customer_id": customer_id}
        response = await api.client.post(kind.path, json=body, headers=callers[caller])
        cell = f"{caller}: POST {kind.path} naming customer {customer_id}, expected it in A"
        await failures.check(cell, _landed(api, kind, response, body[kind.key], a.customer_id))
    failures.assert_none()


async def _landed(
    api: Api, kind: Kind, response: httpx.Response, name: str, customer_id: str
) -> None:
    assert response.status_code == 201, response.text
    assert response.json()["customer_id"] == customer_id
    found = await stored_by(api, kind.name, kind.key, name)
    assert found == {"id": response.json()["id"], "customer_id": customer_id}


async def test_an_unknown_customer_id_from_a_super_admin_is_422_naming_it(api: Api) -> None:
    gone = await add_customer(api, "Gone")
    assert await api.state.identity.customers.soft_delete(gone)
    for path, body, key in (
        ("/v1.0/agents", AGENTS.new("nowhere"), "username"),
        ("/v1.0/accesskeys", {"name": "nowhere"}, "name"),
    ):
        for customer_id in (UNUSED_ID, gone):
            response = await api.client.post(
                path, json=body | {"customer_id": customer_id}, headers=api.headers
            )
            error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
            assert fields_of(error) == ["customer_id"], (path, customer_id)
        kind = "agent" if path == "/v1.0/agents" else "accesskey"
        assert await stored_by(api, kind, key, str(body[key])) is None


# -- the customer lifecycle -------------------------------------------------------------------

CUSTOMER_ACTIONS: tuple[tuple[str, str, Json | None], ...] = (
    ("POST", "freeze", None),
    ("POST", "recover", None),  # after freeze: it recovers what was just frozen
    ("PUT", "billing_account_id", {}),  # filled with the customer's own live account
    ("PUT", "metadata", {"rtp_debug": True}),
    ("PUT", "identity_verification_status", {"identity_verification_status": "pending"}),
)


async def test_who_may_use_the_customer_lifecycle(api: Api) -> None:
    """``/v1.0/customers/{id}/<action>`` is for super-admins only: everyone else is refused
    before any lookup (403 for their own customer and for another alike, as every customers
    route is); ``/v1.0/customer/metadata`` and ``.../webhook_secret_rotate`` are for the
    caller's own customer's admins."""
    world = await build_world(api)
    failures = Failures()
    for role in ROLES:
        for scope in (OWN, OTHER):
            if role == SUPER and scope == OWN:
                continue  # a super-admin cannot freeze their own customer (409, tested apart)
            tenant = world.tenant(role, scope)
            before = await stored(api, "customer", tenant.customer_id)
            for method, action, body in CUSTOMER_ACTIONS:
                if action == "billing_account_id":
                    assert before is not None
                    body = {"billing_account_id": str(before["billing_account_id"])}
                response = await api.client.request(
                    method,
                    f"/v1.0/customers/{tenant.customer_id}/{action}",
                    json=body,
                    headers=world.caller(role).headers,
                )
                cell = f"{role} {method} {tenant.label} customer/{action}"
                if role == SUPER:
                    if response.status_code != 200:
                        failures.cells.append(f"{cell}: wanted 200: {response.text}")
                else:
                    failures.expect(cell, response, DENIED, "CUSTOMER_NOT_FOUND")
            if role != SUPER and await stored(api, "customer", tenant.customer_id) != before:
                failures.cells.append(f"{role} changed the {tenant.label} customer")
    for role, allowed in ((SUPER, True), (ADMIN, True), (MANAGER, False), (AGENT, False)):
        for method, path, body in (
            ("PUT", "/v1.0/customer/metadata", {"rtp_debug": True}),
            ("POST", "/v1.0/customer/webhook_secret_rotate", None),
        ):
            response = await api.client.request(
                method, path, json=body, headers=world.caller(role).headers
            )
            cell = f"{role} {method} {path}"
            if allowed and response.status_code != 200:
                failures.cells.append(f"{cell}: wanted 200: {response.text}")
            if not allowed:
                failures.expect(cell, response, DENIED, "CUSTOMER_NOT_FOUND")
    failures.assert_none()
