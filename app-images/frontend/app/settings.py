from pathlib import Path

from pydantic import Field

from fastapi_common.settings import ServiceSettings


class FrontendSettings(ServiceSettings):
    service_name: str = "frontend"
    backend_url: str = "http://127.0.0.1:8001"
    backend_api_key_file: Path | None = None
    page_title: str = "FastAPI on Kubernetes"
    greeting: str = "Hello"
    theme_color: str = Field(default="#1565c0", pattern=r"^#[0-9a-fA-F]{6}$")
    downstream_timeout_seconds: float = Field(default=2.0, gt=0)
    breaker_failures: int = Field(default=5, ge=1)
    breaker_reset_seconds: float = Field(default=10.0, gt=0)
    # The public insights route: the largest data set an anonymous visitor may ask for, and how
    # many such requests this pod forwards at once (429 beyond).
    insights_max_rows: int = Field(default=10_000, ge=1)
    insights_concurrency: int = Field(default=4, ge=1)
