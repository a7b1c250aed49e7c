"""`python -m app.migrate`: create the schema and exit (idempotent)."""

import asyncio

from .database import create_pool, ensure_schema
from .settings import BackendSettings


async def main() -> None:
    pool = create_pool(BackendSettings())
    await pool.open()
    try:
        await ensure_schema(pool)
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
