from pathlib import Path

from pydantic import Field

from fastapi_common.settings import ServiceSettings


class BackendSettings(ServiceSettings):
    service_name: str = "backend"
    database_host: str = "127.0.0.1"
    database_port: int = 5432
    database_name: str = "app"
    database_user: str = "app"
    # The password is a mounted Secret file, never an environment variable.
    database_password_file: Path = Path("/etc/fastapi-k8s/database/password")
    database_pool_min: int = Field(default=1, ge=0)
    database_pool_max: int = Field(default=5, ge=1)
    database_connect_timeout_seconds: int = Field(default=2, ge=1)
    analytics_url: str | None = None
    analytics_api_key_file: Path | None = None
    downstream_timeout_seconds: float = Field(default=5.0, gt=0)
    # The largest data set insights may ask analytics for: its MAX_ROWS, so that the bound this
    # API advertises is the one analytics keeps.
    insights_max_rows: int = Field(default=1_000_000, ge=1)
