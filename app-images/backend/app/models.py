from datetime import datetime

from pydantic import BaseModel, Field

from fastapi_common.text import PlainText, VisibleText

# PostgreSQL's bigint: ids and offsets beyond it are refused as input, not met as a database error.
BIGINT_MAX = 2**63 - 1


class NoteIn(BaseModel):
    title: VisibleText = Field(min_length=1, max_length=200)
    body: PlainText = Field(default="", max_length=10_000)


class Note(NoteIn):
    id: int
    created_at: datetime
    updated_at: datetime
