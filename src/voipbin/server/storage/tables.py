"""The schema: one table per resource, named ``<domain>_<plural>``.

Ids are ``uuid`` on PostgreSQL and text on SQLite; timestamps are ``timestamptz`` on
PostgreSQL and canonical ``YYYY-MM-DD HH:MM:SS.ffffff`` text on SQLite (which sorts as time
does). An unset timestamp is NULL; on the wire it is the sentinel. Every resource table has a
unique ``tm_create`` (that is what makes page tokens exact) and an index on
``(customer_id, tm_create)`` for keyset listing.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

import sqlalchemy as sa

from voipbin.common.ids import EMPTY_UUID_TEXT

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ColumnKind = Literal["id", "timestamp", "json", "bool", "plain"]

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(26), "sqlite")
_JSON = sa.JSON().with_variant(sa.Text(), "sqlite")


def kind_of(column: sa.Column[Any]) -> ColumnKind:
    """How a column travels between the wire and the driver."""
    kind: ColumnKind = column.info.get("kind", "plain")
    return kind


def id_column(
    name: str, *, primary_key: bool = False, nullable: bool = False, default: str | None = None
) -> sa.Column[Any]:
    return sa.Column(
        name,
        _ID,
        primary_key=primary_key,
        nullable=nullable,
        server_default=default,
        info={"kind": "id"},
    )


def json_column(name: str, *, default: str) -> sa.Column[Any]:
    return sa.Column(
        name, _JSON, nullable=False, server_default=sa.text(f"'{default}'"), info={"kind": "json"}
    )


def timestamp_column(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, _TIMESTAMP, nullable=nullable, info={"kind": "timestamp"})


def new_webhook_secret() -> str:
    """A customer's webhook signing secret: ``whsec_`` and 256 random bits."""
    return "whsec_" + secrets.token_urlsafe(32)


def secret_column(name: str) -> sa.Column[Any]:
    """A secret the storage layer makes for every new row (whoever inserts it): the
    repository fills a column whose ``info`` names a ``generate`` function."""
    return sa.Column(
        name, sa.Text(), nullable=False, server_default="", info={"generate": new_webhook_secret}
    )


def text_column(name: str, *, default: str = "") -> sa.Column[Any]:
    return sa.Column(name, sa.Text(), nullable=False, server_default=default)


def resource_table(name: str, *columns: sa.Column[Any], customer_scoped: bool = True) -> sa.Table:
    """A resource table: ``id``, ``customer_id``, the given columns, then the ``tm_*`` times."""
    table = sa.Table(
        name,
        metadata,
        id_column("id", primary_key=True),
        *([id_column("customer_id")] if customer_scoped else []),
        *columns,
        timestamp_column("tm_create", nullable=False),
        timestamp_column("tm_update", nullable=False),
        timestamp_column("tm_delete"),
    )
    sa.Index(f"uq_{name}_tm_create", table.c.tm_create, unique=True)
    if customer_scoped:
        sa.Index(None, table.c.customer_id, table.c.tm_create)
    return table


# Key-value settings the server keeps for itself (the generated JWT secret).
system_settings = sa.Table(
    "system_settings",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)

customer_customers = resource_table(
    "customer_customers",
    text_column("name"),
    text_column("detail"),
    text_column("email"),
    text_column("phone_number"),
    text_column("address"),
    text_column("webhook_method"),
    text_column("webhook_uri"),
    id_column("billing_account_id", default=EMPTY_UUID_TEXT),
    json_column("metadata", default='{"rtp_debug": false}'),
    secret_column("webhook_secret"),
    text_column("webhook_secret_previous"),
    timestamp_column("tm_webhook_secret_rotate"),
    sa.Column(
        "email_verified",
        sa.Boolean(),
        nullable=False,
        server_default=sa.false(),
        info={"kind": "bool"},
    ),
    text_column("identity_verification_status", default="none"),
    text_column("status", default="active"),
    customer_scoped=False,
)

