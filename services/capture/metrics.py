"""Capture's gauges: the LA moderation queue (size, oldest waiting) and unacknowledged alerts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.capture.alert_view import alerts
from services.capture.projections import captures
from shared.db import as_utc
from shared.events import now
from shared.gauges import Gauge, Reading

# As the queue query: triaged (a severity) and not graded yet.
_WAITING = (captures.c.grade.is_(None), captures.c.severity.is_not(None))


async def _queue(conn: AsyncConnection) -> list[Reading]:
    rows = await conn.execute(select(captures.c.la_id, func.count()).where(*_WAITING)
                              .group_by(captures.c.la_id))
    return [(float(n), {"la_id": la}) for la, n in rows]


async def _oldest(conn: AsyncConnection) -> list[Reading]:
    rows = await conn.execute(select(captures.c.la_id, func.min(captures.c.received_at))
                              .where(*_WAITING).group_by(captures.c.la_id))
    return [(max((now() - as_utc(at)).total_seconds(), 0.0), {"la_id": la}) for la, at in rows]


async def _unacknowledged(conn: AsyncConnection) -> list[Reading]:
    rows = await conn.execute(select(alerts.c.school_id, alerts.c.urgent, func.count())
                              .where(alerts.c.status == "open")
                              .group_by(alerts.c.school_id, alerts.c.urgent))
    return [(float(n), {"school_id": school, "urgent": str(bool(urgent)).lower()})
            for school, urgent, n in rows]


GAUGES = (
    Gauge("esafety.moderation.queue", "captures waiting for an LA moderator", _queue),
    Gauge("esafety.moderation.oldest_age", "how long the oldest waiting capture has waited",
          _oldest, unit="s"),
    Gauge("esafety.alerts.unacknowledged", "alerts raised to a school and not acknowledged",
          _unacknowledged),
)
