"""The baseline of the request-path pair: one FastAPI route, no middleware, no dependencies."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/api/item")
async def item() -> dict[str, str]:
    return {"status": "ok"}
