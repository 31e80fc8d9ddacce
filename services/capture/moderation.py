"""The LA moderation queue and the school's view of moderated captures: claim, release,
grade, regrade, bulk false positives, detail with history, and audited screenshot views."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from services.capture import queries
from services.capture.contracts import (
    INLINE_SCREENSHOT_BYTES,
    BulkFalsePositive,
    BulkItem,
    CaptureDetail,
    CaptureView,
    ClaimCapture,
    GetCapture,
    GradeCapture,
    HistoryEntry,
    ListQueue,
    ListSchoolConcerns,
    ListScreenshotViews,
    QueuePage,
    RegradeCapture,
    ReleaseCapture,
    Screenshot,
    ScreenshotViewsPage,
    ViewScreenshot,
)
from services.capture.domain import audit
from services.capture.domain.capture import (
    ESCALATED,
    Capture,
    CaptureCommand,
    Claim,
    Moderate,
    Regrade,
    Release,
    capture,
)
from services.capture.domain.events import Grade, ScreenshotViewed
from services.capture.ingest import Clock
from services.capture.screenshots import ScreenshotStore
from shared.claims import LA_ROLES, SAFEGUARDING_ROLES, Claims, Role
from shared.errors import DomainError, NotFound
from shared.events import Metadata
from shared.rpc import RpcRouter
from shared.service import Kit

MODERATORS = LA_ROLES
# A school sees its own captures once graded concern or worse, never the raw queue.
CONCERN_READERS = frozenset({Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL, Role.ICT_LEAD})
SCREENSHOT_VIEWERS = SAFEGUARDING_ROLES


@dataclass
class Moderation:
    kit: Kit
    screenshots: ScreenshotStore
    clock: Clock
    claim_minutes: int = 15

    async def run(self, school_id: str, capture_id: str, command: CaptureCommand,
                  at: datetime) -> None:
        meta = Metadata(school_id=school_id, occurred_at=at)
        await self.kit.bus.execute(capture, capture_id, command, meta)

    async def visible(self, school_id: str, capture_id: str, caller: Claims,
                      school_roles: frozenset[Role]) -> Capture:
        """The capture, if this caller may see it: an LA moderator of its LA, or the school's
        own roles once it is escalated. Anything else is "not found"."""
        caller.require_role(school_id, MODERATORS | school_roles)
        state, _ = await self.kit.bus.load(capture, capture_id)
        la_ok = caller.has_any(MODERATORS) and state.la_id == caller.la_id
        school_ok = (caller.school_id == school_id and caller.has_any(school_roles)
                     and state.grade in ESCALATED)
        if not state.exists or state.school_id != school_id or not (la_ok or school_ok):
            raise NotFound("no such capture at this school", field="capture_id")
        return state

    def routes(self, rpc: RpcRouter) -> None:
        kit = self.kit

        def who(caller: Claims, school_id: str) -> tuple[str, str]:
            caller.require_role(school_id, MODERATORS)
            return caller.subject, caller.la_id

        @rpc.handler("ListQueue")
        async def list_queue(q: ListQueue, caller: Claims) -> QueuePage:
            caller.require_role(q.school_id or caller.la_id, MODERATORS)
            return await queries.queue(kit.db, caller.la_id, q)

        @rpc.handler("ClaimCapture")
        async def claim(cmd: ClaimCapture, caller: Claims) -> CaptureView:
            me, la = who(caller, cmd.school_id)
            at = self.clock()
            await self.run(cmd.school_id, cmd.capture_id,
                           Claim(cmd.school_id, la, me, at, self.claim_minutes), at)
            return await self._fresh(cmd.school_id, cmd.capture_id)

        @rpc.handler("ReleaseCapture")
        async def release(cmd: ReleaseCapture, caller: Claims) -> dict[str, str]:
            me, la = who(caller, cmd.school_id)
            at = self.clock()
            await self.run(cmd.school_id, cmd.capture_id, Release(cmd.school_id, la, me, at), at)
            return {"capture_id": cmd.capture_id}

        @rpc.handler("GradeCapture")
        async def grade(cmd: GradeCapture, caller: Claims) -> dict[str, str]:
            me, la = who(caller, cmd.school_id)
            at = self.clock()
            await self.run(cmd.school_id, cmd.capture_id,
                           Moderate(cmd.school_id, la, me, cmd.grade, cmd.notes, at), at)
            return {"capture_id": cmd.capture_id, "grade": cmd.grade.value}

        @rpc.handler("RegradeCapture")
        async def regrade(cmd: RegradeCapture, caller: Claims) -> dict[str, str]:
            me, la = who(caller, cmd.school_id)
            at = self.clock()
            await self.run(cmd.school_id, cmd.capture_id,
                           Regrade(cmd.school_id, la, me, cmd.grade, cmd.reason, cmd.notes, at),
                           at)
            return {"capture_id": cmd.capture_id, "grade": cmd.grade.value}

        @rpc.handler("BulkFalsePositive")
        async def bulk(cmd: BulkFalsePositive, caller: Claims) -> list[BulkItem]:
            done = []
            for ref in cmd.captures:
                try:
                    me, la = who(caller, ref.school_id)
                    at = self.clock()
                    await self.run(ref.school_id, ref.capture_id, Moderate(
                        ref.school_id, la, me, Grade.FALSE_POSITIVE, cmd.notes, at, bulk=True),
                        at)
                    done.append(BulkItem(capture_id=ref.capture_id, ok=True))
                except DomainError as exc:
                    done.append(BulkItem(capture_id=ref.capture_id, ok=False,
                                         reason=exc.message))
            return done

        @rpc.handler("ListSchoolConcerns")
        async def concerns(q: ListSchoolConcerns, caller: Claims) -> QueuePage:
            caller.require_role(q.school_id, MODERATORS | CONCERN_READERS)
            return await queries.concerns(kit.db, q.school_id, q.offset, q.limit)

        @rpc.handler("GetCapture")
        async def get(q: GetCapture, caller: Claims) -> CaptureDetail:
            await self.visible(q.school_id, q.capture_id, caller, CONCERN_READERS)
            stored = await kit.store.load(capture.aggregate_type, q.capture_id)
            history = [HistoryEntry(type=e.type, at=e.occurred_at, version=e.aggregate_version,
                                    data=e.payload) for e in stored]
            return CaptureDetail(capture=await self._fresh(q.school_id, q.capture_id),
                                 history=history)

        @rpc.handler("ViewScreenshot")
        async def view_screenshot(q: ViewScreenshot, caller: Claims) -> Screenshot:
            return await self.view_screenshot(q, caller)

        @rpc.handler("ListScreenshotViews")
        async def list_views(q: ListScreenshotViews, caller: Claims) -> ScreenshotViewsPage:
            caller.require_role(q.school_id, MODERATORS | SCREENSHOT_VIEWERS)
            return await queries.views(kit.db, q.school_id, q.capture_id, q.offset, q.limit)

    async def view_screenshot(self, q: ViewScreenshot, caller: Claims) -> Screenshot:
        state = await self.visible(q.school_id, q.capture_id, caller, SCREENSHOT_VIEWERS)
        if state.screenshot_sha256 is None:
            raise NotFound("this capture has no screenshot", field="capture_id")
        # Recorded before the image leaves: a view that cannot be audited does not happen.
        viewed = ScreenshotViewed(capture_id=q.capture_id, viewer=caller.subject,
                                  viewer_name=caller.name, viewer_school=caller.school_id,
                                  roles=sorted(r.value for r in caller.roles))
        await self.kit.bus.execute(audit.screenshot_views, q.capture_id, audit.RecordView(viewed),
                                   Metadata(school_id=q.school_id, occurred_at=self.clock()))
        sha = state.screenshot_sha256
        async with self.screenshots.session() as bucket:
            found = await bucket.find(sha)
            if found is None:
                raise NotFound("the screenshot is not in the store", field="capture_id")
            inline = found.size <= INLINE_SCREENSHOT_BYTES
            data = base64.b64encode(await bucket.get(sha)).decode() if inline else None
        return Screenshot(capture_id=q.capture_id, sha256=sha, content_type=found.content_type,
                          size=found.size, data_base64=data)

    async def _fresh(self, school_id: str, capture_id: str) -> CaptureView:
        """The projected row (eventually consistent: it may lag the command just run)."""
        return await queries.capture(self.kit.db, school_id, capture_id)
