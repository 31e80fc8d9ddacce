"""The LA moderation queue and the school's view of moderated captures: claim, release,
grade, regrade, bulk false positives, detail with history, and audited screenshot views."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
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
from services.capture.domain.events import CaptureModerated, CaptureRegraded, Grade
from services.capture.screenshots import ScreenshotStore
from shared import content
from shared.audit import RecordKind, record_view
from shared.claims import LA_ROLES, SAFEGUARDING_ROLES, Claims, Role
from shared.content import Erasable, new_ref
from shared.errors import DomainError, NotFound
from shared.events import Clock, Metadata
from shared.rpc import RpcRouter
from shared.service import Kit

MODERATORS = LA_ROLES
# A school sees its own captures once graded concern or worse, never the raw queue.
CONCERN_READERS = frozenset({Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL, Role.ICT_LEAD})
SCREENSHOT_VIEWERS = SAFEGUARDING_ROLES
GRADES = frozenset({CaptureModerated.type_name, CaptureRegraded.type_name})


@dataclass
class Moderation:
    kit: Kit
    screenshots: ScreenshotStore
    clock: Clock
    claim_minutes: int = 15

    async def run(self, school_id: str, capture_id: str, command: CaptureCommand,
                  at: datetime) -> None:
        """A grade's notes (and a regrade's reason) go to the erasable content, the event
        carries their ref."""
        meta = Metadata(school_id=school_id, occurred_at=at)
        kept: Erasable | None = None
        if isinstance(command, Moderate | Regrade):
            text = {"notes": command.notes.strip()}
            if isinstance(command, Regrade):
                text["reason"] = command.reason.strip()
            if any(text.values()):
                kept = Erasable(new_ref(), school_id, capture.aggregate_type, capture_id, text)
                command = replace(command, content_ref=kept.ref)
        await self.kit.bus.execute(capture, capture_id, command, meta,
                                   keep=[kept] if kept else [])

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
            caller.require_school_role(school_id, MODERATORS)
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
            # A grade's notes and reason are shown while kept (the events hold their ref).
            graded = [e.payload.get("content_ref") for e in stored if e.type in GRADES]
            async with kit.db.read() as conn:
                kept = await content.texts_in(conn, graded)
            history = [HistoryEntry(type=e.type, at=e.occurred_at, version=e.aggregate_version,
                                    data={**e.payload, **kept.get(e.payload.get("content_ref")
                                                                  or "", {})}
                                    if e.type in GRADES else e.payload) for e in stored]
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
        if state.screenshot_removed_on is not None:
            raise NotFound(f"the screenshot was removed under retention on "
                           f"{state.screenshot_removed_on.isoformat()}", field="capture_id")
        if state.screenshot_sha256 is None:
            raise NotFound("this capture has no screenshot", field="capture_id")
        # Recorded before the image leaves: a view that cannot be audited does not happen.
        await record_view(self.kit.store, q.school_id, caller, RecordKind.SCREENSHOT,
                          q.capture_id, [await self._person_of(q.school_id, q.capture_id)],
                          "ViewScreenshot", at=self.clock())
        sha = state.screenshot_sha256
        async with self.screenshots.session() as bucket:
            found = await bucket.find(sha)
            if found is None:
                raise NotFound("the screenshot is not in the store", field="capture_id")
            inline = found.size <= INLINE_SCREENSHOT_BYTES
            data = base64.b64encode(await bucket.get(sha)).decode() if inline else None
        return Screenshot(capture_id=q.capture_id, sha256=sha, content_type=found.content_type,
                          size=found.size, data_base64=data)

    async def _person_of(self, school_id: str, capture_id: str) -> str:
        """Whose capture it is, as far as the read model has resolved it yet."""
        try:
            return (await self._fresh(school_id, capture_id)).person_id or ""
        except NotFound:
            return ""

    async def _fresh(self, school_id: str, capture_id: str) -> CaptureView:
        """The projected row (eventually consistent: it may lag the command just run)."""
        return await queries.capture(self.kit.db, school_id, capture_id)
