"""One settings object for the whole application (environment variables and an optional `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DECIDER_HELP = "'deterministic' (no model), or a 'provider:model' string such as 'openai:gpt-4o-mini'"


class Settings(BaseSettings):
    """Every setting, with its default. `.env.example` documents the same names."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    # --- database
    database_url: str | None = Field(
        default=None,
        description="postgresql:// URL of an external server; unset = embedded PostgreSQL in data_dir",
    )
    data_dir: Path = Field(default=PROJECT_ROOT / ".data", description="where the embedded PostgreSQL lives")
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
    db_connect_timeout: int = Field(default=5, ge=1, description="seconds")

    # --- deciders: one per decision point
    route_decider: str = Field(default="deterministic", description=DECIDER_HELP)
    supervisor_decider: str = Field(default="deterministic", description=DECIDER_HELP)
    specialist_decider: str = Field(default="deterministic", description=DECIDER_HELP)
    compose_decider: str = Field(default="deterministic", description=DECIDER_HELP)

    # --- model endpoint (any OpenAI-compatible server: OpenAI, vLLM, Ollama, LM Studio, a gateway)
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    model_temperature: float = 0.0
    model_timeout: float = Field(default=60.0, gt=0)

    # --- behaviour
    domain_step_budget: int = Field(default=4, ge=1, le=20, description="specialist runs per domain per turn")
    max_request_chars: int = Field(default=4000, ge=100)
    history_window: int = Field(default=6, ge=0, description="earlier turns kept in thread state")

    # --- approvals
    refund_auto_limit: str = Field(default="50.00", description="refunds up to this need only confirmation")
    approval_ttl_hours: int = Field(default=72, ge=1)

    # --- observability
    langsmith_tracing: bool = False
    langsmith_api_key: SecretStr | None = None
    langsmith_project: str = "switchboard"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"

    @field_validator("db_prepare_threshold", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in ("", "none", "None", "null") else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
