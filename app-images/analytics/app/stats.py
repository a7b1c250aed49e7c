"""Statistics over a generated data set: memory-hungry on purpose, to exercise requests,
limits, quotas and OOMKilled (each row costs roughly 40 bytes plus pandas' overhead)."""

from typing import Any

import numpy as np
import pandas as pd

REGIONS = np.array(["north", "south", "east", "west"])
PERCENTILES = [0.5, 0.95, 0.99]


def generate(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "latency_ms": rng.lognormal(mean=3.0, sigma=0.6, size=rows),
            "bytes": rng.exponential(scale=20_000, size=rows),
            "errors": rng.poisson(lam=0.02, size=rows),
            "region": pd.Categorical(rng.choice(REGIONS, size=rows), categories=REGIONS),
        }
    )


def summarize(frame: pd.DataFrame) -> dict[str, Any]:
    numeric = frame.select_dtypes("number")
    described = numeric.describe(percentiles=PERCENTILES).round(4)
    by_region = frame.groupby("region", observed=False)["latency_ms"].agg(["count", "mean"]).round(4)
    return {
        "rows": len(frame),
        "memory_bytes": int(frame.memory_usage(deep=True).sum()),
        "columns": {column: {k: float(v) for k, v in described[column].items()} for column in described.columns},
        "latency_by_region": {str(region): {"count": int(row["count"]), "mean": float(row["mean"])} for region, row in by_region.iterrows()},
        "correlation_latency_bytes": round(float(numeric["latency_ms"].corr(numeric["bytes"])), 4),
    }
