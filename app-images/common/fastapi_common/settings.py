"""Settings every service shares; each service extends them with its own."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Read from environment variables (the platform's ConfigMap) with safe defaults."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    service_name: str = "service"
    service_version: str = "0.0.0"
    # The colour of a blue-green release this pod belongs to (BlueGreenService sets it); logged.
    release_color: str = ""
    log_level: str = "INFO"
    # Each subdirectory holds one caller's key Secret (files `current` and `previous`).
    api_keys_dir: Path | None = None
    # How long a readiness check may take before the pod counts as not ready.
    readiness_timeout_seconds: float = Field(default=1.0, gt=0)
    # Failure injection for probe demonstrations (docs/scenarios.md); off unless enabled, and then
    # only for callers presenting a key from this directory (laid out like api_keys_dir).
    fault_injection_enabled: bool = False
    fault_keys_dir: Path | None = None
    startup_delay_seconds: float = Field(default=0.0, ge=0)
    # The largest request body accepted (413 beyond): notes are at most ~40 KiB of UTF-8.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
