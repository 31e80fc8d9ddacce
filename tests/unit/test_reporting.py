"""Reports from given facts (pure): the numbers, time travel, governors' aggregates, the LA
overview and emerging risks; and the issued-report decider (given / when / then)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from uuid import uuid4

import pytest

from services.reporting.domain import periods
from services.reporting.domain.events import (
    ExportFormat,
    MonthlyReportIssued,
    MonthlyReportNotified,
    ReportExported,
)
from services.reporting.domain.facts import Fact, Kind, rules_text
from services.reporting.domain.governors import governors
from services.reporting.domain.ledger import fold
from services.reporting.domain.monthly import monthly
from services.reporting.domain.overview import overview
from services.reporting.domain.report import Export, Issue, report
from services.reporting.domain.risks import emerging
from services.reporting.facts_of import fact_of
from services.sanction.domain.events import ActionTaken
from shared.errors import AlreadyExists, InvalidInput, NotFound
from shared.events import Envelope, Event

A, B = "oakridge", "glenfield"
OCT = datetime(2026, 10, 1, tzinfo=UTC)
_ids = count()


def fact(kind: Kind, subject: str, at: datetime, school: str = A, **more: Any) -> Fact:
    return Fact(fact_id=f"f{next(_ids):05d}", school_id=school, kind=kind, subject=subject,
                occurred_at=more.pop("occurred_at", at), recorded_at=at,
                **more)


def capture(cid: str, at: datetime, category: str = "bullying", severity: int = 3,
            grade: str | None = None, graded_after: timedelta = timedelta(minutes=30),
            school: str = A, phrases: str | None = None) -> list[Fact]:
    out = [fact(Kind.CAPTURE_RECEIVED, cid, at, school),
           fact(Kind.CAPTURE_TRIAGED, cid, at, school, category=category, severity=severity,
                detail=phrases, version=2)]
    if grade:
        out.append(fact(Kind.CAPTURE_GRADED, cid, at + graded_after, school, outcome=grade,
                        version=3))
    return out


def month_facts() -> list[Fact]:
    d = OCT + timedelta(days=4, hours=9)
    facts = [fact(Kind.SCHOOL, A, OCT - timedelta(days=60), detail="Oakridge Primary"),
             fact(Kind.ACCESS_RULES, A, OCT - timedelta(days=60),
                  detail=rules_text({"pupil": ["pupil", "parent_consent"], "staff": ["staff"]})),
             fact(Kind.PERSON, "p1", OCT - timedelta(days=50), detail="pupil"),
             fact(Kind.PERSON, "p2", OCT - timedelta(days=50), detail="pupil"),
             fact(Kind.PERSON, "s1", OCT - timedelta(days=50), detail="staff"),
             fact(Kind.AGREEMENT_SIGNED, "p1", OCT - timedelta(days=40), category="pupil"),
             fact(Kind.AGREEMENT_SIGNED, "p1", OCT - timedelta(days=40),
                  category="parent_consent"),
             fact(Kind.AGREEMENT_SIGNED, "p2", OCT - timedelta(days=40), category="pupil"),
             fact(Kind.ACCESS, "p2", OCT - timedelta(days=40), outcome="suspended"),
             fact(Kind.AGREEMENT_SIGNED, "s1", OCT - timedelta(days=40), category="staff"),
             # September: not in October's figures
             *capture("c0", OCT - timedelta(days=3), grade="concern"),
             *capture("c1", d, grade="violation", graded_after=timedelta(minutes=20)),
             *capture("c2", d, category="self_harm", severity=5,
                      grade="urgent_child_protection", graded_after=timedelta(minutes=10)),
             *capture("c3", d + timedelta(days=1), grade="false_positive",
                      graded_after=timedelta(minutes=60)),
             *capture("c4", d + timedelta(days=1)),  # still waiting
             fact(Kind.ALERT_RAISED, "al1", d + timedelta(minutes=10), outcome="urgent",
                  detail="c2", due_at=d + timedelta(minutes=40)),
             fact(Kind.ALERT_ACKNOWLEDGED, "al1", d + timedelta(minutes=25),
                  occurred_at=d + timedelta(minutes=25)),
             fact(Kind.ALERT_RAISED, "al2", d + timedelta(minutes=20), outcome="urgent",
                  detail="c1", due_at=d + timedelta(minutes=50)),
             fact(Kind.ALERT_ESCALATED, "al2", d + timedelta(minutes=51)),
             fact(Kind.INCIDENT_REPORTED, "capture-c1", d + timedelta(minutes=21),
                  outcome="capture", detail="c1"),
             fact(Kind.INCIDENT_CLASSIFIED, "capture-c1", d + timedelta(minutes=21),
                  category="conduct", detail="cyber-bullying"),
             fact(Kind.INCIDENT_REPORTED, "inc-2", d + timedelta(days=2), outcome="staff"),
             fact(Kind.INCIDENT_REFERRED, "inc-2", d + timedelta(days=3), outcome="police"),
             fact(Kind.INCIDENT_STATUS, "inc-2", d + timedelta(days=4), outcome="closed")]
    return facts


NAMES = {"p1": "Amy Ng", "p2": "Ben Ode", "s1": "Sue Staff"}


class TestMonthlyReport:
    def test_a_seeded_month_gives_its_numbers(self) -> None:
        at = OCT + timedelta(days=40)
        [school] = fold(month_facts(), at).values()
        r = monthly(school, periods.month("2026-10"), at, NAMES)
        assert r.school_name == "Oakridge Primary"
        assert (r.captures.received, r.captures.moderated) == (4, 3)
        assert r.captures.by_category == {"bullying": 3, "self_harm": 1}
        assert r.captures.by_severity == {"3": 3, "5": 1}
        assert r.captures.by_outcome == {"false_positive": 1, "urgent_child_protection": 1,
                                         "violation": 1}
        assert r.captures.per_day == {"2026-10-05": 2, "2026-10-06": 2}
        assert r.turnaround.received_to_graded.count == 3
        assert r.turnaround.received_to_graded.median_minutes == 20.0
        assert r.turnaround.received_to_graded.max_minutes == 60.0
        assert r.turnaround.raised_to_acknowledged.median_minutes == 15.0
        assert r.turnaround.received_to_acknowledged.median_minutes == 25.0
        assert r.alerts.model_dump() == {"raised": 2, "urgent": 2, "acknowledged": 1,
                                         "escalated": 1, "sla_breaches": 1}
        assert [(v.capture_id, v.incident_id) for v in r.violations] == [
            ("c1", "capture-c1"), ("c2", None)]
        assert r.incidents.reported == 2 and r.incidents.referred == 1
        assert r.incidents.closed == 1
        assert r.incidents.by_category == {"conduct": 1, "unclassified": 1}
        assert r.incidents.by_type == {"cyber-bullying": 1, "unclassified": 1}
        assert r.incidents.by_source == {"capture": 1, "staff": 1}
        assert [(p.name, p.missing) for p in r.compliance.needing_signature] == [
            ("Ben Ode", ["parent_consent"])]
        assert [p.name for p in r.compliance.suspended] == ["Ben Ode"]
        assert r.open_items.awaiting_moderation == 1
        assert r.open_items.unacknowledged_alerts == 1
        assert r.open_items.open_incidents == 1
        assert r.actions.total == 0

    def test_sanctions_and_actions_taken_are_counted_from_the_sanction_events(self) -> None:
        taken = ActionTaken(incident_id="i1", person_id="p1", action="remove_access",
                            label="Removal of network / internet access", sanction=True,
                            notes="two weeks", by="s1", taken_at=OCT + timedelta(days=6))
        env = Envelope(event_id=uuid4(), type=ActionTaken.type_name, schema_version=1,
                       school_id=A, aggregate_type="sanction-record", aggregate_id="p1",
                       aggregate_version=3, occurred_at=OCT + timedelta(days=6),
                       correlation_id=uuid4(), payload=taken.model_dump(mode="json"))
        made = fact_of(env, taken)
        assert made is not None and made.kind is Kind.ACTION_TAKEN
        at = OCT + timedelta(days=40)
        [school] = fold([*month_facts(), made], at).values()
        r = monthly(school, periods.month("2026-10"), at, NAMES)
        assert (r.actions.total, r.actions.by_action) == (1, {"remove_access": 1})
        assert monthly(school, periods.month("2026-09"), at, NAMES).actions.total == 0

    def test_as_of_a_past_moment_gives_what_was_known_then(self) -> None:
        then = OCT + timedelta(days=4, hours=9, minutes=15)  # c1, c2 received; c2 graded
        [school] = fold(month_facts(), then).values()
        r = monthly(school, periods.month("2026-10"), then, NAMES)
        assert (r.captures.received, r.captures.moderated) == (2, 1)
        assert r.captures.by_outcome == {"urgent_child_protection": 1}
        assert r.alerts.raised == 1 and r.alerts.sla_breaches == 0
        assert r.incidents.reported == 0 and r.violations[0].capture_id == "c2"

    def test_a_left_person_no_longer_needs_to_sign(self) -> None:
        at = OCT + timedelta(days=40)
        left = fact(Kind.PERSON_LEFT, "p2", OCT + timedelta(days=20))
        [school] = fold([*month_facts(), left], at).values()
        r = monthly(school, periods.month("2026-10"), at, NAMES)
        assert r.compliance.needing_signature == [] and r.compliance.suspended == []

    def test_withdrawn_consent_is_missing_again(self) -> None:
        at = OCT + timedelta(days=40)
        gone = fact(Kind.CONSENT_WITHDRAWN, "p1", OCT + timedelta(days=20),
                    category="parent_consent")
        [school] = fold([*month_facts(), gone], at).values()
        r = monthly(school, periods.month("2026-10"), at, NAMES)
        assert {p.person_id for p in r.compliance.needing_signature} == {"p1", "p2"}

    def test_events_of_one_transaction_are_ordered_by_their_version(self) -> None:
        received, triaged = capture("c9", OCT, category="drugs")
        # Same recorded time; the triage's id sorts first: the version still orders them.
        early = triaged.but(fact_id="a")
        [school] = fold([early, received]).values()
        assert school.captures["c9"].category == "drugs"

    def test_months_are_checked(self) -> None:
        with pytest.raises(InvalidInput):
            periods.month("2026-13")
        assert periods.month("2026-12").end == datetime(2027, 1, 1, tzinfo=UTC)
        assert periods.previous_month("2026-01") == "2025-12"


class TestGovernorsReport:
    def test_aggregates_and_the_trend_against_last_term(self) -> None:
        facts = [*month_facts(),
                 *capture("s1", datetime(2026, 5, 5, tzinfo=UTC), grade="concern"),
                 fact(Kind.INCIDENT_REPORTED, "inc-s", datetime(2026, 5, 6, tzinfo=UTC),
                      outcome="pupil"),
                 fact(Kind.REVIEW_RECORDED, "2026-autumn", OCT + timedelta(days=50),
                      detail="2026-autumn")]
        at = datetime(2027, 1, 5, tzinfo=UTC)
        term, prev = periods.term("2026-autumn"), periods.term("2026-summer")
        r = governors(fold(facts, at)[A], fold(facts, prev.end)[A], term, prev, at)
        assert r.previous_term == "2026-summer"
        assert r.this_term.incidents_reported == 2 and r.last_term.incidents_reported == 1
        assert r.this_term.captures_received == 5 and r.last_term.captures_received == 1
        assert r.this_term.log_reviewed and not r.last_term.log_reviewed
        assert r.this_term.people_needing_signature == 1
        trend = {t.figure: (t.this_term, t.previous_term, t.change) for t in r.trends}
        assert trend["captures_received"] == (5, 1, 4)
        dumped = r.model_dump_json()
        for secret in ("Amy", "Ben", "p1", "p2", "c1", "inc-2"):
            assert secret not in dumped

    def test_terms_follow_the_incident_log(self) -> None:
        assert periods.previous_term("2027-spring") == "2026-autumn"
        assert periods.previous_term("2026-autumn") == "2026-summer"
        assert periods.term_of(datetime(2026, 11, 3, tzinfo=UTC)) == "2026-autumn"


class TestLaOverview:
    def test_backlog_breaches_and_overdue_reviews_per_school(self) -> None:
        at = OCT + timedelta(days=40)
        facts = [*month_facts(), fact(Kind.SCHOOL, B, OCT, B, detail="Glenfield"),
                 *capture("g1", OCT + timedelta(days=30), school=B, grade="concern"),
                 fact(Kind.REVIEW_RECORDED, "2026-summer", OCT, B, detail="2026-summer"),
                 fact(Kind.PERSON, "la-admin", OCT, "testshire", detail="la_staff")]
        o = overview(fold(facts, at), at)
        by = {s.school_id: s for s in o.schools}
        assert set(by) == {A, B}  # not the LA's own staff
        assert by[A].backlog == 1 and by[A].oldest_backlog_hours == round(
            (at - (OCT + timedelta(days=5, hours=9))).total_seconds() / 3600, 1)
        assert by[A].sla_breaches == 1 and by[A].review_due == "2026-summer"
        assert by[A].people_needing_signature == 1 and by[A].flagged
        assert by[B].backlog == 0 and by[B].review_due is None and not by[B].flagged
        assert by[B].captures_last_30_days == 1 and by[A].captures_last_30_days == 0
        assert (o.backlog, o.sla_breaches) == (1, 1)


class TestEmergingRisks:
    def week(self, school: str, n: int, category: str, end: datetime,
             phrase: str | None = None) -> list[Fact]:
        return [f for i in range(n)
                for f in capture(f"{school}-{category}-{end.date()}-{i}",
                                 end - timedelta(hours=i + 1), category, school=school,
                                 phrases=phrase)]

    def test_a_category_rising_in_three_schools_is_flagged_with_evidence(self) -> None:
        at = datetime(2026, 11, 20, tzinfo=UTC)
        facts: list[Fact] = []
        for school in ("s1", "s2", "s3"):
            facts += self.week(school, 4, "gambling", at, phrase="bet now")
            facts += self.week(school, 1, "gambling", at - timedelta(days=10))
        facts += self.week("s4", 4, "gambling", at)  # rising too, no phrase
        facts += self.week("s4", 8, "bullying", at - timedelta(days=8))  # steady bullying
        facts += self.week("s4", 8, "bullying", at)
        facts += self.week("s1", 5, "drugs", at)  # one school only
        risks = emerging(fold(facts, at), at)
        assert [(r.kind, r.value, r.schools) for r in risks] == [
            ("category", "gambling", 4), ("phrase", "bet now", 3)]
        assert risks[0].evidence[0].model_dump() == {"school_id": "s1", "this_week": 4,
                                                     "trailing_mean": 0.25}

    def test_a_steady_level_is_not_a_rise(self) -> None:
        at = datetime(2026, 11, 20, tzinfo=UTC)
        facts: list[Fact] = []
        for school in ("s1", "s2", "s3"):
            for weeks_ago in range(5):
                facts += self.week(school, 3, "gambling", at - timedelta(days=7 * weeks_ago))
        assert emerging(fold(facts, at), at) == []


ISSUE = Issue("r1", A, "2026-10", OCT, "head", False, {"captures_received": 4}, ["h2", "h1"])


def when(given: list[Event], command: Issue | Export) -> list[Event]:
    return list(report.decide(command, report.fold(given)))


class TestIssuedReport:
    def test_issuing_announces_and_notifies_the_headteachers(self) -> None:
        assert when([], ISSUE) == [
            MonthlyReportIssued(report_id="r1", school_id=A, month="2026-10", as_of=OCT,
                                issued_by="head", scheduled=False,
                                summary={"captures_received": 4}),
            MonthlyReportNotified(report_id="r1", school_id=A, month="2026-10",
                                  roles=["headteacher"], recipients=["h1", "h2"])]

    def test_a_report_is_issued_once(self) -> None:
        with pytest.raises(AlreadyExists):
            when(when([], ISSUE), ISSUE)

    def test_exports_are_recorded_and_need_an_issued_report(self) -> None:
        export = Export("r1", ExportFormat.PDF, "gov", "Gill", ["dsl"])
        with pytest.raises(NotFound):
            when([], export)
        assert when(when([], ISSUE), export) == [
            ReportExported(report_id="r1", format=ExportFormat.PDF, by="gov", by_name="Gill",
                           roles=["dsl"])]
