from pydantic import Field

from fastapi_common.settings import ServiceSettings


class AnalyticsSettings(ServiceSettings):
    service_name: str = "analytics"
    # The largest data set one request may generate; memory grows with it on purpose.
    max_rows: int = Field(default=1_000_000, ge=1)
