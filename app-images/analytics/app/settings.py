from pydantic import Field

from fastapi_common.settings import ServiceSettings


class AnalyticsSettings(ServiceSettings):
    service_name: str = "analytics"
    # The largest data set one request may generate; memory grows with it on purpose.
    max_rows: int = Field(default=1_000_000, ge=1)
    # Rows being computed at once in this process, over all requests: one data set of max_rows, or
    # several smaller ones, so concurrent requests cannot together outgrow the container's memory.
    # Default: max_rows.
    rows_in_flight: int | None = Field(default=None, ge=1)
