"""Typed settings read once from the environment.

Every knob of the service lives here, with its default; nothing else reads ``os.environ``.
Variables are ``DATABASE_URL`` and ``SPORTELLO_<FIELD NAME IN UPPER CASE>``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args, get_type_hints
from urllib.parse import urlsplit

from sportello.base.errors import StartupError


class SettingsError(StartupError, ValueError):
    """A setting has a value the service cannot use; the message names the variable."""


# The largest partner budget per minute (requests or cost) that PostgreSQL can count.
PARTNER_BUDGET_MAX = 1_000_000_000


@dataclasses.dataclass(frozen=True)
class Settings:
    # Database: without a URL the embedded PostgreSQL under data_dir is used.
    database_url: str | None = None
    data_dir: Path = Path(".sportello")
    db_pool_size: int = 10
    statement_timeout_ms: int = 5000
    # "transaction" behind a pooler such as PgBouncer in transaction mode (db/engine.py).
    database_pooler: str = "none"

    # Uploaded and generated documents; <data_dir>/files unless set.
    files_dir: Path | None = None
    # Key of the HMAC signing document download links. Unset: a random key per process,
    # so links die with the process (set it when running several processes or restarting).
    file_signing_key: str | None = None
    # Largest file accepted by POST /files (413 above it).
    max_upload_bytes: int = 20_000_000
    # Bounds of one evidence pack (GET /evidence/<site>.zip): past either, the period is refused.
    evidence_max_documents: int = 500
    evidence_max_bytes: int = 1_000_000_000
    # Where document files live (db/storage.py): a folder, or s3://bucket/prefix with region
    # and credentials from the AWS_* variables; the document root when unset. The endpoint
    # of an S3-compatible service other than AWS (http:// is allowed for it).
    storage_url: str | None = None
    storage_endpoint: str | None = None
    # Downloads from S3: 0 streams them through /files/{id}; more answers 302 to a presigned
    # URL valid this many seconds (after our own checks and audit).
    storage_presign_seconds: int = 0

    # HTTP
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    development: bool = False
    # Largest request body accepted on /graphql; anything bigger gets 413 before parsing.
    max_body_bytes: int = 100_000
    # GraphQL operations a process executes at once; the others wait their turn in arrival
    # order (see sportello/graphql_route.py).
    concurrent_requests: int = 4
    # Server processes `sportello serve` starts on the port; more than one needs the signing
    # key above (sportello/processes.py, docs/scaling.md).
    workers: int = 1

    # Sessions end after this long without a request, and at the latest this long after login.
    session_idle_minutes: int = 480
    session_absolute_hours: int = 168
    # One-use links: an invitation to set a password, a password reset.
    invitation_hours: int = 72
    reset_minutes: int = 60
    # Client addresses are read from X-Forwarded-For only when the direct peer is one of these
    # (comma-separated addresses); otherwise the peer address is the client's.
    trusted_proxies: str = ""
    # Origins allowed to send cookie-authenticated requests (comma-separated); the public URL's
    # origin when empty.
    allowed_origins: str = ""
    # Login throttling: failures allowed before backoff starts, per account and per address.
    login_free_failures: int = 5
    login_free_failures_per_address: int = 30
    login_max_backoff_seconds: int = 900
    # Introspection of one's own audience view, for authenticated callers only.
    introspection: bool = True
    # Queries run through their compiled read plans (schema/kit/read_plans.py); false runs
    # every operation through Strawberry's executor (a switch back if a plan ever misreads).
    read_plans: bool = True
    # Partner tokens: requests and total query cost each token may spend per minute.
    partner_requests_per_minute: int = 120
    partner_cost_per_minute: int = 100_000
    # Admission (sportello/admission.py): GraphQL requests of anonymous callers per client
    # address (an IPv6 /64) and minute, whatever their outcome, counted in PostgreSQL.
    anonymous_requests_per_minute: int = 60
    # Total query cost each staff user or contact (all its sessions together) may spend per
    # minute, GraphQL and CSV, counted in PostgreSQL like the partner tokens' budget.
    session_cost_per_minute: int = 100_000
    # Operations one principal (a session, a partner token; anonymous callers per address)
    # may execute at once in a process, and may have waiting besides; more are refused.
    principal_concurrent_requests: int = 2
    principal_waiting_requests: int = 32

    # Operations: GET /metrics answers a scraper sending this as a bearer token (404 when
    # unset); logs as lines of text, or one JSON object per line ("json") with the request id,
    # organization and principal kind.
    metrics_token: str | None = None
    log_format: str = "text"
    # OpenTelemetry traces go to this OTLP/HTTP endpoint (e.g. http://collector:4318/v1/traces)
    # when set; nothing is traced otherwise (sportello/tracing.py).
    otlp_traces_endpoint: str | None = None

    # Mail: without smtp_host, messages are written as .eml files under <data_dir>/mail.
    smtp_host: str | None = None
    smtp_port: int = 587
    # "starttls", "tls" (implicit TLS, usually port 465) or "plain" (no encryption).
    smtp_security: str = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: int = 30
    mail_from: str = "Sportello <no-reply@sportello.example>"
    # A message still failing after this many attempts is marked DEAD with the last error.
    mail_max_attempts: int = 8
    # Partner webhooks (mailer/webhooks.py): a delivery still failing after this many attempts
    # is DEAD; one attempt waits at most this long for the endpoint. Endpoints on loopback,
    # link-local or private addresses are refused unless allowed (tests, closed networks).
    webhook_max_attempts: int = 8
    webhook_timeout_seconds: float = 5.0
    webhook_allow_private: bool = False
    # Retention (README "Privacy"): the worker deletes audit events older than this many days
    # and blanks the bodies of mail sent (or given up) longer ago, and removes older .eml files.
    audit_retention_days: int = 730
    mail_retention_days: int = 90

    def __post_init__(self) -> None:
        for name in (
            "partner_requests_per_minute",
            "partner_cost_per_minute",
            "anonymous_requests_per_minute",
            "session_cost_per_minute",
        ):
            # Counted in int4 columns, whose sums (used + asked) must fit as well.
            if not 1 <= getattr(self, name) <= PARTNER_BUDGET_MAX:
                raise SettingsError(
                    f"{env_name(name)}={getattr(self, name)}: between 1 and {PARTNER_BUDGET_MAX:,}"
                )
        for name in (
            "concurrent_requests",
            "principal_concurrent_requests",
            "workers",
            "audit_retention_days",
            "mail_retention_days",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"{env_name(name)}={getattr(self, name)}: at least 1")
        if self.principal_waiting_requests < 0:
            raise SettingsError(
                f"SPORTELLO_PRINCIPAL_WAITING_REQUESTS={self.principal_waiting_requests}: "
                "at least 0"
            )
        url = self.storage_url or ""
        if "://" in url and not url.startswith(("s3://", "file://")):
            raise SettingsError(
                f"SPORTELLO_STORAGE_URL={url!r}: use s3://bucket/prefix or a folder"
            )
        if not 0 <= self.storage_presign_seconds <= 7 * 24 * 3600:
            raise SettingsError(
                "SPORTELLO_STORAGE_PRESIGN_SECONDS: between 0 and 604800 (S3's longest)"
            )
        if self.storage_presign_seconds and not self.storage_location.startswith("s3://"):
            raise SettingsError(
                "SPORTELLO_STORAGE_PRESIGN_SECONDS needs an s3:// SPORTELLO_STORAGE_URL"
            )
        if self.database_pooler not in {"none", "transaction"}:
            raise SettingsError(
                f"SPORTELLO_DATABASE_POOLER={self.database_pooler!r}: use none or transaction"
            )
        if self.log_format not in {"text", "json"}:
            raise SettingsError(f"SPORTELLO_LOG_FORMAT={self.log_format!r}: use text or json")
        endpoint = self.otlp_traces_endpoint
        if endpoint is not None and not endpoint.startswith(("http://", "https://")):
            raise SettingsError(f"SPORTELLO_OTLP_TRACES_ENDPOINT={endpoint!r}: use an http(s) URL")
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            raise SettingsError("SPORTELLO_METRICS_TOKEN: use at least 16 characters")
        if self.smtp_security not in {"starttls", "tls", "plain"}:
            raise SettingsError(
                f"SPORTELLO_SMTP_SECURITY={self.smtp_security!r}: use starttls, tls or plain"
            )

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry the Secure flag whenever users reach the service over https."""
        return self.public_url.startswith("https://")

    @property
    def origins(self) -> frozenset[str]:
        """The origins whose pages may use a session cookie."""
        listed = {o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()}
        if not listed:
            parts = urlsplit(self.public_url)
            listed = {f"{parts.scheme}://{parts.netloc}"}
        return frozenset(listed)

    @property
    def proxies(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.trusted_proxies.split(",") if p.strip())

    @property
    def mail_dir(self) -> Path:
        """Where messages go as .eml files when no SMTP server is configured."""
        return self.data_dir / "mail"

    @property
    def embedded_data_dir(self) -> Path:
        """Where the embedded PostgreSQL cluster keeps its files."""
        return self.data_dir / "pgdata"

    @property
    def document_root(self) -> Path:
        """Where document files are stored, by their storage key."""
        return self.files_dir if self.files_dir is not None else self.data_dir / "files"

    @property
    def storage_location(self) -> str:
        """The document store: ``storage_url``, else the document root folder."""
        return self.storage_url or str(self.document_root)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read settings from ``environ`` (the process environment by default)."""
        env = os.environ if environ is None else environ
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            name = (
                "DATABASE_URL"
                if field.name == "database_url"
                else f"SPORTELLO_{field.name.upper()}"
            )
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            values[field.name] = _parse(name, raw, hints[field.name])
        values.update(overrides)
        return cls(**values)


def env_name(field_name: str) -> str:
    """The environment variable that sets ``field_name``."""
    return "DATABASE_URL" if field_name == "database_url" else f"SPORTELLO_{field_name.upper()}"


def _parse(name: str, raw: str, kind: Any) -> Any:
    # An optional setting (``X | None``) parses as X; unset means None.
    kind = next((arg for arg in get_args(kind) if arg is not type(None)), kind)
    text = str(kind)
    try:
        if kind is bool or text == "bool":
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind is int or text == "int":
            return int(raw)
        if kind is float or text == "float":
            return float(raw)
        if kind is Path or text == "Path":
            return Path(raw)
    except ValueError:
        raise SettingsError(
            f"{name}={raw!r} is not a valid {getattr(kind, '__name__', text)}; "
            f"fix or unset the variable"
        ) from None
    return raw
