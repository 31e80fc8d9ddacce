"""The compliance service's events in the reports (pure): filtering-log volumes in the
governors' report and the LA overview, and what is overdue (reviews, the policy, training)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count
from uuid import uuid4

from services.compliance.domain.events import (
    Counts,
    FilteringSummaryReceived,
    PolicyVersionPublished,
    ProvisionReviewed,
    TrainingKind,
    TrainingRecorded,
)
from services.directory.domain.events import PersonEnrolled, PersonKind, SchoolOnboarded
from services.reporting.domain import periods
from services.reporting.domain.facts import Fact, filtering_text, parse_filtering
from services.reporting.domain.governors import figures
from services.reporting.domain.ledger import fold
from services.reporting.domain.overview import line
from services.reporting.facts_of import fact_of
from shared.events import Envelope, Event

A = "oakridge"
AT = datetime(2026, 11, 23, 12, tzinfo=UTC)
_n = count(1)


def made(event: Event, at: datetime) -> Fact:
    env = Envelope(event_id=uuid4(), type=event.type_name, schema_version=1, school_id=A,
                   aggregate_type="x", aggregate_id=str(next(_n)), aggregate_version=1,
                   occurred_at=at, correlation_id=uuid4(), payload={})
    fact = fact_of(env, event)
    assert fact is not None
    return fact


def summary(sid: str, end: datetime, blocked: int) -> FilteringSummaryReceived:
    return FilteringSummaryReceived(
        school_id=A, summary_id=sid, product="netsweeper", product_summary_id=sid,
        period_start=end - timedelta(days=1), period_end=end,
        categories=[Counts(category="Pornography", blocked=blocked, allowed=0),
                    Counts(category="Social Networking", blocked=1, allowed=50)])


def staff(pid: str) -> PersonEnrolled:
    return PersonEnrolled(person_id=pid, school_id=A, kind=PersonKind.STAFF, given_name="A",
                          family_name="B")


def trained(pid: str, kind: TrainingKind, on: date) -> TrainingRecorded:
    return TrainingRecorded(school_id=A, record_id=f"{pid}{kind}{on}", person_id=pid,
                            kind=kind, completed_on=on, provider="LA", recorded_by="dsl")


BEFORE = AT - timedelta(days=200)
FACTS = [
    made(SchoolOnboarded(school_id=A, la_id="la", name="Oakridge", urn="1",
                         phase="primary"), BEFORE),
    made(staff("s1"), BEFORE), made(staff("s2"), BEFORE), made(staff("s3"), BEFORE),
    made(trained("s1", TrainingKind.INDUCTION, date(2026, 9, 1)), BEFORE),
    made(trained("s2", TrainingKind.INDUCTION, date(2025, 9, 1)), BEFORE),  # lapsed
    made(summary("n1", AT - timedelta(days=5), 10), AT - timedelta(days=5)),
    made(summary("n2", AT - timedelta(days=45), 7), AT - timedelta(days=45)),
    made(PolicyVersionPublished(school_id=A, version=1, title="Policy",
                                effective_from=date(2025, 11, 1),
                                next_review=date(2026, 11, 1), named_roles={},
                                published_by="head"), BEFORE),
]


def test_the_overview_shows_filtering_volumes_and_what_is_overdue() -> None:
    [school] = fold(FACTS, AT).values()
    row = line(school, AT)
    assert (row.filtering_blocked_last_30_days, row.filtering_allowed_last_30_days) == (11, 50)
    assert (row.filtering_review_overdue, row.policy_review_overdue) == (True, True)
    assert row.training_overdue == 2  # s2 lapsed, s3 never trained
    assert row.compliance_overdue

    reviewed = made(ProvisionReviewed(school_id=A, reviewed_on=date(2026, 11, 20),
                                      reviewed_by="head", participants=[], findings="ok",
                                      actions="none", next_due=date(2027, 11, 20)), AT)
    republished = made(PolicyVersionPublished(
        school_id=A, version=2, title="Policy", effective_from=date(2026, 11, 20),
        next_review=date(2027, 11, 1), named_roles={}, published_by="head"), AT)
    [after] = fold([*FACTS, reviewed, republished], AT).values()
    row = line(after, AT)
    assert (row.filtering_review_overdue, row.policy_review_overdue) == (False, False)


def test_governors_see_the_terms_filtering_logs_by_category() -> None:
    [school] = fold(FACTS, AT).values()
    autumn = figures(school, periods.term("2026-autumn"), AT)
    assert (autumn.filtering_blocked, autumn.filtering_allowed) == (19, 100)
    assert autumn.filtering_blocked_by_category == {"Pornography": 17,
                                                    "Social Networking": 2}
    assert autumn.training_overdue == 2


def test_a_summary_with_many_categories_fits_one_fact() -> None:
    many = [(f"category {i:04d}", i, 1) for i in range(400)]
    blocked, allowed, by = parse_filtering(filtering_text(many))
    assert (blocked, allowed) == (sum(range(400)), 400)  # totals stay whole
    assert by["category 0399"] == (399, 1) and "category 0000" not in by
