"""A roster's rows, checked one by one: each is a person to sync or a rejection with its reason."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from services.directory.integrations.contracts import RosterPerson, SyncRoster
from shared.claims import Role
from shared.errors import InvalidInput

# Fixed forever: a person's id is derived from the school and the MIS id, so the same row
# always lands on the same stream, even from two syncs at once.
NAMESPACE = uuid.UUID("6f1b7c1e-2b0a-4a55-9a57-2d3c8e1f0b4d")
# What an MIS may grant. Admin, head and safeguarding roles open other people's data, so
# they are the school's decision in the platform, never a side effect of a feed.
ROSTER_ROLES = frozenset({Role.TEACHER, Role.TECHNICIAN, Role.ICT_LEAD, Role.GOVERNOR})

Reject = Callable[[str, "str | None", str], None]


def person_id_for(school_id: str, mis_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{school_id}/{mis_id}"))


def class_id_for(school_id: str, mis_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{school_id}/class/{mis_id}"))


@dataclass(frozen=True)
class Row:
    label: str
    person: RosterPerson
    person_id: str


def checked_rows(req: SyncRoster, reject: Reject) -> list[Row]:
    """The rows fit to sync; every other one goes to `reject(label, mis_id, reason)`."""
    labels = req.labels or [f"people[{i}]" for i in range(len(req.people))]
    if len(labels) != len(req.people):
        raise InvalidInput("one label per row", field="labels")
    classes = {c.name for c in req.classes} if req.classes is not None else None
    rows: list[Row] = []
    for label, raw in zip(labels, req.people, strict=True):
        mis = raw.get("mis_id")
        try:
            found = RosterPerson.model_validate(raw)
        except ValidationError as exc:
            reject(label, mis if isinstance(mis, str) else None, first_error(exc))
            continue
        problem = _problem(found, classes)
        if problem:
            reject(label, found.mis_id, problem)
            continue
        rows.append(Row(label, found, person_id_for(req.school_id, found.mis_id)))
    # Every row of a repeated id is refused: which one the MIS meant cannot be known.
    twice = {m for m, n in Counter(r.person.mis_id for r in rows).items() if n > 1}
    for r in rows:
        if r.person.mis_id in twice:
            reject(r.label, r.person.mis_id, f"duplicate id {r.person.mis_id}")
    return [r for r in rows if r.person.mis_id not in twice]


def _problem(row: RosterPerson, classes: set[str] | None) -> str | None:
    if row.class_name is not None and classes is not None and row.class_name not in classes:
        return f"unknown class {row.class_name}"
    if row.date_of_birth is not None and row.date_of_birth > date.today():
        return f"bad date of birth {row.date_of_birth}: in the future"
    refused = sorted(r.value for r in row.roles - ROSTER_ROLES)
    if refused:
        return f"a roster cannot grant {', '.join(refused)}: grant it in the platform"
    return None


def first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])