agent_agents = resource_table(
    "agent_agents",
    text_column("username"),
    text_column("password_hash"),
    text_column("name"),
    text_column("detail"),
    text_column("ring_method", default="ringall"),
    text_column("status", default="offline"),
    sa.Column("permission", sa.Integer(), nullable=False, server_default="0"),
    json_column("tag_ids", default="[]"),
    json_column("addresses", default="[]"),
    # Which of the agent's login tokens are good: 0 until the password first changes, then
    # the microsecond time of the latest change. A token carries the value it was issued
    # under; any other value means the password changed since, and the token is refused.
    sa.Column("token_generation", sa.BigInteger(), nullable=False, server_default="0"),
    # When the agent last became ``available``: a queue's ``longest_idle`` routing rings the
    # agent available the longest first (never set: as long as can be).
    timestamp_column("tm_available"),
)
# Usernames are unique among live agents; deletion frees them.
sa.Index(
    "uq_agent_agents_username",
    agent_agents.c.username,
    unique=True,
    postgresql_where=agent_agents.c.tm_delete.is_(None),
    sqlite_where=agent_agents.c.tm_delete.is_(None),
)

tag_tags = resource_table(
    "tag_tags",
    text_column("name"),
    text_column("detail"),
)

# A flow's actions are one JSON list, stored as the catalogue normalised them (every option
# shown, ids given): the flow engine snapshots the list whole when a flow starts.
flow_flows = resource_table(
    "flow_flows",
    text_column("type", default="flow"),
    text_column("name"),
    text_column("detail"),
    json_column("actions", default="[]"),
    id_column("on_complete_flow_id", default=EMPTY_UUID_TEXT),
)

# An activeflow: the public fields a customer reads, then the flow engine's execution state
# (``runtime/flows/state.py``, JSON) and ``version``, the number of steps applied: each step
# is one UPDATE conditional on the version it read, so two processes never apply two steps
# to the same state.
activeflow_activeflows = resource_table(
    "activeflow_activeflows",
    id_column("flow_id", default=EMPTY_UUID_TEXT),
    text_column("status", default="running"),
    text_column("reference_type"),
    id_column("reference_id", default=EMPTY_UUID_TEXT),
    id_column("reference_activeflow_id", default=EMPTY_UUID_TEXT),
    id_column("on_complete_flow_id", default=EMPTY_UUID_TEXT),
    text_column("webhook_uri"),
    text_column("webhook_method"),
    json_column("current_action", default="{}"),
    id_column("forward_action_id", default=EMPTY_UUID_TEXT),
    json_column("executed_actions", default="[]"),
    json_column("state", default="{}"),
    sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
)

customer_accesskeys = resource_table(
    "customer_accesskeys",
    text_column("name"),
    text_column("detail"),
    # SHA-256 of the token, hex; the token itself is never stored.
    sa.Column("token_hash", sa.String(64), nullable=False),
    text_column("token_prefix"),
    timestamp_column("tm_expire"),
)
sa.Index("uq_customer_accesskeys_token_hash", customer_accesskeys.c.token_hash, unique=True)

number_numbers = resource_table(
    "number_numbers",
    text_column("number"),
    text_column("type", default="normal"),
    id_column("call_flow_id", default=EMPTY_UUID_TEXT),
    id_column("message_flow_id", default=EMPTY_UUID_TEXT),
    text_column("name"),
    text_column("detail"),
    text_column("status", default="active"),
    sa.Column(
        "t38_enabled",
        sa.Boolean(),
        nullable=False,
        server_default=sa.false(),
        info={"kind": "bool"},
    ),
    sa.Column(
        "emergency_enabled",
        sa.Boolean(),
        nullable=False,
        server_default=sa.false(),
        info={"kind": "bool"},
    ),
    # Written whole at purchase (see resources/numbers.py): the default only fills old rows.
    json_column("metadata", default="{}"),
    timestamp_column("tm_purchase"),
    timestamp_column("tm_renew"),
)
# A live number belongs to one customer at a time, across all customers; release frees it.
sa.Index(
    "uq_number_numbers_number",
    number_numbers.c.number,
    unique=True,
    postgresql_where=number_numbers.c.tm_delete.is_(None),
    sqlite_where=number_numbers.c.tm_delete.is_(None),
)
sa.Index(None, number_numbers.c.customer_id, number_numbers.c.call_flow_id)

