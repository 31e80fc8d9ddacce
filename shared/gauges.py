"""Observable gauges a service declares (`Wiring.gauges`), read from its own database.

OpenTelemetry calls gauge callbacks synchronously in the metric reader's thread, where the
async database cannot be queried. So the runtime samples each service's gauges every few
seconds (`Gauges.sample`) and the callbacks report the last sample. One instrument per
gauge name serves every service in the process; each value carries `service`.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db import Database

Reading = tuple[float, Mapping[str, str]]  # a value and its attributes


@dataclass(frozen=True)
class Gauge:
    name: str
    description: str
    read: Callable[[AsyncConnection], Awaitable[Iterable[Reading]]]
    unit: str = "1"


_meter = metrics.get_meter("esafety.gauges")
_instruments: set[str] = set()
_boards: weakref.WeakSet[Gauges] = weakref.WeakSet()


class Gauges:
    """One service's gauges and their last sampled readings."""

    def __init__(self, service: str, gauges: Sequence[Gauge]) -> None:
        self.service, self.gauges = service, list(gauges)
        self.last: dict[str, list[Reading]] = {}
        _boards.add(self)
        for gauge in self.gauges:
            _register(gauge)

    def close(self) -> None:
        """Stop reporting (a stopped service's last readings would shadow a new one's)."""
        _boards.discard(self)

    async def sample(self, db: Database) -> None:
        async with db.read() as conn:
            for gauge in self.gauges:
                self.last[gauge.name] = [(value, {"service": self.service, **attrs})
                                         for value, attrs in await gauge.read(conn)]


def _register(gauge: Gauge) -> None:
    if gauge.name in _instruments:
        return
    _instruments.add(gauge.name)

    def observe(_: CallbackOptions) -> Iterable[Observation]:
        for board in list(_boards):
            for value, attrs in board.last.get(gauge.name, ()):
                yield Observation(value, dict(attrs))

    _meter.create_observable_gauge(gauge.name, callbacks=[observe],
                                   description=gauge.description, unit=gauge.unit)
