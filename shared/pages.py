"""One shape for every long list a service answers: a page of items and the total."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Paging(BaseModel):
    """Mixed into a query that answers a page; name order keeps pages stable."""

    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=500)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int
