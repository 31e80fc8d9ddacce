"""Classes (teaching groups): recorded from the MIS roster or by the school, closed when gone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from services.directory.domain.commands import CloseClass, RecordClass
from services.directory.domain.events import ClassClosed, ClassRecorded
from shared.decider import Decider
from shared.errors import NotFound
from shared.events import Event

ClassCommand = RecordClass | CloseClass


@dataclass(frozen=True)
class SchoolClass:
    recorded: ClassRecorded | None = None  # as last recorded; None before the first
    open: bool = False

    @property
    def school_id(self) -> str | None:
        return self.recorded.school_id if self.recorded else None


def decide(command: ClassCommand, state: SchoolClass) -> list[Event]:
    match command:
        case RecordClass():
            now = ClassRecorded(**command.model_dump(exclude={"teacher_ids"}),
                                teacher_ids=sorted(set(command.teacher_ids)))
            if state.school_id not in (None, command.school_id):
                raise NotFound(f"no class {command.class_id} at this school", field="class_id")
            return [] if state.open and state.recorded == now else [now]
        case CloseClass(class_id=class_id):
            if state.school_id != command.school_id:
                raise NotFound(f"no class {class_id} at this school", field="class_id")
            return [ClassClosed(school_id=command.school_id, class_id=class_id)] \
                if state.open else []
        case _:
            assert_never(command)


def evolve(state: SchoolClass, event: Event) -> SchoolClass:
    match event:
        case ClassRecorded():
            return SchoolClass(recorded=event, open=True)
        case ClassClosed():
            return SchoolClass(recorded=state.recorded, open=False)
        case _:
            return state


school_class = Decider[ClassCommand, SchoolClass]("class", SchoolClass(), decide, evolve)
