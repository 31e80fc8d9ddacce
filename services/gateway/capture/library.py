"""The keyword library as CSV through GraphQL: LA staff import it (a result per bad row), the
library's readers export it with a school's audited changes."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import strawberry

from services.capture.contracts import SERVICE, LibraryImport
from services.gateway.capture.alerts import AlertMutation, AlertQuery
from services.gateway.context import Info, signed_in


@strawberry.type
class CsvRowProblem:
    row: int
    phrase: str | None
    field: str | None
    reason: str


@strawberry.type
class LibraryImportReport:
    added: int = strawberry.field(description="new or changed phrases")
    unchanged: int
    rejected: list[CsvRowProblem]
    phrases: int = strawberry.field(description="the library's size after the import")


@strawberry.type
class LibraryQuery(AlertQuery):  # the alerts' fields too
    @strawberry.field(extensions=signed_in(),
                      description="The keyword library as CSV (phrase, category, severity, "
                                  "source, status, reason, by, at); with a school's exclusions "
                                  "and own phrases when it is named.")
    async def keyword_library_csv(self, info: Info, school_id: str | None = None) -> str:
        done = await info.context.call(SERVICE, "ExportLibraryCsv", {"school_id": school_id})
        return str(done["csv"])


@strawberry.type
class LibraryMutation(AlertMutation):
    @strawberry.mutation(extensions=signed_in(),
                         description="LA staff: add or change phrases from CSV (columns phrase, "
                                     "category, severity); bad rows come back with reasons.")
    async def import_keyword_library(self, info: Info, csv: str) -> LibraryImportReport:
        r = LibraryImport.model_validate(
            await info.context.call(SERVICE, "ImportLibraryCsv", {"csv": csv}))
        return LibraryImportReport(added=r.added, unchanged=r.unchanged, phrases=r.phrases,
                                   rejected=[CsvRowProblem(**p.model_dump())
                                             for p in r.rejected])
