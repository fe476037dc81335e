"""Settings from the environment or a `.env` file (pydantic-settings).

Keys come from `Kling_Access_Key` / `Kling_Secret_Key`, or a single `Kling_API_Key`, in
any letter case, and are held as `SecretStr`, so their repr, logs and errors never show
them. No keys and no base URL means demo mode: the embedded simulator stands in for Kling.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REGIONS: dict[str, str] = {
    "beijing": "https://api-beijing.klingai.com",
    "singapore": "https://api-singapore.klingai.com",
    "legacy": "https://api.klingai.com",
}


class Settings(BaseSettings):
    """Everything configurable about the Studio, with the seed's defaults."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
        populate_by_name=True,
    )

    access_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("kling_access_key", "access_key")
    )
    secret_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("kling_secret_key", "secret_key")
    )
    api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("kling_api_key", "api_key")
    )
    base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("kling_base_url", "base_url")
    )
    region: Literal["beijing", "singapore", "legacy"] = Field(
        default="beijing", validation_alias=AliasChoices("kling_region", "region")
    )
    data_dir: Path = Field(
        default=Path("studio-data"), validation_alias=AliasChoices("kling_ui_data_dir", "data_dir")
    )
    default_model: str = Field(
        default="kling-v2-6", validation_alias=AliasChoices("kling_ui_model", "default_model")
    )
    default_mode: Literal["std", "pro"] = Field(
        default="pro", validation_alias=AliasChoices("kling_ui_mode", "default_mode")
    )
    default_duration: Literal["5", "10"] = Field(
        default="5", validation_alias=AliasChoices("kling_ui_duration", "default_duration")
    )
    poll_interval: float = Field(
        default=5.0, gt=0, validation_alias=AliasChoices("kling_ui_poll_interval", "poll_interval")
    )
    task_timeout: float = Field(
        default=300.0, gt=0, validation_alias=AliasChoices("kling_ui_task_timeout", "task_timeout")
    )
    concurrency: int = Field(
        default=3, ge=1, le=50, validation_alias=AliasChoices("kling_ui_concurrency", "concurrency")
    )
    lease_seconds: float = Field(
        default=30.0,
        gt=0,
        validation_alias=AliasChoices("kling_ui_lease_seconds", "lease_seconds"),
    )
    public_url: str | None = Field(
        default=None, validation_alias=AliasChoices("kling_ui_public_url", "public_url")
    )
    auth: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("kling_ui_auth", "auth")
    )
    mcp: bool = Field(default=False, validation_alias=AliasChoices("kling_ui_mcp", "mcp"))
    # Jobs one owner (a login, a browser) may have waiting or running at once.
    max_queued: int = Field(
        default=12,
        ge=1,
        le=1000,
        validation_alias=AliasChoices("kling_ui_max_queued", "max_queued"),
    )
    # The demo simulator's pace: how long a simulated task takes, and its video height.
    demo_latency: float = Field(
        default=12.0, ge=0, validation_alias=AliasChoices("kling_ui_demo_latency", "demo_latency")
    )
    demo_render_height: int = Field(
        default=480,
        ge=120,
        le=1080,
        validation_alias=AliasChoices("kling_ui_demo_render_height", "demo_render_height"),
    )

    sim_realworld: bool = Field(
        default=False, validation_alias=AliasChoices("kling_sim_realworld", "sim_realworld")
    )

    @field_validator("access_key", "secret_key", "api_key", "auth", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("base_url", "public_url", mode="before")
    @classmethod
    def _url_without_trailing_slash(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().rstrip("/")
            return value or None
        return value

    @property
    def has_key_pair(self) -> bool:
        """Both the access key and the secret key are configured."""
        return self.access_key is not None and self.secret_key is not None

    @property
    def has_keys(self) -> bool:
        """Kling credentials are configured: a single API key, or a whole key pair."""
        return self.api_key is not None or self.has_key_pair

    @property
    def demo_mode(self) -> bool:
        """No keys and no base URL: run against the embedded simulator."""
        return not self.has_keys and self.base_url is None

    @property
    def endpoint(self) -> str:
        """The Kling base URL in use when not in demo mode."""
        return self.base_url or REGIONS[self.region]

    def secrets(self) -> list[str]:
        """The secret values this process holds, for the log redactor. Never display these."""
        held = (self.access_key, self.secret_key, self.api_key, self.auth)
        values = [s.get_secret_value() for s in held if s]
        return [v for v in values if v]
