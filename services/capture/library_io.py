"""CSV import and export of the keyword library over NATS request-reply: LA staff import
(bad rows come back with their reasons, good rows are stored); the library's readers export
it, with a school's exclusions and own phrases and who changed them, when and why."""

from __future__ import annotations

from services.capture.contracts import (
    MAX_PHRASES_PER_REQUEST,
    CsvRowProblem,
    ExportLibraryCsv,
    ImportLibraryCsv,
    LibraryCsv,
    LibraryImport,
)
from services.capture.domain import library as lib
from services.capture.domain import library_csv
from services.capture.domain.events import (
    Category,
    Phrase,
    SchoolPhraseAdded,
    SchoolPhraseExcluded,
)
from services.capture.keywords import READERS, Keywords
from shared.claims import LA_ROLES, Claims
from shared.events import Metadata
from shared.rpc import RpcRouter


async def school_changes(keywords: Keywords, school_id: str) -> list[library_csv.SchoolChange]:
    """The school's changes from its own stream: the audit (who, when) is in the events."""
    stream = await keywords.kit.store.load(lib.school_keywords.aggregate_type, school_id)
    changes: dict[tuple[str, str], library_csv.SchoolChange] = {}
    for env in stream:
        event = keywords.kit.registry.decode(env)
        if isinstance(event, SchoolPhraseAdded):
            change = library_csv.SchoolChange(event.phrase, "active", event.reason, event.by,
                                              env.occurred_at)
        elif isinstance(event, SchoolPhraseExcluded):
            change = library_csv.SchoolChange(
                Phrase(phrase=event.phrase, category=Category.UNCLASSIFIED, severity=1),
                "excluded", event.reason, event.by, env.occurred_at)
        else:
            continue
        changes[(change.status, change.phrase.phrase)] = change
    return list(changes.values())


def routes(rpc: RpcRouter, keywords: Keywords) -> None:
    bus = keywords.kit.bus

    @rpc.handler("ImportLibraryCsv")
    async def import_csv(cmd: ImportLibraryCsv, caller: Claims) -> LibraryImport:
        caller.require_role(caller.la_id, LA_ROLES)
        phrases, problems = library_csv.read(cmd.csv)
        before, _ = await bus.load(lib.library, caller.la_id)
        added = [p for p in phrases if before.phrases.get(p.phrase) != p]
        size = len(before.phrases)
        for start in range(0, len(added), MAX_PHRASES_PER_REQUEST):
            chunk = tuple(added[start:start + MAX_PHRASES_PER_REQUEST])
            done = await bus.execute(lib.library, caller.la_id,
                                     lib.AddPhrases(caller.la_id, chunk, caller.subject),
                                     Metadata(school_id=caller.la_id))
            size = len(done.state.phrases)
        return LibraryImport(added=len(added), unchanged=len(phrases) - len(added),
                             rejected=[CsvRowProblem(**vars(p)) for p in problems],
                             phrases=size)

    @rpc.handler("ExportLibraryCsv")
    async def export_csv(q: ExportLibraryCsv, caller: Claims) -> LibraryCsv:
        caller.require_role(q.school_id or caller.la_id, READERS)
        la, _ = await bus.load(lib.library, caller.la_id)
        school = await school_changes(keywords, q.school_id) if q.school_id else []
        return LibraryCsv(csv=library_csv.write(list(la.phrases.values()), school))
