"""Retention of safeguarding records: the LA sets how long each kind of record is kept, and
which kinds a school may set for itself; a school overrides those only.

One aggregate per LA (`retention-<la>`): the LA's policy and every school's overrides decide
together, so an override is checked against the policy as it stands. Child-protection incidents
are not here: they are kept until the child is 25 whatever a policy says (the owning service
applies that rule with the pupil's date of birth).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import assert_never

from services.compliance.domain.events import (
    MAX_MONTHS,
    RecordType,
    RetentionOverrideSet,
    RetentionPolicySet,
)
from shared.decider import Decider
from shared.errors import Forbidden, InvalidInput
from shared.events import Event


@dataclass(frozen=True)
class SetPolicy:
    la_id: str
    months: dict[RecordType, int]
    school_may_set: frozenset[RecordType]
    by: str


@dataclass(frozen=True)
class SetOverride:
    la_id: str
    school_id: str
    record_type: RecordType
    months: int | None
    by: str


RetentionCommand = SetPolicy | SetOverride


@dataclass(frozen=True)
class Retention:
    months: dict[RecordType, int] = field(default_factory=dict)
    school_may_set: frozenset[RecordType] = frozenset()


def decide(command: RetentionCommand, state: Retention) -> list[Event]:
    match command:
        case SetPolicy():
            missing = sorted(set(RecordType) - set(command.months))
            if missing:
                raise InvalidInput(f"a period is needed for {', '.join(missing)}",
                                   field="months")
            _periods(command.months.values())
            return [RetentionPolicySet(la_id=command.la_id, months=command.months,
                                       school_may_set=sorted(command.school_may_set),
                                       by=command.by)]
        case SetOverride():
            if not state.months:
                raise InvalidInput("the LA has not set a retention policy yet",
                                   field="record_type")
            if command.record_type not in state.school_may_set:
                raise Forbidden(f"the LA does not let schools set {command.record_type.value}")
            if command.months is not None:
                _periods([command.months])
            return [RetentionOverrideSet(la_id=command.la_id, school_id=command.school_id,
                                         record_type=command.record_type,
                                         months=command.months, by=command.by)]
        case _:
            assert_never(command)


def _periods(months: Iterable[int]) -> None:
    for m in months:
        if not 1 <= m <= MAX_MONTHS:
            raise InvalidInput(f"a period is 1 to {MAX_MONTHS} months, not {m}", field="months")


def evolve(state: Retention, event: Event) -> Retention:
    if isinstance(event, RetentionPolicySet):
        return replace(state, months=dict(event.months),
                       school_may_set=frozenset(event.school_may_set))
    return state


retention = Decider[RetentionCommand, Retention]("retention", Retention(), decide, evolve)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day where it has fewer days)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
