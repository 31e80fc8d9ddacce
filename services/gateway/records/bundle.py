"""A subject access bundle: every service's part about one person, other pupils redacted, as
JSON (machine-readable) or PDF (readable)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

from fpdf import FPDF
from pydantic import BaseModel

from services import SERVICES
from services.compliance.audit_contracts import SubjectAccessRequestView
from services.directory.contracts import PeoplePage, PersonView
from services.gateway.context import Context
from services.gateway.records.redact import Redactor
from services.reporting.export import _latin as latin
from shared.events import now
from shared.subject_access import RPC, Part

# Every service that holds personal data answers `SubjectAccess`.
ANSWERING = SERVICES


class Bundle(BaseModel):
    request_id: str
    school_id: str
    person_id: str
    generated_at: datetime
    generated_by: str
    redaction: str = "other pupils' names and ids are replaced by [another pupil]"
    parts: list[Part]


async def collect(ctx: Context, request: SubjectAccessRequestView) -> Bundle:
    body = {"school_id": request.school_id, "person_id": request.person_id}
    parts, pupils = await asyncio.gather(
        asyncio.gather(*(ctx.call(service, RPC, body) for service in ANSWERING)),
        _pupils(ctx, request.school_id))
    redact = Redactor(p for p in pupils if p.person_id != request.person_id)
    return Bundle(request_id=request.request_id, school_id=request.school_id,
                  person_id=request.person_id, generated_at=now(),
                  generated_by=ctx.caller.name or ctx.caller.subject,
                  parts=[Part.model_validate(redact(p)) for p in parts])


async def _pupils(ctx: Context, school_id: str) -> list[PersonView]:
    """Every pupil of the school, leavers included (a leaver is still a third party)."""
    found: list[PersonView] = []
    offset, total = 0, 1
    while offset < total:
        page = PeoplePage.model_validate(await ctx.call("directory", "ListPeople", {
            "school_id": school_id, "kind": "pupil", "include_leavers": True,
            "offset": offset, "limit": 500}))
        found += page.items
        offset, total = offset + 500, page.total
    return found


def to_json(bundle: Bundle) -> bytes:
    return json.dumps(bundle.model_dump(mode="json"), indent=2, ensure_ascii=False).encode()


def to_pdf(bundle: Bundle) -> bytes:
    pdf = FPDF()
    pdf.set_title(latin(f"Subject access request: {bundle.person_id}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    _line(pdf, f"Subject access request: {_name(bundle)}")
    pdf.set_font("Helvetica", size=9)
    for text in (f"Person {bundle.person_id} at {bundle.school_id}; request {bundle.request_id}",
                 f"Generated {bundle.generated_at.isoformat(timespec='minutes')} for "
                 f"{bundle.generated_by}", f"Redaction: {bundle.redaction}"):
        _line(pdf, text)
    for part in bundle.parts:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        _line(pdf, f"{part.service}: {len(part.items)} held")
        pdf.set_font("Helvetica", size=9)
        if not part.items:
            _line(pdf, "Nothing held.")
        for item in part.items:
            at = item.at.isoformat(timespec="minutes") if item.at else ""
            _line(pdf, f"{at}  {item.kind}: {item.summary}")
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 5, latin(text), new_x="LMARGIN", new_y="NEXT")


def _name(bundle: Bundle) -> str:
    for part in bundle.parts:
        for item in part.items:
            if item.kind == "person":
                data: dict[str, Any] = item.data
                return f"{data.get('given_name', '')} {data.get('family_name', '')}".strip()
    return bundle.person_id
