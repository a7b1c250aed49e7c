"""The refusals a route really gives, for its OpenAPI document: FastAPI declares only the success and
422, so a client generated from the document would not know a 401, 404 or 429 could come back.
`responses=refusals(401, 404)` on a route or router declares them with the body they all share."""

from typing import Any

from pydantic import BaseModel


class Refusal(BaseModel):
    """Every refusal's body: what was wrong, in words (validation errors, 422, list their fields)."""

    detail: str


_WHY = {
    400: "The body cannot be read as sent: JSON that does not parse, a form that is not UTF-8.",
    401: "No API key, or one this service does not accept.",
    404: "No such item.",
    413: "The request body is larger than the service accepts (MAX_BODY_BYTES).",
    415: "The body is not of the media type this operation takes.",
    429: "Too much of this work is in progress; retry after the seconds in Retry-After.",
    502: "A service this one calls answered unexpectedly.",
    503: "A service this one needs is unavailable, or this one is starting or stopping.",
}


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the given refusal statuses, each with its reason and `Refusal` body."""
    unknown = sorted(set(codes) - _WHY.keys())
    if unknown:
        raise ValueError(f"no description for statuses {unknown}; known: {sorted(_WHY)}")
    return {code: {"model": Refusal, "description": _WHY[code]} for code in codes}
