"""A school's matrix for one audience: versions published one after another; the newest is
the one in force. Publishing checks the matrix is whole (every tick names a column)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from services.sanction.domain.commands import PublishMatrix
from services.sanction.domain.events import Column, Escalation, MatrixPublished, Row
from shared.decider import Decider
from shared.errors import InvalidInput
from shared.events import Event


def matrix_id(school_id: str, audience: str) -> str:
    return f"{school_id}.{audience}"


@dataclass(frozen=True)
class Matrix:
    version: int = 0
    actions: tuple[Column, ...] = ()
    rows: tuple[Row, ...] = ()
    escalation: Escalation | None = None
    window_days: int = 365

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.actions if c.key == key), None)

    def columns(self, keys: list[str]) -> list[Column]:
        return [c for c in self.actions if c.key in keys]  # in the matrix's column order


@dataclass(frozen=True)
class Publish:
    command: PublishMatrix
    by: str
    by_name: str = ""


def decide(command: Publish, state: Matrix) -> list[Event]:
    match command:
        case Publish(command=cmd, by=by, by_name=name):
            _check(cmd)
            return [MatrixPublished(
                school_id=cmd.school_id, audience=cmd.audience, version=state.version + 1,
                actions=cmd.actions, rows=cmd.rows, escalation=cmd.escalation,
                window_days=cmd.window_days, by=by, by_name=name)]
        case _:
            assert_never(command)


def _check(cmd: PublishMatrix) -> None:
    columns = [c.key for c in cmd.actions]
    if len(set(columns)) != len(columns):
        raise InvalidInput("two actions have the same key", field="actions")
    rows = [r.key for r in cmd.rows]
    if len(set(rows)) != len(rows):
        raise InvalidInput("two incident types have the same key", field="rows")
    ticked = [(r.key, a) for r in cmd.rows for a in r.actions]
    if cmd.escalation:
        ticked += [("escalation", a) for a in cmd.escalation.actions]
    for where, action in ticked:
        if action not in columns:
            raise InvalidInput(f"{where} ticks {action}, which is not an action of the matrix",
                               field="rows")


def evolve(state: Matrix, event: Event) -> Matrix:
    match event:
        case MatrixPublished():
            return Matrix(version=event.version, actions=tuple(event.actions),
                          rows=tuple(event.rows), escalation=event.escalation,
                          window_days=event.window_days)
        case _:
            return state


matrix = Decider[Publish, Matrix]("sanction-matrix", Matrix(), decide, evolve)
