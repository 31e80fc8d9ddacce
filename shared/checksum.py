"""A stable checksum of a projection's tables: does a live read model equal a fresh replay?

Rows are hashed as a multiset: each row's values are normalised (UTC datetimes, JSON with
sorted keys, exact floats), the rows are sorted by that form, and one SHA-256 covers them.
Left out, because a correct replay may legitimately differ there: bookkeeping columns (when
a row was written, not what it says) and auto-increment keys (a projection that reads
several streams interleaves them live but replays them one after the other).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Column, MetaData, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db import Database, as_utc

BOOKKEEPING = frozenset({"applied_at", "projected_at", "updated_at"})


@dataclass(frozen=True)
class TableSum:
    rows: int
    sha256: str


def _normal(value: Any) -> Any:
    match value:
        case datetime():
            return as_utc(value).isoformat()
        case date() | UUID() | Decimal():
            return str(value)
        case bytes():
            return value.hex()
        case float():
            return value.hex()
        case _:
            return value


def _compared(table: Table, ignore: frozenset[str]) -> list[Column[Any]]:
    return [c for c in table.columns if c.name not in ignore and c.autoincrement is not True]


async def table_sum(conn: AsyncConnection, table: Table,
                    ignore: frozenset[str] = BOOKKEEPING) -> TableSum:
    columns = _compared(table, ignore)
    lines = sorted(json.dumps([_normal(v) for v in row], sort_keys=True, default=str)
                   for row in await conn.execute(select(*columns)))
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode())
        digest.update(b"\n")
    return TableSum(len(lines), digest.hexdigest())


async def checksum(db: Database, metadata: MetaData,
                   ignore: frozenset[str] = BOOKKEEPING) -> dict[str, TableSum]:
    """Row count and hash of each table a projection owns, by table name."""
    async with db.read() as conn:
        return {t.name: await table_sum(conn, t, ignore) for t in metadata.sorted_tables}