# Responses to POSTs sent with an Idempotency-Key, kept 24 hours per credential (the agent of a
# login token, or the access key) and key. ``claim`` names the request holding the key, so
# only it completes or releases it; the fingerprint is keyed and the body sealed (see
# storage/idempotency.py), so a row alone reveals neither the request nor the response.
idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    id_column("credential_id"),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("claim", sa.String(32), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("response_status", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("response_headers", sa.Text(), nullable=False, server_default=""),
    sa.Column("sealed_body", sa.Text(), nullable=False, server_default=""),
    timestamp_column("tm_create", nullable=False),
    timestamp_column("tm_expire", nullable=False),
    sa.PrimaryKeyConstraint("credential_id", "key"),
)
sa.Index(None, idempotency_keys.c.tm_expire)

# Carriers' SIP endpoints: the project's, so no customer_id.
route_providers = resource_table(
    "route_providers",
    text_column("type", default="sip"),
    text_column("hostname"),
    text_column("tech_prefix"),
    text_column("tech_postfix"),
    json_column("tech_headers", default="{}"),
    text_column("codecs"),
    text_column("name"),
    text_column("detail"),
    customer_scoped=False,
)

route_routes = resource_table(
    "route_routes",
    text_column("name"),
    text_column("detail"),
    id_column("provider_id"),
    sa.Column("priority", sa.Integer(), nullable=False, server_default="0"),
    text_column("target"),
)
# A call's routes: those of its customer (and of the defaults' one) for its target.
sa.Index(None, route_routes.c.customer_id, route_routes.c.target)


# SIP passwords are stored as digest HA1s for their realm, never in plaintext (see
# server/auth/sip_digest.py); "" when there is none.
def _digest_columns() -> tuple[sa.Column[Any], ...]:
    return (
        text_column("digest_realm"),
        text_column("digest_ha1_md5"),
        text_column("digest_ha1_sha256"),
    )


registrar_extensions = resource_table(
    "registrar_extensions",
    text_column("extension"),
    text_column("name"),
    text_column("detail"),
    text_column("domain_name"),
    text_column("username"),
    *_digest_columns(),
)
# An extension number is unique among a customer's live extensions; deletion frees it.
sa.Index(
    "uq_registrar_extensions_customer_id_extension",
    registrar_extensions.c.customer_id,
    registrar_extensions.c.extension,
    unique=True,
    postgresql_where=registrar_extensions.c.tm_delete.is_(None),
    sqlite_where=registrar_extensions.c.tm_delete.is_(None),
)

registrar_trunks = resource_table(
    "registrar_trunks",
    text_column("name"),
    text_column("detail"),
    text_column("domain_name"),
    json_column("auth_types", default="[]"),
    text_column("username"),
    json_column("allowed_ips", default="[]"),
    *_digest_columns(),
)
# A trunk's domain name is unique among all customers' live trunks; deletion frees it.
sa.Index(
    "uq_registrar_trunks_domain_name",
    registrar_trunks.c.domain_name,
    unique=True,
    postgresql_where=registrar_trunks.c.tm_delete.is_(None),
    sqlite_where=registrar_trunks.c.tm_delete.is_(None),
)

# A customer's outbound config: one live row per customer, made with it (see
# resources/outbound_configs.py). The whitelist is a JSON list of upper-case alpha-2 codes.
call_outbound_configs = resource_table(
    "call_outbound_configs",
    text_column("name"),
    text_column("detail"),
    json_column("destination_whitelist", default="[]"),
    text_column("codecs"),
    id_column("default_outgoing_source_number_id", default=EMPTY_UUID_TEXT),
)
sa.Index(
    "uq_call_outbound_configs_customer_id",
    call_outbound_configs.c.customer_id,
    unique=True,
    postgresql_where=call_outbound_configs.c.tm_delete.is_(None),
    sqlite_where=call_outbound_configs.c.tm_delete.is_(None),
)


def money_column(name: str) -> sa.Column[Any]:
    """Micro-dollars or tokens: an exact 64-bit integer, never a float."""
    return sa.Column(name, sa.BigInteger(), nullable=False, server_default="0")


# A customer's billing account, made with it (see server/billing/): balances are changed only
# by single conditional UPDATEs, each with its ledger row in the same transaction.
billing_accounts = resource_table(
    "billing_accounts",
    text_column("name"),
    text_column("detail"),
    text_column("plan_type", default="free"),
    text_column("plan_status", default="active"),
    money_column("balance_credit"),
    money_column("balance_token"),
    text_column("payment_type"),
    text_column("payment_method"),
    text_column("status", default="active"),
    timestamp_column("tm_last_topup"),
    timestamp_column("tm_next_topup"),
)

# The ledger: rows are only ever inserted. One row per (reference_type, reference_id): a
# usage charged twice (a hangup seen again after a restart) is charged once.
billing_billings = resource_table(
    "billing_billings",
    id_column("account_id"),
    text_column("transaction_type"),
    text_column("status", default="end"),
    text_column("reference_type"),
    id_column("reference_id", default=EMPTY_UUID_TEXT),
    text_column("cost_type"),
    sa.Column("usage_duration", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("billable_units", sa.Integer(), nullable=False, server_default="0"),
    money_column("rate_token_per_unit"),
    money_column("rate_credit_per_unit"),
    money_column("amount_token"),
    money_column("amount_credit"),
    money_column("balance_token_snapshot"),
    money_column("balance_credit_snapshot"),
    id_column("idempotency_key", default=EMPTY_UUID_TEXT),
    timestamp_column("tm_billing_start"),
    timestamp_column("tm_billing_end"),
)
sa.Index(
    "uq_billing_billings_reference_type_reference_id",
    billing_billings.c.reference_type,
    billing_billings.c.reference_id,
    unique=True,
)
sa.Index(None, billing_billings.c.account_id, billing_billings.c.tm_create)

# The event outbox: one row per event, written in the transaction of the state change it
# reports (server/runtime/events/). Rows are only ever inserted; ``data`` is the resource's
# wire form as it was. Delivery (webhooks, websockets) keeps its own state in tables of its
# own, keyed by the event's id, so this table stays append-only. Read by the timeline:
# a resource's events newest first, hence the index on (resource, resource_id, tm_create).
event_outbox = sa.Table(
    "event_outbox",
    metadata,
    id_column("id", primary_key=True),
    id_column("customer_id"),
    text_column("type"),
    text_column("resource"),
    id_column("resource_id"),
    json_column("data", default="{}"),
    timestamp_column("tm_create", nullable=False),
)
sa.Index("uq_event_outbox_tm_create", event_outbox.c.tm_create, unique=True)
sa.Index(None, event_outbox.c.resource, event_outbox.c.resource_id, event_outbox.c.tm_create)
# The runtime's durable timers (server/runtime/jobs.py): one row per pending step (a dial
# timeout, the end of a talk, a retry), run once by whichever process claims it. The integer
# ``id`` is the submission order, which breaks ties between jobs due at the same time; a
# claimed job carries its claim's id and lease, and another process may take it once the
# lease has run out.
runtime_jobs = sa.Table(
    "runtime_jobs",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("kind", sa.String(64), nullable=False),
    id_column("resource_id"),
    # Jobs of one lane run one at a time (a call and its activeflow); empty: the resource's.
    id_column("lane", nullable=True),
    timestamp_column("due", nullable=False),
    sa.Column("payload", sa.Text(), nullable=False, server_default="{}"),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    id_column("claim_id", nullable=True),
    timestamp_column("lease_until"),
    text_column("last_error"),
    timestamp_column("tm_create", nullable=False),
)
sa.Index(None, runtime_jobs.c.due, runtime_jobs.c.id)
sa.Index(None, runtime_jobs.c.kind, runtime_jobs.c.resource_id)
# The simulated network's scripts, shared by every server instance (docs/simulator.md): rules
# by destination, applied latest first, and the registered devices of extensions. ``script``
# and ``devices`` are JSON text (voipbin.models.simulator.Script, a list of them).
sim_rules = sa.Table(
    "sim_rules",
    metadata,
    id_column("id", primary_key=True),
    text_column("type"),
    text_column("pattern"),
    sa.Column("script", sa.Text(), nullable=False),
    timestamp_column("tm_create", nullable=False),
)
sa.Index(None, sim_rules.c.tm_create)

sim_devices = sa.Table(
    "sim_devices",
    metadata,
    id_column("extension_id", primary_key=True),
    sa.Column("devices", sa.Text(), nullable=False),
    timestamp_column("tm_update", nullable=False),
)

# Calls (server/runtime/calls/): the model's fields, then what only the runtime reads: the
# network leg the call is on now (a new one per route tried, so events of an earlier leg
# are recognised and dropped), the routes chosen at creation and which of them is in use.
call_calls = resource_table(
    "call_calls",
    text_column("owner_type"),
    id_column("owner_id", default=EMPTY_UUID_TEXT),
    id_column("flow_id", default=EMPTY_UUID_TEXT),
    id_column("activeflow_id", default=EMPTY_UUID_TEXT),
    text_column("type", default="flow"),
    id_column("master_call_id", default=EMPTY_UUID_TEXT),
    json_column("chained_call_ids", default="[]"),
    id_column("recording_id", default=EMPTY_UUID_TEXT),
    json_column("recording_ids", default="[]"),
    id_column("groupcall_id", default=EMPTY_UUID_TEXT),
    json_column("source", default="{}"),
    json_column("destination", default="{}"),
    text_column("status", default="dialing"),
    json_column("action", default="null"),
    text_column("direction", default="outgoing"),
    text_column("mute_direction"),
    text_column("hangup_by"),
    text_column("hangup_reason"),
    json_column("metadata", default='{"rtp_debug": false}'),
    timestamp_column("tm_progressing"),
    timestamp_column("tm_ringing"),
    timestamp_column("tm_hangup"),
    id_column("leg_id", default=EMPTY_UUID_TEXT),
    json_column("routes", default="[]"),
    sa.Column("route_index", sa.Integer(), nullable=False, server_default="0"),
)
sa.Index(None, call_calls.c.flow_id)

# Groupcalls (server/runtime/groupcalls/): the model's fields, then what only the runtime
# reads: how each destination is dialled (its placement, or the nested groupcall an agent or
# extension makes), fixed at creation, and the legs still alive (a leg's end counts once).
call_groupcalls = resource_table(
    "call_groupcalls",
    text_column("owner_type"),
    id_column("owner_id", default=EMPTY_UUID_TEXT),
    text_column("status", default="progressing"),
    id_column("flow_id", default=EMPTY_UUID_TEXT),
    json_column("source", default="{}"),
    json_column("destinations", default="[]"),
    id_column("master_call_id", default=EMPTY_UUID_TEXT),
    id_column("master_groupcall_id", default=EMPTY_UUID_TEXT),
    text_column("ring_method", default="ring_all"),
    text_column("answer_method", default="hangup_others"),
    id_column("answer_call_id", default=EMPTY_UUID_TEXT),
    json_column("call_ids", default="[]"),
    id_column("answer_groupcall_id", default=EMPTY_UUID_TEXT),
    json_column("groupcall_ids", default="[]"),
    sa.Column("call_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("groupcall_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("dial_index", sa.Integer(), nullable=False, server_default="0"),
    json_column("plans", default="[]"),
    json_column("live_ids", default="[]"),
)

email_emails = resource_table(
    "email_emails",
    json_column("source", default="{}"),
    json_column("destinations", default="[]"),
    text_column("status", default="initiated"),
    text_column("subject"),
    text_column("content"),
    json_column("attachments", default="[]"),
)

#: The simulator's local outbox: each email the local transport delivered (``GET /_sim/emails``).
sim_emails = resource_table(
    "sim_emails",
    id_column("email_id"),
    text_column("sender"),
    json_column("recipients", default="[]"),
    text_column("subject"),
    text_column("content"),
    json_column("attachments", default="[]"),
)
# Messages (server/runtime/messages/): the model's fields, then what only the runtime and the
# list's ``status`` filter read: the targets' statuses (a JSON list, in target order) and the
# count of writes (each write is conditional on it: targets move one by one).
message_messages = resource_table(
    "message_messages",
    text_column("type", default="sms"),
    json_column("source", default="{}"),
    json_column("targets", default="[]"),
    text_column("text"),
    text_column("direction", default="outbound"),
    json_column("statuses", default="[]"),
    sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
)

# The simulated network's SMS rules: what happens to a message sent to a matching number.
sim_message_rules = sa.Table(
    "sim_message_rules",
    metadata,
    id_column("id", primary_key=True),
    text_column("pattern"),
    sa.Column("script", sa.Text(), nullable=False),
    timestamp_column("tm_create", nullable=False),
)
sa.Index(None, sim_message_rules.c.tm_create)
# Recordings (server/runtime/recordings/): the model's fields, then what only the runtime
# reads: the name its files are called by, the files, and what ends it.
call_recordings = resource_table(
    "call_recordings",
    text_column("owner_type"),
    id_column("owner_id", default=EMPTY_UUID_TEXT),
    id_column("activeflow_id", default=EMPTY_UUID_TEXT),
    text_column("reference_type", default="call"),
    id_column("reference_id", default=EMPTY_UUID_TEXT),
    text_column("status", default="initiating"),
    text_column("format", default="wav"),
    id_column("on_end_flow_id", default=EMPTY_UUID_TEXT),
    timestamp_column("tm_start"),
    timestamp_column("tm_end"),
    text_column("recording_name"),
    json_column("filenames", default="[]"),
    text_column("end_of_key"),
    sa.Column("duration", sa.Integer(), nullable=False, server_default="0"),
)
sa.Index(None, call_recordings.c.reference_id)
# Conferences (server/runtime/conferences/): the rooms, and their participants (one row per
# call that joined one), read by conference and by call. A conference's ``version`` counts
# its changes: each is one UPDATE conditional on the version read.
conference_conferences = resource_table(
    "conference_conferences",
    text_column("type", default="conference"),
    text_column("status", default="progressing"),
    text_column("name"),
    text_column("detail"),
    json_column("data", default="{}"),
    sa.Column("timeout", sa.Integer(), nullable=False, server_default="0"),
    id_column("pre_flow_id", default=EMPTY_UUID_TEXT),
    id_column("post_flow_id", default=EMPTY_UUID_TEXT),
    json_column("conferencecall_ids", default="[]"),
    id_column("recording_id", default=EMPTY_UUID_TEXT),
    json_column("recording_ids", default="[]"),
    id_column("transcribe_id", default=EMPTY_UUID_TEXT),
    json_column("transcribe_ids", default="[]"),
    timestamp_column("tm_end"),
    sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
)
conference_conferencecalls = resource_table(
    "conference_conferencecalls",
    id_column("activeflow_id", default=EMPTY_UUID_TEXT),
    id_column("conference_id", default=EMPTY_UUID_TEXT),
    text_column("reference_type", default="call"),
    id_column("reference_id", default=EMPTY_UUID_TEXT),
    text_column("status", default="joining"),
)
sa.Index(None, conference_conferencecalls.c.conference_id)
sa.Index(None, conference_conferencecalls.c.reference_id)
# Webhook deliveries (server/runtime/webhooks/): one row per event and target (the customer's
# webhook, an activeflow's, a ``webhook_send`` action), with its attempts. What only the
# runtime reads: the lane (one per target URI and resource: a lane's deliveries go out one at
# a time, oldest first), the exact body and content type sent on every attempt, and the
# activeflow step waiting for the first attempt's outcome (``webhook_send`` with ``sync``).
webhook_deliveries = resource_table(
    "webhook_deliveries",
    id_column("event_id", default=EMPTY_UUID_TEXT),
    text_column("event_type"),
    text_column("reference_type"),
    id_column("reference_id", default=EMPTY_UUID_TEXT),
    text_column("target"),
    id_column("activeflow_id", default=EMPTY_UUID_TEXT),
    text_column("uri"),
    text_column("method"),
    text_column("status", default="pending"),
    json_column("attempts", default="[]"),
    sa.Column("attempt_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_status_code", sa.Integer(), nullable=False, server_default="0"),
    text_column("last_error"),
    timestamp_column("tm_next_attempt"),
    id_column("lane", default=EMPTY_UUID_TEXT),
    sa.Column("round_start", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("body", sa.Text(), nullable=False, server_default=""),
    text_column("content_type"),
    sa.Column("flow_token", sa.Integer(), nullable=False, server_default="0"),
)
sa.Index(None, webhook_deliveries.c.lane, webhook_deliveries.c.tm_create)

# Contacts (server/resources/contacts/). ``addresses`` is the contact's addresses as its GET
# shows them, rewritten in the transaction of every change to them; each address is also a
# row of ``contact_addresses``, which holds the rules: ``target_key`` is the normalised
# target (the E.164 number, the email lowercased), unique among a customer's live addresses
# (lookup is one read of that index), and at most one live address per contact and type is
# primary. A contact's deletion deletes its addresses' rows, freeing their targets.
contact_contacts = resource_table(
    "contact_contacts",
    text_column("first_name"),
    text_column("last_name"),
    text_column("display_name"),
    text_column("company"),
    text_column("job_title"),
    text_column("source", default="manual"),
    text_column("external_id"),
    text_column("notes"),
    json_column("addresses", default="[]"),
    json_column("tag_ids", default="[]"),
)
contact_addresses = resource_table(
    "contact_addresses",
    id_column("contact_id", default=EMPTY_UUID_TEXT),
    text_column("type"),
    text_column("target"),
    text_column("target_key"),
    text_column("target_name"),
    text_column("name"),
    text_column("detail"),
    sa.Column(
        "is_primary", sa.Boolean(), nullable=False, server_default=sa.false(), info={"kind": "bool"}
    ),
)
sa.Index(
    "uq_contact_addresses_customer_id_target_key",
    contact_addresses.c.customer_id,
    contact_addresses.c.target_key,
    unique=True,
    postgresql_where=contact_addresses.c.tm_delete.is_(None),
    sqlite_where=contact_addresses.c.tm_delete.is_(None),
)
sa.Index(
    "uq_contact_addresses_contact_id_type",
    contact_addresses.c.contact_id,
    contact_addresses.c.type,
    unique=True,
    postgresql_where=sa.and_(
        contact_addresses.c.is_primary, contact_addresses.c.tm_delete.is_(None)
    ),
    sqlite_where=sa.and_(contact_addresses.c.is_primary, contact_addresses.c.tm_delete.is_(None)),
)
sa.Index(None, contact_addresses.c.contact_id, contact_addresses.c.tm_create)
# Queues (server/runtime/queues/): the model's fields, then what only the runtime reads: the
# count of its writes (each is conditional on it: the lists and counters move one by one).
queue_queues = resource_table(
    "queue_queues",
    text_column("name"),
    text_column("detail"),
    text_column("routing_method", default="random"),
    json_column("tag_ids", default="[]"),
    id_column("wait_flow_id", default=EMPTY_UUID_TEXT),
    sa.Column("wait_timeout", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("service_timeout", sa.Integer(), nullable=False, server_default="0"),
    json_column("wait_queuecall_ids", default="[]"),
    json_column("service_queuecall_ids", default="[]"),
    sa.Column("total_incoming_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("total_serviced_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("total_abandoned_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
)
# Queuecalls: the model's fields (``position`` is worked out when read, 0 stored).
queue_queuecalls = resource_table(
    "queue_queuecalls",
    id_column("queue_id", default=EMPTY_UUID_TEXT),
    text_column("reference_type", default="call"),
    id_column("reference_id", default=EMPTY_UUID_TEXT),
    id_column("reference_activeflow_id", default=EMPTY_UUID_TEXT),
    text_column("status", default="initiating"),
    json_column("source", default="{}"),
    text_column("routing_method", default="random"),
    json_column("tag_ids", default="[]"),
    sa.Column("timeout_wait", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("timeout_service", sa.Integer(), nullable=False, server_default="0"),
    id_column("service_agent_id", default=EMPTY_UUID_TEXT),
    id_column("service_groupcall_id", default=EMPTY_UUID_TEXT),
    id_column("service_call_id", default=EMPTY_UUID_TEXT),
    sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("duration_waiting", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("duration_service", sa.Integer(), nullable=False, server_default="0"),
    timestamp_column("tm_service"),
    timestamp_column("tm_end"),
)
sa.Index(None, queue_queuecalls.c.reference_id)
sa.Index(None, queue_queuecalls.c.service_groupcall_id)
sa.Index(None, queue_queuecalls.c.queue_id, queue_queuecalls.c.status, queue_queuecalls.c.tm_create)
# Outbound campaigns (server/resources/outplans.py, outdials.py, server/outdial_targets.py).
# An outdial's targets are rows of their own table: a dialer reads "the next idle targets of
# an outdial that are due" through ``(outdial_id, status, tm_create)``, and moves each target
# by conditional UPDATEs of ``status``, ``try_count_*``, ``result`` and ``tm_next_try`` (when
# it may be dialled again; NULL, the sentinel, when never).
_EMPTY_ADDRESS = '{"type":"","target":"","target_name":"","name":"","detail":""}'
campaign_outplans = resource_table(
    "campaign_outplans",
    text_column("name"),
    text_column("detail"),
    json_column("source", default=_EMPTY_ADDRESS),
    sa.Column("dial_timeout", sa.Integer(), nullable=False, server_default="30000"),
    sa.Column("try_interval", sa.Integer(), nullable=False, server_default="60000"),
    *(
        sa.Column(f"max_try_count_{i}", sa.Integer(), nullable=False, server_default="0")
        for i in range(5)
    ),
)
outdial_outdials = resource_table(
    "outdial_outdials",
    id_column("campaign_id", default=EMPTY_UUID_TEXT),
    text_column("name"),
    text_column("detail"),
    text_column("data"),
)
outdial_targets = resource_table(
    "outdial_targets",
    id_column("outdial_id", default=EMPTY_UUID_TEXT),
    text_column("name"),
    text_column("detail"),
    text_column("data"),
    text_column("status", default="idle"),
    *(json_column(f"destination_{i}", default=_EMPTY_ADDRESS) for i in range(5)),
    *(
        sa.Column(f"try_count_{i}", sa.Integer(), nullable=False, server_default="0")
        for i in range(5)
    ),
    text_column("result"),
    timestamp_column("tm_next_try"),
)
sa.Index(None, outdial_targets.c.outdial_id, outdial_targets.c.tm_create)
sa.Index(None, outdial_targets.c.outdial_id, outdial_targets.c.status, outdial_targets.c.tm_create)
# Campaigns (server/runtime/campaigns/): the model's fields, then what only the runtime reads.
campaign_campaigns = resource_table(
    "campaign_campaigns",
    text_column("type", default="call"),
    text_column("name"),
    text_column("detail"),
    text_column("status", default="stop"),
    sa.Column("service_level", sa.Integer(), nullable=False, server_default="100"),
    text_column("end_handle", default="stop"),
    json_column("actions", default="[]"),
    id_column("outplan_id", default=EMPTY_UUID_TEXT),
    id_column("outdial_id", default=EMPTY_UUID_TEXT),
    id_column("queue_id", default=EMPTY_UUID_TEXT),
    id_column("next_campaign_id", default=EMPTY_UUID_TEXT),
    text_column("stop_reason"),
)
# Campaigncalls: one per dial; the runtime finds the one of a call by ``reference_id``.
campaign_campaigncalls = resource_table(
    "campaign_campaigncalls",
    id_column("campaign_id", default=EMPTY_UUID_TEXT),
    id_column("outplan_id", default=EMPTY_UUID_TEXT),
    id_column("outdial_id", default=EMPTY_UUID_TEXT),
    id_column("outdial_target_id", default=EMPTY_UUID_TEXT),
    id_column("queue_id", default=EMPTY_UUID_TEXT),
    id_column("activeflow_id", default=EMPTY_UUID_TEXT),
    id_column("flow_id", default=EMPTY_UUID_TEXT),
    text_column("reference_type", default="call"),
    id_column("reference_id", default=EMPTY_UUID_TEXT),
    text_column("status", default="dialing"),
    text_column("result"),
    json_column("source", default="{}"),
    json_column("destination", default="{}"),
    sa.Column("destination_index", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("try_count", sa.Integer(), nullable=False, server_default="0"),
)
sa.Index(None, campaign_campaigncalls.c.reference_id)
sa.Index(None, campaign_campaigncalls.c.campaign_id, campaign_campaigncalls.c.status)
# A campaign's campaigncalls, newest first (GET /v1.0/campaigns/{id}/campaigncalls).
sa.Index(None, campaign_campaigncalls.c.campaign_id, campaign_campaigncalls.c.tm_create)
