"""Capture queries and mutations: each resolver is one RPC to the capture service (ingest
and large screenshots also use the screenshot store, see `ingest.py`)."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import base64

import strawberry

from services.capture.contracts import SERVICE
from services.capture.screenshots import bucket_on
from services.gateway.capture.enums import Category, Grade
from services.gateway.capture.ingest import ingest
from services.gateway.capture.inputs import (
    CaptureInput,
    CaptureRefInput,
    GradeInput,
    PhraseInput,
    QueueFilter,
)
from services.gateway.capture.review import ReviewMutation, ReviewQuery
from services.gateway.capture.types import (
    BulkGradeResult,
    Capture,
    CaptureDetail,
    CapturePage,
    IngestReport,
    KeywordPhrase,
    ScreenshotImage,
    ScreenshotViewsPage,
)
from services.gateway.context import Info, signed_in
from services.gateway.directory.inputs import body


@strawberry.type
class CaptureQuery(ReviewQuery):  # alerts, library CSV, digests and reviews too
    @strawberry.field(extensions=signed_in(),
                      description="LA moderators: ungraded captures, most severe then oldest.")
    async def moderation_queue(self, info: Info, filter: QueueFilter | None = None,
                               offset: int = 0, limit: int = 50) -> CapturePage:
        query = body(filter or QueueFilter(), offset=offset, limit=limit)
        return CapturePage.of(await info.context.call(SERVICE, "ListQueue", query))

    @strawberry.field(extensions=signed_in(), description="A capture with its full history.")
    async def capture(self, info: Info, school_id: str, capture_id: str) -> CaptureDetail:
        query = {"school_id": school_id, "capture_id": capture_id}
        return CaptureDetail.of(await info.context.call(SERVICE, "GetCapture", query))

    @strawberry.field(extensions=signed_in(),
                      description="A school's captures graded concern, violation or urgent.")
    async def school_concerns(self, info: Info, school_id: str, offset: int = 0,
                              limit: int = 50) -> CapturePage:
        query = {"school_id": school_id, "offset": offset, "limit": limit}
        return CapturePage.of(await info.context.call(SERVICE, "ListSchoolConcerns", query))

    @strawberry.field(extensions=signed_in(), description="Who viewed which screenshot.")
    async def screenshot_views(self, info: Info, school_id: str,
                               capture_id: str | None = None) -> ScreenshotViewsPage:
        query = {"school_id": school_id, "capture_id": capture_id}
        return ScreenshotViewsPage.of(await info.context.call(SERVICE, "ListScreenshotViews",
                                                              query))

    @strawberry.field(extensions=signed_in(),
                      description="The keyword library (with a school's changes if named).")
    async def keyword_phrases(self, info: Info,
                              school_id: str | None = None) -> list[KeywordPhrase]:
        found = await info.context.call(SERVICE, "ListPhrases", {"school_id": school_id})
        return [KeywordPhrase(**p) for p in found]


@strawberry.type
class CaptureMutation(ReviewMutation):
    @strawberry.mutation(extensions=signed_in(),
                         description="Integrator keys: up to 1,000 captures, results per item.")
    async def ingest_captures(self, info: Info, school_id: str,
                              captures: list[CaptureInput]) -> IngestReport:
        items = [body(c) for c in captures]
        return IngestReport.of(await ingest(info.context, school_id, items))

    @strawberry.mutation(extensions=signed_in())
    async def claim_capture(self, info: Info, school_id: str, capture_id: str) -> Capture:
        cmd = {"school_id": school_id, "capture_id": capture_id}
        return Capture.of(await info.context.call(SERVICE, "ClaimCapture", cmd))

    @strawberry.mutation(extensions=signed_in())
    async def release_capture(self, info: Info, school_id: str, capture_id: str) -> str:
        cmd = {"school_id": school_id, "capture_id": capture_id}
        return str((await info.context.call(SERVICE, "ReleaseCapture", cmd))["capture_id"])

    @strawberry.mutation(extensions=signed_in(), description="Grade a capture you claimed.")
    async def grade_capture(self, info: Info, input: GradeInput) -> Grade:
        done = await info.context.call(SERVICE, "GradeCapture", body(input))
        return Grade(done["grade"])

    @strawberry.mutation(extensions=signed_in())
    async def regrade_capture(self, info: Info, school_id: str, capture_id: str, grade: Grade,
                              reason: str, notes: str = "") -> Grade:
        cmd = {"school_id": school_id, "capture_id": capture_id, "grade": grade,
               "reason": reason, "notes": notes}
        return Grade((await info.context.call(SERVICE, "RegradeCapture", cmd))["grade"])

    @strawberry.mutation(extensions=signed_in())
    async def bulk_grade_false_positives(self, info: Info, captures: list[CaptureRefInput],
                                         notes: str = "") -> list[BulkGradeResult]:
        cmd = {"captures": [body(c) for c in captures], "notes": notes}
        done = await info.context.call(SERVICE, "BulkFalsePositive", cmd)
        return [BulkGradeResult(**b) for b in done]

    @strawberry.mutation(extensions=signed_in(),
                         description="A capture's screenshot; the view is recorded first.")
    async def view_screenshot(self, info: Info, school_id: str,
                              capture_id: str) -> ScreenshotImage:
        shot = await info.context.call(SERVICE, "ViewScreenshot",
                                       {"school_id": school_id, "capture_id": capture_id})
        data = shot["data_base64"]
        if data is None:  # too large to come back over NATS: authorised and recorded above
            bucket = await bucket_on(info.context.rpc.nc)
            data = base64.b64encode(await bucket.get(shot["sha256"])).decode()
        return ScreenshotImage(capture_id=shot["capture_id"], sha256=shot["sha256"],
                               content_type=shot["content_type"], size=shot["size"],
                               data_base64=data)

    @strawberry.mutation(extensions=signed_in(), description="LA staff: add or change phrases.")
    async def add_library_phrases(self, info: Info, phrases: list[PhraseInput]) -> int:
        done = await info.context.call(SERVICE, "AddLibraryPhrases",
                                       {"phrases": [body(p) for p in phrases]})
        return int(done["phrases"])

    @strawberry.mutation(extensions=signed_in(),
                         description="LA staff: retire a phrase; returns the library's size.")
    async def remove_library_phrase(self, info: Info, phrase: str) -> int:
        done = await info.context.call(SERVICE, "RemoveLibraryPhrase", {"phrase": phrase})
        return int(done["phrases"])

    @strawberry.mutation(extensions=signed_in(), description="A school's own phrase.")
    async def add_school_phrase(self, info: Info, school_id: str, phrase: str,
                                category: Category, severity: int, reason: str) -> str:
        cmd = {"school_id": school_id, "phrase": phrase, "category": category,
               "severity": severity, "reason": reason}
        return str((await info.context.call(SERVICE, "AddSchoolPhrase", cmd))["phrase"])

    @strawberry.mutation(extensions=signed_in(),
                         description="Stop an LA phrase matching for a school (reason audited).")
    async def exclude_school_phrase(self, info: Info, school_id: str, phrase: str,
                                    reason: str) -> str:
        cmd = {"school_id": school_id, "phrase": phrase, "reason": reason}
        return str((await info.context.call(SERVICE, "ExcludeSchoolPhrase", cmd))["phrase"])
