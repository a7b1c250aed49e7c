"""The connection pool and the notes table."""

import asyncio
import logging
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.conninfo import make_conninfo
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from .settings import BackendSettings

# Connections whose rows are dicts (column → value).
Pool = AsyncConnectionPool[AsyncConnection[DictRow]]

log = logging.getLogger(__name__)

# Idempotent: safe to run at every start and from `python -m app.migrate`.
SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id          BIGSERIAL PRIMARY KEY,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


def create_pool(settings: BackendSettings) -> Pool:
    conninfo = make_conninfo(
        host=settings.database_host,
        port=settings.database_port,
        dbname=settings.database_name,
        user=settings.database_user,
        connect_timeout=settings.database_connect_timeout_seconds,
        application_name=settings.service_name,
    )

    def connection_kwargs() -> dict[str, Any]:
        # Read for every new connection, not once: a rotated password reaches the mounted file
        # without a restart, and connections opened before keep working.
        return {"row_factory": dict_row, "password": settings.database_password_file.read_text().strip()}

    return AsyncConnectionPool(
        conninfo,
        min_size=settings.database_pool_min,
        max_size=settings.database_pool_max,
        open=False,
        timeout=settings.database_connect_timeout_seconds,
        # Hand out only connections that still work: the database may have restarted.
        check=AsyncConnectionPool.check_connection,
        connection_class=AsyncConnection[DictRow],
        kwargs=connection_kwargs,
    )


async def ensure_schema(pool: Pool, retry_seconds: float = 1.0) -> None:
    """Creates the schema, waiting for the database if it is not up yet."""
    while True:
        try:
            async with pool.connection() as conn:
                await conn.execute(SCHEMA)
            return
        except Exception as error:
            log.warning("database not ready for the schema yet", extra={"error": str(error)})
            await asyncio.sleep(retry_seconds)


async def ping(pool: Pool, timeout: float) -> None:
    async with pool.connection(timeout=timeout) as conn:
        await conn.execute("SELECT 1")


class NotesRepository:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def create(self, title: str, body: str) -> DictRow:
        async with self.pool.connection() as conn:
            cur = await conn.execute("INSERT INTO notes (title, body) VALUES (%s, %s) RETURNING *", (title, body))
            row = await cur.fetchone()
            if row is None:  # RETURNING yields the inserted row; nothing else can happen
                raise RuntimeError("INSERT … RETURNING returned no row")
            return row

    async def list(self, limit: int, offset: int) -> list[DictRow]:
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT * FROM notes ORDER BY id LIMIT %s OFFSET %s", (limit, offset))
            return await cur.fetchall()

    async def get(self, note_id: int) -> DictRow | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT * FROM notes WHERE id = %s", (note_id,))
            return await cur.fetchone()

    async def update(self, note_id: int, title: str, body: str) -> DictRow | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "UPDATE notes SET title = %s, body = %s, updated_at = %s WHERE id = %s RETURNING *",
                (title, body, datetime.now().astimezone(), note_id),
            )
            return await cur.fetchone()

    async def delete(self, note_id: int) -> bool:
        async with self.pool.connection() as conn:
            cur = await conn.execute("DELETE FROM notes WHERE id = %s", (note_id,))
            return cur.rowcount == 1
