"""``create_app(settings)``: the ASGI application."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from voipbin.common.errors import ApiError, Unavailable
from voipbin.common.permissions import CUSTOMER_ANY, CUSTOMER_MANAGERS, Permission
from voipbin.models.campaign import CAMPAIGN_CAMPAIGNCALLS
from voipbin.models.contact import CONTACT_LOOKUP
from voipbin.models.number import AVAILABLE_NUMBERS
from voipbin.models.registry import OWN_ROUTES
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.auth.identity import Identity
from voipbin.server.auth.passwords import Passwords
from voipbin.server.auth.principal import server_principal
from voipbin.server.auth.routes import auth_routes
from voipbin.server.available_numbers import AvailableNumbersAnswer
from voipbin.server.billing.ledger import ledger_for
from voipbin.server.campaign_calls import campaign_calls_route
from voipbin.server.carrier.sim import SimulatedCarrier
from voipbin.server.contact_lookup import ContactLookupAnswer
from voipbin.server.http import Endpoint, json_response
from voipbin.server.lookups import lookup_route
from voipbin.server.middleware.input import InputLimits
from voipbin.server.middleware.request_context import RequestContextMiddleware
from voipbin.server.openapi import openapi_document
from voipbin.server.outdial_targets import OutdialTargets, outdial_target_routes
from voipbin.server.ratelimit.limiter import RateLimiter, limiter_from_settings
from voipbin.server.resources.agents import own_agent_id
from voipbin.server.resources.billing_accounts import own_account_id
from voipbin.server.resources.call_routes import ensure_default_routes
from voipbin.server.resources.context import Runtime
from voipbin.server.resources.registry import SERVER_RESOURCES
from voipbin.server.resources.routes import OwnAccess, own_resource_route, resource_routes
from voipbin.server.resources.service import ResourceService
from voipbin.server.runtime.calls.control import RuntimeCallControl
from voipbin.server.runtime.calls.flows import CallFlows
from voipbin.server.runtime.calls.legs import FIELDS, CallRows
from voipbin.server.runtime.calls.service import CallRuntime
from voipbin.server.runtime.calls.simulate import number_lookup, sim_call_routes
from voipbin.server.runtime.campaigns.control import RuntimeCampaignControl
from voipbin.server.runtime.campaigns.rows import CampaigncallRows, CampaignRows
from voipbin.server.runtime.campaigns.service import CampaignRuntime
from voipbin.server.runtime.campaigns.targets import TargetPool
from voipbin.server.runtime.carrier.control import simulator_routes
from voipbin.server.runtime.clock import Clock, clock_for
from voipbin.server.runtime.clock_routes import clock_routes
from voipbin.server.runtime.conferences.control import RuntimeConferenceControl
from voipbin.server.runtime.conferences.rows import FIELDS as CONFERENCE_FIELDS
from voipbin.server.runtime.conferences.rows import ConferencecallRows, ConferenceRows
from voipbin.server.runtime.conferences.service import ConferenceRuntime
from voipbin.server.runtime.emails.attachments import Attachments as EmailAttachments
from voipbin.server.runtime.emails.flows import link as link_email_flows
from voipbin.server.runtime.emails.service import EmailRuntime
from voipbin.server.runtime.emails.simulate import FIELDS as SIM_EMAIL_FIELDS
from voipbin.server.runtime.emails.simulate import sim_email_routes
from voipbin.server.runtime.emails.smtp import parse_smtp_url
from voipbin.server.runtime.events.bus import bus_for
from voipbin.server.runtime.events.feed import EventFeed
from voipbin.server.runtime.events.outbox import Emitted, Outbox
from voipbin.server.runtime.events.routes import timeline_route
from voipbin.server.runtime.events.timeline import Timelines, owner_in
from voipbin.server.runtime.events.websocket import StreamLimits, websocket_route
from voipbin.server.runtime.flows.runner import FlowRunner
from voipbin.server.runtime.groupcalls.control import RuntimeGroupcallControl
from voipbin.server.runtime.groupcalls.rows import FIELDS as GROUPCALL_FIELDS
from voipbin.server.runtime.groupcalls.rows import GroupcallRows
from voipbin.server.runtime.groupcalls.service import GroupcallRuntime
from voipbin.server.runtime.jobs import Jobs
from voipbin.server.runtime.messages.flows import MessageFlows
from voipbin.server.runtime.messages.service import FIELDS as MESSAGE_FIELDS
from voipbin.server.runtime.messages.service import MessageRuntime
from voipbin.server.runtime.messages.simulate import sim_message_routes
from voipbin.server.runtime.queues.agents import AGENT_FIELDS, AgentPool
from voipbin.server.runtime.queues.control import RuntimeQueueControl
from voipbin.server.runtime.queues.rows import (
    QUEUE_FIELDS,
    QUEUECALL_FIELDS,
    QueuecallRows,
    QueueRows,
)
from voipbin.server.runtime.queues.service import QueueRuntime
from voipbin.server.runtime.recordings.files import RecordingFiles
from voipbin.server.runtime.recordings.links import Links
from voipbin.server.runtime.recordings.routes import recording_file_routes
from voipbin.server.runtime.recordings.rows import FIELDS as RECORDING_FIELDS
from voipbin.server.runtime.recordings.rows import RecordingRows
from voipbin.server.runtime.recordings.service import RecordingRuntime
from voipbin.server.runtime.webhooks import flows as webhook_flows
from voipbin.server.runtime.webhooks.service import Webhooks
from voipbin.server.settings import Settings
from voipbin.server.signup import signup_routes
from voipbin.server.storage.backends import open_database
from voipbin.server.storage.clock import CreationClock, Now, utc_now
from voipbin.server.storage.contacts import ContactAddresses
from voipbin.server.storage.database import Database, Executor
from voipbin.server.storage.idempotency import IdempotencyKeys
from voipbin.server.storage.outbox import OutboxTail
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.sim_messages import MessageRules
from voipbin.server.storage.simulator import SimulatorScripts
from voipbin.server.storage.system import SystemValues
from voipbin.server.storage.tables import (
    agent_agents,
    call_calls,
    call_groupcalls,
    call_recordings,
    conference_conferences,
    message_messages,
    queue_queuecalls,
    queue_queues,
    sim_emails,
)

log = logging.getLogger("voipbin.server")

EXPOSED_HEADERS = [
    "X-Request-Id",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit",
    "RateLimit-Policy",
    "Location",
    "ETag",
    "Idempotent-Replayed",
]


OWN_ACCESS: dict[str, OwnAccess] = {
    "customer": OwnAccess(
        read=CUSTOMER_ANY,
        update=Permission.CUSTOMER_ADMIN,
        id_of=lambda principal: principal.customer_id,
    ),
    "me": OwnAccess(read=CUSTOMER_ANY, id_of=own_agent_id),
    # The customer's one outbound config, found (or made) by customer.
    "outbound_config": OwnAccess(read=CUSTOMER_MANAGERS, update=Permission.CUSTOMER_ADMIN),
}
"""Who reads and changes each own route of ``OWN_ROUTES`` (by name), and how the caller's
resource is found."""


class VoipbinApp(Starlette):
    """Starlette with one middleware: the edge layer, which renders every error itself (in
    place of Starlette's server-error and exception layers) and limits each client IP."""

    limiter: RateLimiter | None = None
    limits: InputLimits | None = None

    def build_middleware_stack(self) -> ASGIApp:
        return RequestContextMiddleware(
            self.router, limiter=self.limiter, limits=self.limits, expose_headers=EXPOSED_HEADERS
        )


@dataclass
class AppState:
    """Everything a running app holds, built once by ``create_app``."""

    settings: Settings
    db: Database
    clock: CreationClock
    identity: Identity
    auth: Authenticator
    services: dict[str, ResourceService[Any]]
    outbox: Outbox
    """Where every state change records its event, in the change's own transaction."""
    timelines: Timelines
    """Each resource type's owner lookup, registered by the part that serves it."""
    runtime_clock: Clock
    """The one clock (``VOIPBIN_CLOCK``): ``clock`` reads it too."""
    jobs: Jobs
    flows: FlowRunner
    """Runs the activeflows on the jobs (``runtime/flows/runner.py``)."""
    calls: CallRuntime
    """Every call: its lifecycle on the jobs, and what the flow engine asks of it."""
    groupcalls: GroupcallRuntime
    """Every groupcall: its legs' calls, rung and hung up by its rules."""
    emails: EmailRuntime
    """Every email: made, paid for, and delivered by the local outbox or SMTP."""
    recordings: RecordingRuntime
    """Every recording: started on calls, ended with them, its files on disk."""
    messages: MessageRuntime
    """Every message (SMS): sent, moved per target, received on a number."""
    webhooks: Webhooks
    """Every event to the customers' endpoints, durably, in order per resource."""
    feed: EventFeed | None = None
    """Reads the outbox for the websockets of ``/v1.0/ws`` (``runtime/events/feed.py``)."""
    conferences: ConferenceRuntime | None = None
    """Every conference: joined by calls' flows, ended, recorded."""


def create_app(
    settings: Settings,
    *,
    now: Now = utc_now,
    passwords: Passwords | None = None,
    stream: StreamLimits | None = None,
) -> Starlette:
    """The API server for ``settings``. ``now``, ``passwords`` and the event stream's
    keepalive and queue figures (``stream``) are injectable for tests (a virtual clock
    starts at ``now()``)."""
    db = open_database(settings.database_url, timeout=settings.database_timeout)
    # Every timestamp and delay reads one clock, so creation times and due times agree.
    runtime_clock = clock_for(settings.clock, now)
    clock = CreationClock(runtime_clock.now)
    jobs = Jobs(
        db,
        runtime_clock,
        poll_seconds=settings.jobs_poll_seconds,
        lease_seconds=settings.jobs_lease_seconds,
        # SQLite has one writer; a virtual clock's runs must repeat: one job at a time.
        concurrency=settings.jobs_concurrency
        if db.name == "postgresql" and runtime_clock.mode == "real"
        else 1,
    )
    passwords = passwords or Passwords(concurrency=settings.password_hash_concurrency)
    # The network: today the built-in simulated carrier (DESIGN.md "The runtime").
    carrier = SimulatedCarrier()
    services: dict[str, ResourceService[Any]] = {}

    async def default_routes() -> None:
        await ensure_default_routes(services)

    async def with_customer(customer_id: str, executor: Executor) -> None:
        await services["customer"].create_companions(customer_id, executor)

    identity = Identity(
        settings, db, clock, passwords, defaults=[default_routes], with_customer=with_customer
    )
    limiter = limiter_from_settings(settings)
    idempotency = IdempotencyKeys(db, clock, secret=settings.jwt_secret)
    auth = Authenticator(identity, limiter)
    # Balances change only through the ledger: one per app, shared by every resource.
    ledger = ledger_for(db, clock, settings)
    for r in SERVER_RESOURCES:
        repository = Repository(db, r.table, r.fields, clock)
        services[r.spec.name] = ResourceService(
            r, repository, services, passwords, identity.invalidate, settings, carrier, ledger
        )
    # What the runtime gives the resources, filled in below as it is built: one for all.
    runtime = Runtime()
    for service in services.values():
        service.runtime = runtime
    outbox = Outbox(db, clock)
    # Webhooks first: every event written from here on gets its deliveries.
    webhooks = Webhooks(db, clock, runtime_clock, jobs, settings)
    webhooks.register(outbox)
    runtime.webhooks = webhooks
    # The control-plane resources that declare events (numbers, flows...) write them here.
    runtime.events = outbox
    timelines = Timelines(outbox)
    timelines.register("flows", owner_in(services["flow"].repository))
    timelines.register("numbers", owner_in(services["number"].repository))
    timelines.register("agents", owner_in(services["agent"].repository))
    flows = FlowRunner(db, clock, runtime_clock, jobs, outbox, services["flow"].repository)
    runtime.flows = flows
    webhook_flows.link(webhooks, flows)
    timelines.register("activeflows", owner_in(services["activeflow"].repository))
    # Calls: the runtime reads them with the leg's columns too; the resource drives it.
    call_rows = CallRows(Repository(db, call_calls, FIELDS, clock))
    calls = CallRuntime(call_rows, jobs, outbox, ledger, SimulatorScripts(db, clock))
    calls.register()
    call_service = services["call"]
    call_flows = CallFlows.link(
        calls, flows, lambda id: call_service.context(server_principal(id), id)
    )
    # An incoming call's caller, when a contact of the customer: its voipbin.contact.*.
    call_flows.contacts = ContactAddresses(db, clock)
    # Recordings: on calls, files under the data directory shared by every instance.
    recording_rows = RecordingRows(Repository(db, call_recordings, RECORDING_FIELDS, clock))
    recordings = RecordingRuntime(recording_rows, calls, RecordingFiles(settings.data_dir), flows)
    recordings.register()
    call_flows.recordings = recordings
    runtime.calls = RuntimeCallControl(calls, recordings)
    runtime.recordings = recordings
    timelines.register("recordings", owner_in(services["recording"].repository))

    async def links_secret() -> str:
        configured = settings.jwt_secret
        return configured or await SystemValues(db).get_or_set(
            "jwt_secret", secrets.token_urlsafe(48)
        )

    links = Links(links_secret, settings.recordingfile_link_seconds)
    timelines.register("calls", owner_in(services["call"].repository))
    # Groupcalls: legs of calls, moved by what the calls' network reports.
    groupcall_rows = GroupcallRows(Repository(db, call_groupcalls, GROUPCALL_FIELDS, clock))
    groupcalls = GroupcallRuntime(groupcall_rows, calls)
    groupcalls.register()
    runtime.groupcalls = RuntimeGroupcallControl(groupcalls)
    timelines.register("groupcalls", owner_in(services["groupcall"].repository))
    # Conferences: rooms the calls' flows join; recorded by the recordings runtime.
    conferences = ConferenceRuntime(
        ConferenceRows(Repository(db, conference_conferences, CONFERENCE_FIELDS, clock)),
        ConferencecallRows(services["conferencecall"].repository),
        calls,
        flows,
        recordings,
    )
    conferences.register()
    runtime.conferences = RuntimeConferenceControl(conferences)
    timelines.register("conferences", owner_in(services["conference"].repository))

    # Queues: callers of call flows wait for agents, rung through groupcalls.
    async def agent_status_updated(tx: Executor, agent_id: str) -> None:
        await services["agent"].announce(tx, agent_id, "agent_status_updated")

    agent_pool = AgentPool(Repository(db, agent_agents, AGENT_FIELDS, clock), agent_status_updated)
    queues = QueueRuntime(
        QueueRows(Repository(db, queue_queues, QUEUE_FIELDS, clock)),
        QueuecallRows(Repository(db, queue_queuecalls, QUEUECALL_FIELDS, clock)),
        agent_pool,
        calls,
        groupcalls,
        flows,
        lambda id: call_service.context(server_principal(id), id),
    )
    queues.register()
    runtime.queues = RuntimeQueueControl(queues)
    timelines.register("queuecalls", owner_in(services["queuecall"].repository))
    # Campaigns: a dialer per running campaign, dialling its outdial's targets as calls.
    campaigns = CampaignRuntime(
        CampaignRows(services["campaign"].repository),
        CampaigncallRows(services["campaigncall"].repository),
        TargetPool(services["outdial_target"].repository),
        services["outplan"].repository,
        services["outdial"].repository,
        services["queue"].repository,
        agent_pool,
        calls,
        lambda id: call_service.context(server_principal(id), id),
    )
    campaigns.register()
    runtime.campaigns = RuntimeCampaignControl(campaigns)
    timelines.register("campaigns", owner_in(services["campaign"].repository))
    timelines.register("campaigncalls", owner_in(services["campaigncall"].repository))
    # Emails: made by the resource or a flow, delivered on the jobs (local outbox or SMTP).
    local_outbox = Repository(db, sim_emails, SIM_EMAIL_FIELDS, clock)
    emails = EmailRuntime(
        services["email"].repository,
        local_outbox,
        jobs,
        outbox,
        ledger,
        smtp=parse_smtp_url(settings.smtp_url) if settings.smtp_url else None,
        attachments=EmailAttachments(recording_rows, recordings.files),
    )
    link_email_flows(emails, flows)
    runtime.emails = emails
    timelines.register("emails", owner_in(services["email"].repository))
    # Messages: sent by the API and flows, moved per target by the network and timers.
    messages = MessageRuntime(
        Repository(db, message_messages, MESSAGE_FIELDS, clock),
        jobs,
        outbox,
        ledger,
        MessageRules(db, clock),
        services["customer"].repository,
        services["number"].repository,
    )
    messages.register()
    message_flows = MessageFlows.link(messages, flows)
    runtime.messages = messages
    timelines.register("messages", owner_in(services["message"].repository))
    # The event stream: every process's outbox rows, to this process's websockets.
    tail = OutboxTail(db)
    feed = EventFeed(
        tail,
        runtime_clock,
        bus_for(settings.database_url, settings.redis_url, tail),
        poll_seconds=settings.events_poll_seconds,
    )

    async def told(executor: Executor, event: Emitted) -> None:
        feed.emitted(event.id, event.created)

    outbox.add_listener(told)
    state = AppState(
        settings,
        db,
        clock,
        identity,
        auth,
        services,
        outbox,
        timelines,
        runtime_clock,
        jobs,
        flows,
        calls,
        groupcalls,
        emails,
        recordings,
        messages,
        webhooks,
        feed=feed,
        conferences=conferences,
    )

    async def health(request: Request) -> Response:
        return json_response({"status": "ok"})

    async def ready(request: Request) -> Response:
        await db.ping()
        return json_response({"status": "ready"})

    # Built when first asked for, not at every start: it takes longer than the rest of the app.
    document: list[dict[str, Any]] = []

    async def openapi(request: Request) -> Response:
        if not document:
            document.append(
                openapi_document(
                    [r.spec for r in SERVER_RESOURCES],
                    own=OWN_ROUTES,
                    signup=settings.signup == "open",
                    lookups=[AVAILABLE_NUMBERS, CONTACT_LOOKUP, CAMPAIGN_CAMPAIGNCALLS],
                    simulator=True,
                )
            )
        return json_response(document[0])

    async def extension_is_live(extension_id: str) -> bool:
        extensions = services["extension"].repository
        return await extensions.find(("id",), {"id": extension_id}) is not None

    # Resource routes first: they take nearly all the traffic, and routing tries in order.
    # The contacts' lookup goes before them: /v1.0/contacts/{id} would take its path.
    routes: list[BaseRoute] = [
        lookup_route(CONTACT_LOOKUP, auth, ContactLookupAnswer(services["contact"]))
    ]
    for service in services.values():
        routes.extend(resource_routes(service, auth, idempotency))
    access = {
        **OWN_ACCESS,
        # The account the caller's customer is charged to (its billing_account_id).
        "billing_account": OwnAccess(
            read=Permission.CUSTOMER_ADMIN,
            update=Permission.CUSTOMER_ADMIN,
            id_of=own_account_id(services["customer"]),
        ),
    }
    # An outdial's targets, under the outdial (their own service serves no generic route).
    outdial_targets = OutdialTargets(services["outdial"], services["outdial_target"])
    routes.extend(outdial_target_routes(outdial_targets, auth, idempotency))
    for route in OWN_ROUTES:
        service = services[route.spec.name]
        routes.extend(own_resource_route(route, service, auth, access[route.name]))
    routes += [
        lookup_route(
            AVAILABLE_NUMBERS,
            auth,
            AvailableNumbersAnswer(services["number"], carrier),
        ),
        timeline_route(timelines, auth),
        campaign_calls_route(services["campaign"], services["campaigncall"], auth),
        *recording_file_routes(auth, services["recording"], recordings, links),
        websocket_route(feed, auth, stream or StreamLimits()),
        *auth_routes(identity),
        *clock_routes(jobs, auth),
        *simulator_routes(auth, SimulatorScripts(db, clock), extension_is_live),
        *sim_call_routes(auth, calls, number_lookup(services["number"].repository)),
        *sim_email_routes(auth, local_outbox),
        *sim_message_routes(auth, messages, message_flows, services["number"].repository),
        *(signup_routes(services) if settings.signup == "open" else []),
        Route("/health", Endpoint(health), methods=["GET"]),
        Route("/ready", Endpoint(ready), methods=["GET"]),
        Route("/openapi.json", Endpoint(openapi), methods=["GET"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await identity.ensure_ready()
        except Unavailable:
            log.warning("the database is unreachable; serving 503s until it answers")
        jobs.start()
        try:
            yield
        finally:
            await jobs.stop()
            await feed.close()
            await flows.close()
            await emails.close()
            await recordings.settle()
            await webhooks.close()
            await limiter.close()
            await db.close()

    app = VoipbinApp(routes=routes, lifespan=lifespan)
    app.limiter = limiter
    app.limits = InputLimits(settings.max_body_bytes, settings.max_json_depth)
    app.state.voipbin = state
    return app


__all__ = ["ApiError", "AppState", "create_app"]
