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
    waiting = (await conn.execute(select(func.count()).where(*_WAITING))).scalar_one()
    return [(float(waiting), {})]


async def _oldest(conn: AsyncConnection) -> list[Reading]:
    """Seconds the oldest waiting capture has waited since it was received (0: queue empty)."""
    oldest = (await conn.execute(select(func.min(captures.c.received_at))
                                 .where(*_WAITING))).scalar_one()
    return [(max((now() - as_utc(oldest)).total_seconds(), 0.0) if oldest else 0.0, {})]


async def _unacknowledged(conn: AsyncConnection) -> list[Reading]:
    rows = dict((await conn.execute(select(alerts.c.urgent, func.count())
                                    .where(alerts.c.status == "open")
                                    .group_by(alerts.c.urgent))).tuples().all())
    return [(float(rows.get(urgent, 0)), {"urgent": str(urgent).lower()})
            for urgent in (True, False)]


GAUGES = (
    Gauge("esafety.moderation.queue", "captures waiting for an LA moderator", _queue),
    Gauge("esafety.moderation.oldest_age", "how long the oldest waiting capture has waited",
          _oldest, unit="s"),
    Gauge("esafety.alerts.unacknowledged", "alerts raised to a school and not acknowledged",
          _unacknowledged),
)
