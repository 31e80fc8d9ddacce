"""The keyword library's entry points, and the matcher each school's triage uses.

The matcher is built from the library's own streams (not a projection), so a phrase counts
from the moment it is stored; it is rebuilt only when one of the two streams has moved on.
"""

from __future__ import annotations

from services.capture.contracts import (
    AddLibraryPhrases,
    AddSchoolPhrase,
    ExcludeSchoolPhrase,
    ListPhrases,
    PhraseView,
    RemoveLibraryPhrase,
)
from services.capture.domain import library as lib
from services.capture.domain.events import Phrase
from services.capture.domain.triage import Matcher, effective
from shared.claims import LA_ROLES, SAFEGUARDING_ROLES, Claims, Role
from shared.events import Metadata
from shared.rpc import RpcRouter
from shared.service import Kit

# Who may tune a school's phrases: its safeguarding leads and its ICT/e-safety leads.
SCHOOL_EDITORS = SAFEGUARDING_ROLES | {Role.ICT_LEAD, Role.ESAFETY_COORDINATOR}
READERS = SCHOOL_EDITORS | LA_ROLES


class Keywords:
    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self._cache: dict[tuple[str, str], tuple[tuple[int, ...], Matcher]] = {}

    async def matcher(self, la_id: str, school_id: str) -> Matcher:
        streams = [(lib.library.aggregate_type, la_id),
                   (lib.school_keywords.aggregate_type, school_id)]
        found = await self.kit.store.versions(streams)
        now = tuple(found[s] for s in streams)
        hit = self._cache.get((la_id, school_id))
        if hit is not None and hit[0] == now:
            return hit[1]
        matcher = Matcher(effective(*await self.states(la_id, school_id)))
        self._cache[(la_id, school_id)] = (now, matcher)
        return matcher

    async def states(self, la_id: str, school_id: str) -> tuple[lib.Library, lib.SchoolKeywords]:
        la, _ = await self.kit.bus.load(lib.library, la_id)
        school, _ = await self.kit.bus.load(lib.school_keywords, school_id)
        return la, school

    def routes(self, rpc: RpcRouter) -> None:
        bus = self.kit.bus

        @rpc.handler("AddLibraryPhrases")
        async def add(cmd: AddLibraryPhrases, caller: Claims) -> dict[str, int]:
            caller.require_role(caller.la_id, LA_ROLES)
            phrases = tuple(Phrase(**p.model_dump()) for p in cmd.phrases)
            done = await bus.execute(lib.library, caller.la_id,
                                     lib.AddPhrases(caller.la_id, phrases, caller.subject),
                                     Metadata(school_id=caller.la_id))
            return {"phrases": len(done.state.phrases)}

        @rpc.handler("RemoveLibraryPhrase")
        async def remove(cmd: RemoveLibraryPhrase, caller: Claims) -> dict[str, int]:
            caller.require_role(caller.la_id, LA_ROLES)
            done = await bus.execute(lib.library, caller.la_id,
                                     lib.RemovePhrase(caller.la_id, cmd.phrase, caller.subject),
                                     Metadata(school_id=caller.la_id))
            return {"phrases": len(done.state.phrases)}

        @rpc.handler("AddSchoolPhrase")
        async def add_school(cmd: AddSchoolPhrase, caller: Claims) -> dict[str, str]:
            caller.require_role(cmd.school_id, SCHOOL_EDITORS | LA_ROLES)
            phrase = Phrase(phrase=cmd.phrase, category=cmd.category, severity=cmd.severity)
            await bus.execute(lib.school_keywords, cmd.school_id,
                              lib.AddSchoolPhrase(phrase, cmd.reason, caller.subject),
                              Metadata(school_id=cmd.school_id))
            return {"phrase": lib.normalise(cmd.phrase)}

        @rpc.handler("ExcludeSchoolPhrase")
        async def exclude(cmd: ExcludeSchoolPhrase, caller: Claims) -> dict[str, str]:
            caller.require_role(cmd.school_id, SCHOOL_EDITORS | LA_ROLES)
            la, _ = await bus.load(lib.library, caller.la_id)
            known = lib.normalise(cmd.phrase) in la.phrases
            await bus.execute(lib.school_keywords, cmd.school_id,
                              lib.ExcludePhrase(cmd.phrase, cmd.reason, caller.subject, known),
                              Metadata(school_id=cmd.school_id))
            return {"phrase": lib.normalise(cmd.phrase)}

        @rpc.handler("ListPhrases")
        async def list_phrases(q: ListPhrases, caller: Claims) -> list[PhraseView]:
            caller.require_role(q.school_id or caller.la_id, READERS)
            la, school = await self.states(caller.la_id, q.school_id or "")
            found = [PhraseView(**p.model_dump(), source="la",
                                excluded_reason=school.excluded.get(k))
                     for k, p in la.phrases.items()]
            found += [PhraseView(**p.model_dump(), source="school") for p in school.added.values()]
            return sorted(found, key=lambda v: (v.category.value, -v.severity, v.phrase))
