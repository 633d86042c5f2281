"""One settings object for the whole application (environment variables and an optional `.env`)."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from switchboard.config.errors import ConfigurationError


def project_root() -> Path:
    """Where `.env` and the default data folder are: SWITCHBOARD_HOME when set, else the checkout this
    package runs from (found from the package's own location, whatever the working directory: the
    notebooks' kernels start in notebooks/), else the working directory (an installed package)."""
    home = os.environ.get("SWITCHBOARD_HOME", "").strip()
    if home:
        return Path(home).expanduser().resolve()
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file() and (parent / "langgraph.json").is_file():
            return parent
    return Path.cwd()


PROJECT_ROOT = project_root()

DECIDER_HELP = "'deterministic' (no model), or a 'provider:model' string such as 'openai:gpt-4o-mini'"


class Settings(BaseSettings):
    """Every setting, with its default. `.env.example` documents the same names."""

    model_config = SettingsConfigDict(env_file_encoding="utf-8", extra="ignore", case_sensitive=False)

    def __init__(self, **values: Any) -> None:
        # `.env` of the project root, looked up at each construction (not the working directory's).
        values.setdefault("_env_file", project_root() / ".env")
        super().__init__(**values)

    # --- database
    database_url: str | None = Field(
        default=None,
        description="postgresql:// URL of an external server; unset = embedded PostgreSQL in data_dir",
    )
    data_dir: Path = Field(
        default_factory=lambda: project_root() / ".data", description="where the embedded PostgreSQL lives"
    )
    embedded_idle_stop: float = Field(
        default=300.0,
        ge=0,
        description="seconds the embedded PostgreSQL keeps running after its last user exits, so the next"
        " command finds it warm (0 = stop at once)",
    )
    db_pool_min_size: int = Field(default=1, ge=0)
    db_pool_max_size: int = Field(default=10, ge=1)
    db_lock_pool_size: int = Field(
        default=40,
        ge=1,
        description="connections for per-thread run locks: the most runs in flight per process",
    )
    db_prepare_threshold: int | None = Field(
        default=5,
        description="psycopg prepare_threshold; set to empty/None behind a transaction-mode pooler (pgbouncer)",
    )
    db_connect_timeout: int = Field(default=3, ge=1, description="seconds to open one connection")
    db_recheck_after: float = Field(
        default=1.0,
        ge=0,
        description="seconds after its return within which a pooled connection is handed out again after a"
        " local look at its socket instead of a round trip to the server (0 = a round trip every time)",
    )
    db_pool_timeout: float = Field(
        default=5.0, gt=0, description="seconds a request waits for a pooled connection before its 503"
    )
    db_statement_timeout: float = Field(
        default=30.0,
        ge=0,
        description="seconds one SQL statement may run (server-side statement_timeout; 0 = no limit)",
    )

    # --- deciders: one per decision point
    route_decider: str = Field(default="deterministic", description=DECIDER_HELP)
    supervisor_decider: str = Field(default="deterministic", description=DECIDER_HELP)
    specialist_decider: str = Field(default="deterministic", description=DECIDER_HELP)
    compose_decider: str = Field(default="deterministic", description=DECIDER_HELP)

    # --- model endpoint (any OpenAI-compatible server: OpenAI, vLLM, Ollama, LM Studio, a gateway)
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    model_temperature: float = 0.0
    model_connect_timeout: float = Field(default=3.0, gt=0, description="seconds to reach the model endpoint")
    model_timeout: float = Field(default=30.0, gt=0, description="seconds one model call may take")
    model_decision_budget: float = Field(
        default=30.0,
        gt=0,
        description="seconds all model calls of one decision point may take, retries included",
    )
    model_failure: Literal["fallback", "error"] = Field(
        default="fallback",
        description="a failing model: 'fallback' to the deterministic decider (recorded), or 'error' (the run fails)",
    )
    model_breaker_threshold: int = Field(
        default=2, ge=1, description="consecutive failures of one model endpoint that stop calling it"
    )
    model_breaker_cooldown: float = Field(
        default=30.0, gt=0, description="seconds a failing endpoint is not called before it is tried again"
    )

    # --- behaviour
    domain_step_budget: int = Field(default=4, ge=1, le=20, description="specialist runs per domain per turn")
    max_request_chars: int = Field(default=4000, ge=100)
    history_window: int = Field(default=6, ge=0, description="earlier turns kept in thread state")

    # --- HTTP service
    request_timeout: float = Field(
        default=120.0,
        gt=0,
        description="seconds an HTTP request (or a streamed run) may take before it is answered with a 503",
    )

    # --- approvals
    refund_auto_limit: Decimal = Field(
        default=Decimal("50.00"),
        ge=0,
        allow_inf_nan=False,
        description="refunds up to this need only confirmation",
    )
    approval_ttl_hours: int = Field(default=72, ge=1)

    # --- LangGraph server (langgraph dev, LangGraph Platform): custom auth in langgraph.json
    deployment: bool = Field(
        default=False,
        description="true on a shared or production server: development-only settings are refused",
    )
    studio_auth: Literal["on", "off"] = Field(
        default="on",
        description="'off' (local `langgraph dev` only): requests without a key act as the local developer",
    )
    studio_operator: str = Field(
        default="",
        description="staff name a browser Studio session on a local dev server acts as; empty = refused",
    )
    studio_url: str = Field(
        default="http://127.0.0.1:2024", description="the LangGraph server `switchboard open` registers with"
    )
    studio_sync: Literal["on", "off"] = Field(
        default="on",
        description="'on': a decision made outside the server refreshes the thread in the STUDIO_URL server"
        " when that server has it",
    )

    # --- side work: the task queue (procrastinate) behind `switchboard worker`
    worker_concurrency: int = Field(default=4, ge=1, le=100, description="events a worker handles at once")
    outbox_max_attempts: int = Field(default=6, ge=1, le=100, description="tries before an event is dead")
    outbox_retry_backoff: int = Field(
        default=2, ge=0, le=60, description="exponential backoff base in seconds: waits 2, 4, 8, ... s"
    )
    outbox_lag_alert_minutes: int = Field(
        default=10, ge=1, description="`switchboard outbox` alerts when an event waits longer"
    )
    worker_stalled_timeout: int = Field(
        default=30, ge=1, description="seconds without a heartbeat before a worker's events are re-run"
    )

    # --- retention: what the checkpoint tables keep (turn records in the store are permanent)
    retention_checkpoint_days: int | None = Field(
        default=30,
        ge=0,
        description="intermediate checkpoints older than this are pruned; empty = keep every checkpoint",
    )
    retention_idle_thread_days: int | None = Field(
        default=None,
        ge=1,
        description="threads idle this long are deleted (turn records kept); empty = never",
    )
    erase_closed_after_hours: int = Field(
        default=24, ge=0, description="a closed account's personal data is erased this long after closure"
    )
    retention_schedule: str = Field(
        default="17 3 * * *", description="cron schedule of the worker's prune (default: daily at 03:17)"
    )

    # --- observability
    langsmith_tracing: bool = False
    langsmith_api_key: SecretStr | None = None
    langsmith_project: str = "switchboard"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto", description="auto: readable on a terminal, one JSON object per line otherwise"
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        description="OpenTelemetry collector (OTLP over HTTP), e.g. http://localhost:4318; unset = no tracing",
    )
    otel_service_name: str = Field(default="switchboard", description="service.name of the traces")
    pseudonym_secret: SecretStr = Field(
        default=SecretStr("switchboard-dev-pseudonym-secret"),
        description="HMAC key of the customer pseudonyms in traces and logs; set your own in production",
    )
    metrics_enabled: bool = Field(default=True, description="record Prometheus metrics (GET /metrics)")
    worker_metrics_port: int = Field(
        default=0, ge=0, le=65535, description="the worker's /metrics port; 0 = no endpoint"
    )
    price_table: Path = Field(
        default=Path(__file__).resolve().parent / "prices.toml",  # ships with the package
        description="model prices per million input and output tokens (TOML)",
    )
    request_budget_tokens: int = Field(
        default=0, ge=0, description="model tokens one request may spend; 0 = no limit"
    )
    request_budget_cost: float = Field(
        default=0.0,
        ge=0,
        description="money one request may spend on models (price table's currency); 0 = no limit",
    )

    @field_validator(
        "db_prepare_threshold", "retention_checkpoint_days", "retention_idle_thread_days", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in ("", "none", "None", "null") else value

    @field_validator("route_decider", "supervisor_decider", "specialist_decider", "compose_decider")
    @classmethod
    def _decider_form(cls, value: str) -> str:
        value = value.strip()
        if value.lower() in ("", "deterministic"):
            return "deterministic"
        provider, _, model = value.partition(":")
        if not provider.strip() or not model.strip() or any(c.isspace() for c in value):
            raise ValueError(f"{value!r} is not a decider: expected {DECIDER_HELP}")
        return value

    @field_validator("retention_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        # The form only (croniter, which the worker parses it with, is too slow to import for every command).
        if not re.fullmatch(r"[0-9A-Za-z*/,?#-]+( [0-9A-Za-z*/,?#-]+){4,5}", value.strip()):
            raise ValueError(f"{value!r} is not a cron schedule (minute hour day month weekday)")
        return value.strip()

    @field_validator("model_failure", "studio_auth", "studio_sync", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, checked once: a wrong one is a ConfigurationError naming it, before any run."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigurationError(describe_settings_error(exc)) from None


def describe_settings_error(exc: ValidationError) -> str:
    """One line: each wrong setting by its variable name, what is wrong and the value given."""
    parts = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err.get("loc", ())).upper()
        given = err.get("input")
        shown = f" (got {given!r})" if isinstance(given, str) else ""
        message = str(err.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"{name}: {message}{shown}")
    return "; ".join(parts)
