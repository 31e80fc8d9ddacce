"""Retention of captures: a timer purges, per school, the text (excerpt and trigger), the
screenshots and the moderation notes older than the school's periods (compliance's rules,
replicated here; `capture_text`, `screenshot`, `capture_metadata`, all by capture date). Each
purged capture gets a `CaptureContentPurged` event; its text rows go in the same transaction
(shared/content.py) and its screenshot object before it, unless another capture still kept
shares the image (content-addressed: one object serves every capture with the same bytes).

Of a moderated capture's metadata only the free text goes: the grades' notes and reasons
(which its escalation and alert show) and its alerts' acknowledgement notes. The grade, who
and when stay, so reports count the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import distinct, exists, func, or_, select

from services.capture.alert_view import alerts
from services.capture.alerting import NOTE
from services.capture.domain.capture import Purge, capture
from services.capture.domain.events import NOTE_FIELDS, CaptureContentPurged
from services.capture.projections import captures
from services.capture.screenshots import ScreenshotStore
from services.compliance.domain.events import RecordType
from services.compliance.domain.retention import months_before
from services.compliance.retention_contracts import PurgeReport
from services.compliance.retention_rules import RetentionRules, periods_in
from shared import content, periodic
from shared.erasure_log import ErasureLog
from shared.events import Clock, Metadata
from shared.service import Kit

log = logging.getLogger(__name__)
EVERY_SECONDS = 3600.0


class CaptureRetention(RetentionRules):
    name = "capture-retention"


class CapturePurgeLog(ErasureLog):
    name = "capture-purges"
    sources = ("capture",)
    handles = frozenset({CaptureContentPurged.type_name})
    inline = True


@dataclass(frozen=True)
class Due:
    capture_id: str
    school_id: str
    la_id: str
    text: bool
    screenshot: bool
    sha256: str | None
    notes: bool = False


@dataclass
class CapturePurger:
    kit: Kit
    screenshots: ScreenshotStore
    clock: Clock

    async def due(self, as_of: date, la_id: str | None) -> list[Due]:
        found: list[Due] = []
        async with self.kit.db.read() as conn:
            where = [] if la_id is None else [captures.c.la_id == la_id]
            pairs = (await conn.execute(select(distinct(captures.c.school_id), captures.c.la_id)
                                        .where(*where))).all()
            for school, la in sorted(pairs):
                periods = await periods_in(conn, la, school)
                text = _cutoff(as_of, periods.get(RecordType.CAPTURE_TEXT))
                shot = _cutoff(as_of, periods.get(RecordType.SCREENSHOT))
                meta = _cutoff(as_of, periods.get(RecordType.CAPTURE_METADATA))
                text_due = captures.c.content_ref.is_not(None) & \
                    captures.c.text_removed_on.is_(None) & (captures.c.captured_at < text)
                shot_due = captures.c.screenshot_sha256.is_not(None) & \
                    (captures.c.captured_at < shot)
                acknowledged = exists().where(alerts.c.capture_id == captures.c.capture_id,
                                              alerts.c.acknowledgement_note != "")
                notes_due = captures.c.grade.is_not(None) & \
                    captures.c.notes_removed_on.is_(None) & (captures.c.captured_at < meta) & \
                    ((func.coalesce(captures.c.notes, "") != "") | acknowledged)
                rows = await conn.execute(
                    select(captures.c.capture_id, text_due.label("text"),
                           shot_due.label("shot"), notes_due.label("notes"),
                           captures.c.screenshot_sha256)
                    .where(captures.c.school_id == school, or_(text_due, shot_due, notes_due))
                    .order_by(captures.c.captured_at))
                found += [Due(r.capture_id, school, la, bool(r.text), bool(r.shot),
                              r.screenshot_sha256, bool(r.notes)) for r in rows]
        return found

    async def purge_due(self, as_of: datetime, la_id: str | None = None) -> PurgeReport:
        due = await self.due(as_of.date(), la_id)
        # The captures losing their screenshot in this run, by image: the object goes unless a
        # capture outside them still shows it.
        going: dict[str, set[str]] = {}
        for item in due:
            if item.screenshot and item.sha256:
                going.setdefault(item.sha256, set()).add(item.capture_id)
        purged = 0
        for i, item in enumerate(due, start=1):
            purged += await self._purge(item, as_of, going.get(item.sha256 or "", set()))
            if i % 100 == 0 or i == len(due):
                log.info("capture retention: %d/%d due captures done", i, len(due))
        return PurgeReport(records=purged, checked=len(due))

    async def _purge(self, item: Due, as_of: datetime, going: set[str]) -> int:
        deleted = False
        if item.screenshot and item.sha256 and not await self._shared(item.sha256, going):
            async with self.screenshots.session() as bucket:
                await bucket.delete(item.sha256)
            deleted = True
        reason = " and ".join(
            f"{t.value} retention" for t, on in ((RecordType.CAPTURE_TEXT, item.text),
                                                 (RecordType.SCREENSHOT, item.screenshot),
                                                 (RecordType.CAPTURE_METADATA, item.notes))
            if on)
        outcome = await self.kit.bus.execute(
            capture, item.capture_id,
            Purge(item.school_id, item.la_id, item.text, item.screenshot, as_of.date(), reason,
                  deleted, item.notes,
                  await self._filed_notes(item.capture_id) if item.notes else ()),
            Metadata(school_id=item.school_id, occurred_at=as_of))
        return 1 if outcome.envelopes else 0

    async def _filed_notes(self, capture_id: str) -> tuple[str, ...]:
        """The refs of every note filed with the capture: its grades', its escalations', its
        alerts' and their acknowledgements' (not its text: excerpt and trigger)."""
        c = content.content.c
        async with self.kit.db.read() as conn:
            return tuple((await conn.execute(select(distinct(c.ref)).where(
                c.aggregate_type == capture.aggregate_type, c.aggregate_id == capture_id,
                c.field.in_([*NOTE_FIELDS, NOTE])).order_by(c.ref))).scalars())

    async def _shared(self, sha256: str, going: set[str]) -> bool:
        """A capture other than `going` still shows the image. (A capture with the same bytes
        arriving within the read model's lag of a purge could lose its image: purges run on
        months-old captures, so that is accepted.)"""
        async with self.kit.db.read() as conn:
            other = (await conn.execute(select(captures.c.capture_id).where(
                captures.c.screenshot_sha256 == sha256,
                captures.c.capture_id.not_in(sorted(going))).limit(1))).first()
        return other is not None

    def timer(self) -> periodic.Job:
        async def run() -> int:
            return (await self.purge_due(self.clock())).records

        return periodic.every(EVERY_SECONDS, run, "capture_retention_purge",
                              "capture retention purged %d captures", log)


def _cutoff(as_of: date, period: tuple[int, bool] | None) -> datetime:
    """Records from before this moment are due; with no period nothing is."""
    if period is None:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.combine(months_before(as_of, period[0]), time(), UTC)
