"""Demo agreements for Oakridge and Glenfield, loaded through the service's own RPC as the
platform (`system_claims`), after the directory's demo (`services.directory.demo`).

Glenfield's staff and pupil agreements are its policy's Appendix 1 and 2, verbatim (the form's
NAME / SIGNATURE / DATE lines are what a signature records); Oakridge's are its policy's own rules
(§1 responsibilities, §4, §6, §7, §12, §18), quoted. The consent texts' closing sentence is ours.
A school whose templates exist already is left alone, so loading twice changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from services.agreement.contracts import SERVICE
from services.agreement.domain.events import Audience
from services.directory.demo import CALLER, SETTLE_SECONDS
from shared.rpc import RpcClient

log = logging.getLogger(__name__)

TEXTS = Path(__file__).resolve().parent / "texts"
TERM_STARTS = date(2025, 9, 1)
SIGNED_ON = date(2025, 9, 3)  # the date on the demo's paper forms


class Agreement(NamedTuple):
    audience: Audience
    title: str
    text_file: str


SCHOOLS: dict[str, tuple[Agreement, ...]] = {
    "oakridge": (
        Agreement(Audience.STAFF, "Staff Acceptable ICT Use Agreement", "oakridge-staff.md"),
        Agreement(Audience.PUPIL, "Pupil Acceptable Use Rules", "oakridge-pupil.md"),
        Agreement(Audience.PARENT_CONSENT, "Parent/carer consent for internet access",
                  "oakridge-parent-consent.md"),
        Agreement(Audience.PHOTO_CONSENT, "Parent/carer consent for photographs",
                  "oakridge-photo-consent.md"),
    ),
    "glenfield": (
        Agreement(Audience.STAFF, "Acceptable Use Agreement \u2013 Staff", "glenfield-staff.md"),
        Agreement(Audience.PUPIL, "Acceptable Use Policy for Primary Pupils",
                  "glenfield-pupil.md"),
        Agreement(Audience.PARENT_CONSENT, "Parent/carer consent for internet access",
                  "glenfield-parent-consent.md"),
    ),
}


async def load_demo(rpc: RpcClient) -> None:
    for school_id, agreements in SCHOOLS.items():
        if await _call(rpc, "ListTemplates", school_id=school_id):
            log.info("agreement demo for %s is loaded already", school_id)
            continue
        for a in agreements:
            created = await _call(rpc, "CreateTemplate", school_id=school_id,
                                  audience=a.audience, title=a.title)
            await _call(rpc, "PublishVersion", school_id=school_id,
                        template_id=created["template_id"], text=_text(a.text_file),
                        effective_from=TERM_STARTS, grace_days=14)
        await _signatures(rpc, school_id, await _people(rpc, school_id))


def _text(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8")


async def _call(rpc: RpcClient, name: str, **body: Any) -> Any:
    return await rpc.call(SERVICE, name, body, CALLER)


async def _people(rpc: RpcClient, school_id: str) -> list[dict[str, Any]]:
    """The directory's people, once the agreement service has caught up with them."""
    page = await rpc.call("directory", "ListPeople", {"school_id": school_id, "limit": 500},
                          CALLER)
    assert page["total"] == len(page["items"]), "a demo school fits in one page"
    wanted = {p["person_id"] for p in page["items"]}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_SECONDS
    while {r["person_id"] for r in (await _call(rpc, "GetRegister", school_id=school_id,
                                                limit=500))["items"]} < wanted:
        if loop.time() > deadline:
            raise RuntimeError(f"the agreement service has not caught up with {school_id}")
        await asyncio.sleep(0.2)
    return list(page["items"])


async def _signatures(rpc: RpcClient, school_id: str, people: list[dict[str, Any]]) -> None:
    """Most staff and pupils signed on paper at the start of term; a few are left outstanding,
    and one photo consent is withdrawn, so that every state shows."""
    async def sign(signer: str, audience: Audience, on_behalf_of: str | None = None) -> None:
        await _call(rpc, "SignAgreement", school_id=school_id, person_id=signer,
                    template_id=f"{school_id}.{audience.value}", version=1, method="paper",
                    signed_on=SIGNED_ON, on_behalf_of=on_behalf_of)

    staff = [p for p in people if p["kind"] == "staff"]
    for member in staff[:-1]:
        await sign(member["person_id"], Audience.STAFF)
    pupils = [p for p in people if p["kind"] == "pupil"]
    for n, pupil in enumerate(pupils):
        await sign(pupil["person_id"], Audience.PUPIL)
        if not pupil["guardians"] or n % 4 == 3:
            continue
        carer = pupil["guardians"][0]["person_id"]
        await sign(carer, Audience.PARENT_CONSENT, pupil["person_id"])
        if Audience.PHOTO_CONSENT in {a.audience for a in SCHOOLS[school_id]}:
            await sign(carer, Audience.PHOTO_CONSENT, pupil["person_id"])
            if pupil["person_id"] == f"{school_id}-p01":
                await _call(rpc, "WithdrawConsent", school_id=school_id, person_id=carer,
                            audience=Audience.PHOTO_CONSENT, on_behalf_of=pupil["person_id"],
                            reason="does not want photos of their child online")
