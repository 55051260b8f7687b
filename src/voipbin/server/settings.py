"""Server settings: one object, built once from ``VOIPBIN_*`` variables and flags, passed in."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_DATABASE_URL = "sqlite:///./voipbin.db"
DEFAULT_WEBHOOK_RETRY_SCHEDULE = "1,10,60,300,1800,7200"
# Dot-separated DNS labels (the SIP domain extensions and trunks live under).
_DNS_NAME = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*", re.ASCII)


@dataclass(frozen=True)
class Setting:
    """Documentation of one setting (the README table is checked against these)."""

    env: str
    default: str
    description: str


@dataclass(frozen=True, kw_only=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    database_timeout: float = 5.0
    jwt_secret: str = ""
    jwt_ttl_seconds: int = 7 * 24 * 3600
    bootstrap_username: str = "admin@localhost"
    bootstrap_password: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    auto_migrate: bool = True
    auth_cache_seconds: float = 2.0
    password_hash_concurrency: int = 2
    signup: str = "closed"
    redis_url: str = ""
    trusted_proxies: tuple[str, ...] = ()
    ratelimit_auth_rate: float = 10.0
    ratelimit_auth_burst: int = 20
    ratelimit_ip_rate: float = 200.0
    ratelimit_ip_burst: int = 400
    ratelimit_customer_rate: float = 16.7
    ratelimit_customer_burst: int = 33
    log_level: str = "info"
    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    sip_domain: str = "sip.localhost"
    billing_prices: str = ""
    clock: str = "real"
    jobs_poll_seconds: float = 0.5
    jobs_lease_seconds: float = 30.0
    jobs_concurrency: int = 4
    smtp_url: str = ""
    data_dir: str = "./voipbin-data"
    recordingfile_link_seconds: int = 3600
    webhook_allow_private: bool = False
    webhook_retry_schedule: str = DEFAULT_WEBHOOK_RETRY_SCHEDULE
    webhook_timeout_seconds: float = 10.0
    webhook_secret_overlap_seconds: float = 24 * 3600.0
    events_poll_seconds: float = 1.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> Settings:
        """Settings from ``VOIPBIN_*`` variables; ``overrides`` (flags) win when not ``None``."""
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f"VOIPBIN_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def __post_init__(self) -> None:
        if self.signup not in ("open", "closed"):
            raise ValueError(f"VOIPBIN_SIGNUP: {self.signup!r} is neither open nor closed")
        if self.password_hash_concurrency < 1:
            raise ValueError("VOIPBIN_PASSWORD_HASH_CONCURRENCY: must be 1 or more")
        from voipbin.server.ratelimit.client_ip import parse_networks

        try:
            parse_networks(self.trusted_proxies)
        except ValueError as exc:
            raise ValueError(f"VOIPBIN_TRUSTED_PROXIES: {exc}") from None
        for name in ("max_body_bytes", "max_json_depth"):
            if getattr(self, name) < 1:
                raise ValueError(f"VOIPBIN_{name.upper()}: must be at least 1")
        from voipbin.server.billing.prices import rates

        rates(self.billing_prices)  # a ValueError naming what is wrong
        if not _DNS_NAME.fullmatch(self.sip_domain):
            raise ValueError(f"VOIPBIN_SIP_DOMAIN: {self.sip_domain!r} is not a DNS name")
        if self.clock not in ("real", "virtual"):
            raise ValueError(f"VOIPBIN_CLOCK: {self.clock!r} is neither real nor virtual")
        if self.clock == "virtual" and self.workers != 1:
            # Each process would keep a virtual time of its own.
            raise ValueError("VOIPBIN_CLOCK: a virtual clock runs in one server process only")
        if not self.data_dir:
            raise ValueError("VOIPBIN_DATA_DIR: must name a directory")
        if self.recordingfile_link_seconds < 1:
            raise ValueError("VOIPBIN_RECORDINGFILE_LINK_SECONDS: must be at least 1")
        for name in ("jobs_poll_seconds", "jobs_lease_seconds", "events_poll_seconds"):
            value = getattr(self, name)
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"VOIPBIN_{name.upper()}: must be a number of seconds above 0")
        if self.jobs_concurrency < 1:
            raise ValueError("VOIPBIN_JOBS_CONCURRENCY: must be 1 or more")
        if self.smtp_url:
            from voipbin.server.runtime.emails.smtp import parse_smtp_url

            try:
                parse_smtp_url(self.smtp_url)
            except ValueError as exc:
                raise ValueError(f"VOIPBIN_SMTP_URL: {exc}") from None
        if not math.isfinite(self.webhook_timeout_seconds) or self.webhook_timeout_seconds <= 0:
            raise ValueError("VOIPBIN_WEBHOOK_TIMEOUT_SECONDS: must be a number of seconds above 0")
        overlap = self.webhook_secret_overlap_seconds
        if not math.isfinite(overlap) or overlap < 0:
            raise ValueError("VOIPBIN_WEBHOOK_SECRET_OVERLAP_SECONDS: must be 0 or more seconds")
        retry_schedule(self.webhook_retry_schedule)  # a ValueError naming what is wrong
        for layer in ("auth", "ip", "customer"):
            rate = getattr(self, f"ratelimit_{layer}_rate")
            burst = getattr(self, f"ratelimit_{layer}_burst")
            # An infinite rate is an interval of 0 (a division by zero on every request).
            if not math.isfinite(rate) or rate < 0 or (rate > 0 and burst < 1):
                raise ValueError(
                    f"VOIPBIN_RATELIMIT_{layer.upper()}: the rate must be a number, 0 (off) "
                    "or more, and the burst at least 1"
                )


def retry_schedule(text: str) -> tuple[float, ...]:
    """The waits (seconds) before each retry of a webhook delivery, from
    ``VOIPBIN_WEBHOOK_RETRY_SCHEDULE`` (comma-separated; empty: never retried)."""
    waits: list[float] = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            wait = float(part)
        except ValueError:
            wait = math.nan
        if not math.isfinite(wait) or wait < 0:
            raise ValueError(
                f"VOIPBIN_WEBHOOK_RETRY_SCHEDULE: {part.strip()!r} is not a number of seconds"
            )
        waits.append(wait)
    return tuple(waits)


def _convert(name: str, kind: Any, raw: str) -> Any:
    kind = str(kind)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            lowered = raw.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return lowered in ("1", "true", "yes", "on")
        if kind.startswith("tuple"):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"VOIPBIN_{name.upper()}: cannot read {raw!r} as {kind}") from None
    return raw


SETTINGS_DOC: tuple[Setting, ...] = (
    Setting(
        "VOIPBIN_DATABASE_URL",
        DEFAULT_DATABASE_URL,
        "Database: `sqlite:///path` (embedded) or `postgresql://user@host:port/db`.",
    ),
    Setting(
        "VOIPBIN_DATABASE_TIMEOUT",
        "5.0",
        "Seconds a database call may take before the request answers 503.",
    ),
    Setting(
        "VOIPBIN_JWT_SECRET",
        "(generated)",
        "HS256 key for login tokens; generated once and kept in the database when unset.",
    ),
    Setting("VOIPBIN_JWT_TTL_SECONDS", "604800", "Lifetime of a login token (seven days)."),
    Setting(
        "VOIPBIN_BOOTSTRAP_USERNAME",
        "admin@localhost",
        "Username of the super-admin agent created on first start.",
    ),
    Setting("VOIPBIN_BOOTSTRAP_PASSWORD", "(random, printed once)", "Password of that agent."),
    Setting("VOIPBIN_HOST", "127.0.0.1", "Address `voipbin serve` listens on."),
    Setting("VOIPBIN_PORT", "8000", "Port `voipbin serve` listens on."),
    Setting("VOIPBIN_WORKERS", "1", "Server processes `voipbin serve` starts."),
    Setting(
        "VOIPBIN_AUTO_MIGRATE", "true", "Apply migrations at start when the database is empty."
    ),
    Setting(
        "VOIPBIN_AUTH_CACHE_SECONDS",
        "2.0",
        "How long an agent's permission is cached; a deletion or change applies after it.",
    ),
    Setting(
        "VOIPBIN_PASSWORD_HASH_CONCURRENCY",
        "2",
        "Password hashes (logins, password changes) run at once, off the event loop; "
        "best the number of cores.",
    ),
    Setting(
        "VOIPBIN_SIGNUP",
        "closed",
        "`open` serves POST /auth/signup (a customer, its admin and an access key).",
    ),
    Setting(
        "VOIPBIN_REDIS_URL",
        "(none)",
        "Redis for per-customer limits shared by every server process (in memory when "
        "unset), and for telling the other processes of new events (else NOTIFY).",
    ),
    Setting(
        "VOIPBIN_TRUSTED_PROXIES",
        "(none)",
        "Comma-separated proxy addresses or networks whose X-Forwarded-For is believed.",
    ),
    Setting("VOIPBIN_RATELIMIT_AUTH_RATE", "10", "Requests/s per client IP on /auth/* (0: off)."),
    Setting("VOIPBIN_RATELIMIT_AUTH_BURST", "20", "Burst per client IP on /auth/*."),
    Setting("VOIPBIN_RATELIMIT_IP_RATE", "200", "Requests/s per client IP elsewhere (0: off)."),
    Setting("VOIPBIN_RATELIMIT_IP_BURST", "400", "Burst per client IP elsewhere."),
    Setting(
        "VOIPBIN_RATELIMIT_CUSTOMER_RATE", "16.7", "Requests/s per customer (0: off; fractional)."
    ),
    Setting("VOIPBIN_RATELIMIT_CUSTOMER_BURST", "33", "Burst per customer."),
    Setting("VOIPBIN_LOG_LEVEL", "info", "Log level: debug, info, warning, error."),
    Setting(
        "VOIPBIN_MAX_BODY_BYTES",
        "1048576",
        "Largest request body accepted (1 MiB); a larger one is 413, cut off while read.",
    ),
    Setting(
        "VOIPBIN_MAX_JSON_DEPTH",
        "32",
        "Deepest nesting of arrays and objects a request body may have.",
    ),
    Setting(
        "VOIPBIN_SIP_DOMAIN",
        "sip.localhost",
        "SIP domain: an extension's domain is `<customer_id>.<this>`, a trunk's "
        "`<domain_name>.trunk.<this>`.",
    ),
    Setting(
        "VOIPBIN_BILLING_PRICES",
        "(upstream's)",
        'Rates to change, as JSON: `{"number": {"credit": 3000000}, "recording": {"token": 0}}` '
        "(micro-dollars and tokens per unit; see the README's price table).",
    ),
    Setting(
        "VOIPBIN_CLOCK",
        "real",
        "`virtual`: the server's clock stands still and moves only through "
        "`POST /_sim/clock/advance`, running every job due on the way (one process only).",
    ),
    Setting(
        "VOIPBIN_JOBS_POLL_SECONDS",
        "0.5",
        "How often the jobs worker looks for due jobs (it wakes sooner for its own).",
    ),
    Setting(
        "VOIPBIN_JOBS_LEASE_SECONDS",
        "30",
        "How long a claimed job is another process's to take only after: a process that "
        "dies mid-job loses nothing, another runs it once the lease runs out.",
    ),
    Setting(
        "VOIPBIN_JOBS_CONCURRENCY",
        "4",
        "How many jobs of different calls (lanes) a process runs at once on PostgreSQL; "
        "a call's and its flow's jobs run one at a time, in order. SQLite and the virtual "
        "clock run one job at a time.",
    ),
    Setting(
        "VOIPBIN_EVENTS_POLL_SECONDS",
        "1",
        "How often a process with websockets open reads the event outbox anyway (other "
        "processes tell it of their events at once, by Redis or NOTIFY).",
    ),
    Setting(
        "VOIPBIN_SMTP_URL",
        "(none: the local outbox)",
        "Where emails are sent: `smtp://user:pass@host:587?starttls=true&from=a@example.com` "
        "(`smtps://` for TLS from the start). Unset: they go to the simulator's local outbox, "
        "`GET /_sim/emails`.",
    ),
    Setting(
        "VOIPBIN_DATA_DIR",
        "./voipbin-data",
        "Where files are kept (recordings' WAVs, under `recordings/`). Several server "
        "processes or instances must share one directory (a mounted volume).",
    ),
    Setting(
        "VOIPBIN_RECORDINGFILE_LINK_SECONDS",
        "3600",
        "How long the signed link `GET /v1.0/recordingfiles/{id}` redirects to stays valid.",
    ),
    Setting(
        "VOIPBIN_WEBHOOK_ALLOW_PRIVATE",
        "false",
        "`true`: webhooks may go to private, loopback and link-local addresses (local "
        "development; `make run` sets it). Never in production: it opens the server to SSRF.",
    ),
    Setting(
        "VOIPBIN_WEBHOOK_RETRY_SCHEDULE",
        DEFAULT_WEBHOOK_RETRY_SCHEDULE,
        "Seconds before each retry of a failed webhook delivery (each plus up to 25% at "
        "random); after the last the delivery is dead (`failed`).",
    ),
    Setting(
        "VOIPBIN_WEBHOOK_TIMEOUT_SECONDS",
        "10",
        "How long one webhook attempt may take, redirects included.",
    ),
    Setting(
        "VOIPBIN_WEBHOOK_SECRET_OVERLAP_SECONDS",
        "86400",
        "How long after a rotation the previous webhook secret still signs deliveries too.",
    ),
)
