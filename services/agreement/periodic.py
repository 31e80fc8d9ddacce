"""The daily side of the register: grace periods end and sanctions expire with the calendar, not
with an event, so the service reassesses every school on a timer (`EnforceGracePeriods` does
the same on demand, for any date)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import distinct, select

from services.agreement.assess import reassess_school, today
from services.agreement.people import people
from shared.events import stop_if_cancelled
from shared.service import Kit

log = logging.getLogger(__name__)
EVERY_SECONDS = 3600.0  # hourly: a grace period ends at most an hour late


async def enforce_periodically(kit: Kit, every: float = EVERY_SECONDS) -> None:
    while True:
        try:
            async with kit.db.read() as conn:
                schools = list((await conn.execute(select(distinct(people.c.school_id))))
                               .scalars())
            for school_id in schools:
                changed = await reassess_school(kit, school_id, today())
                if changed:
                    log.info("register of %s: %d entries changed", school_id, changed)
        except Exception:
            stop_if_cancelled()
            log.exception("enforcing grace periods failed; trying again later")
        await asyncio.sleep(every)

