"""Oakridge's demo matrices are its policy's §17 tables, tick for tick: the tables are parsed
from a copy of the policy text (`tests/fixtures/`) and every row is checked against the data
file the demo publishes (`services/sanction/matrices/oakridge.json`).

The policy's tables are tab-separated: the first cell is the incident, then one cell per action
column, "X" where ticked (read by position; the pupil table's last row stops one cell short,
which is an empty cell). The "continued infringements" row is the escalation."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.sanction.demo import policy
from services.sanction.domain.commands import PublishMatrix
from services.sanction.domain.events import MatrixAudience

POLICY = Path(__file__).resolve().parents[1] / "fixtures" / "oakridge-esafety-policy-2024.txt"
HEADERS = {"Pupils Incidents": MatrixAudience.PUPIL, "Staff Incidents": MatrixAudience.STAFF}
CONTINUED = "Continued infringements"


def section_17() -> dict[MatrixAudience, tuple[list[str], list[tuple[str, list[int]]]]]:
    """audience -> (the action columns' headings, [(row text, ticked column indexes)])."""
    lines = POLICY.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("17. Actions"))
    tables: dict[MatrixAudience, tuple[list[str], list[tuple[str, list[int]]]]] = {}
    current: list[tuple[str, list[int]]] = []
    for line in lines[start + 1:]:
        if line.startswith("18. "):
            break
        cells = line.split("\t")
        if cells[0] in HEADERS:
            current = []
            tables[HEADERS[cells[0]]] = ([c.strip() for c in cells[1:]], current)
        elif len(cells) > 1 and not cells[0].startswith("---") and tables:
            current.append((cells[0].strip(),
                            [i for i, c in enumerate(cells[1:]) if c.strip() == "X"]))
    return tables


TABLES = section_17()
PUBLISHED = {cmd.audience: cmd for cmd in policy("oakridge")}
CASES = [(audience, text, ticks) for audience, (_, rows) in TABLES.items()
         for text, ticks in rows]


def test_both_tables_are_read_whole() -> None:
    assert {a: len(rows) for a, (_, rows) in TABLES.items()} == {MatrixAudience.PUPIL: 13,
                                                               MatrixAudience.STAFF: 15}
    assert {a: len(cols) for a, (cols, _) in TABLES.items()} == {MatrixAudience.PUPIL: 8,
                                                               MatrixAudience.STAFF: 7}


@pytest.mark.parametrize("audience", list(MatrixAudience))
def test_the_columns_are_the_policys_actions_in_its_order(audience: MatrixAudience) -> None:
    headings, _ = TABLES[audience]
    labels = [c.label for c in PUBLISHED[audience].actions]
    assert len(labels) == len(headings)
    for label, heading in zip(labels, headings, strict=True):
        # The policy's headings are cut short in the text ("Refer to Local Authority /").
        assert label.startswith(heading.rstrip(" /")), (label, heading)


@pytest.mark.parametrize(("audience", "text", "ticks"), CASES,
                         ids=[f"{a.value}-{n}" for n, (a, _, _) in enumerate(CASES)])
def test_every_row_gives_exactly_the_policys_ticks(audience: MatrixAudience, text: str,
                                                   ticks: list[int]) -> None:
    matrix: PublishMatrix = PUBLISHED[audience]
    expected = [matrix.actions[i].key for i in ticks]
    if text.startswith(CONTINUED):
        assert matrix.escalation is not None and matrix.escalation.label == text
        assert matrix.escalation.actions == expected
        return
    [row] = [r for r in matrix.rows if r.label == text]
    assert row.actions == expected


def test_nothing_is_published_that_the_policy_does_not_have() -> None:
    for audience, (_, rows) in TABLES.items():
        texts = {text for text, _ in rows if not text.startswith(CONTINUED)}
        assert {r.label for r in PUBLISHED[audience].rows} == texts


def test_the_effects_follow_the_action() -> None:
    pupil = {c.key: c for c in PUBLISHED[MatrixAudience.PUPIL].actions}
    assert (pupil["parents"].effect, pupil["remove_access"].effect,
            pupil["technical_support"].effect) == ("parent_task", "remove_access",
                                                   "ict_referral")
    assert {k for k, c in pupil.items() if c.sanction} == {"remove_access", "warning",
                                                          "further_sanction"}
    staff = {c.key: c for c in PUBLISHED[MatrixAudience.STAFF].actions}
    assert {k for k, c in staff.items() if c.sanction} == {"warning", "suspension",
                                                          "disciplinary"}
