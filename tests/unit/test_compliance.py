"""The compliance deciders: given events, when a command, then events (or an error)."""

from __future__ import annotations

from datetime import date

import pytest

from services.compliance.domain.commands import (
    AssignResponsibility,
    PublishPolicyVersion,
    RecordProvisionCheck,
    RecordProvisionReview,
)
from services.compliance.domain.events import (
    CheckResult,
    PolicyVersionPublished,
    ProvisionChecked,
    ProvisionReviewed,
    Responsibility,
    ResponsibilityAssigned,
)
from services.compliance.domain.policy import Publishing, policy
from services.compliance.domain.provision import Acting, provision
from shared.errors import AlreadyExists, InvalidInput
from shared.events import Event

S = "oakridge"
TODAY = date(2026, 11, 23)
HEAD = "oakridge-head"
ASSIGN = AssignResponsibility(school_id=S, responsibility=Responsibility.IT_PROVIDER,
                              holder="Northshire Schools ICT")
ASSIGNED = ResponsibilityAssigned(school_id=S, responsibility=Responsibility.IT_PROVIDER,
                                  holder="Northshire Schools ICT", assigned_by=HEAD)
REVIEW = RecordProvisionReview(school_id=S, reviewed_on=date(2026, 9, 10),
                               participants=["Helen Whitmore", "Kathryn Lincoln"],
                               findings="Filtering blocks the IWF list; monitoring alerts reach "
                                        "the DSL within minutes.")
REVIEWED = ProvisionReviewed(school_id=S, reviewed_on=date(2026, 9, 10), reviewed_by=HEAD,
                             participants=["Helen Whitmore", "Kathryn Lincoln"],
                             findings=REVIEW.findings, actions="none",
                             next_due=date(2027, 9, 10))


def when(given: list[Event], command: object, actor: str = HEAD) -> list[Event]:
    if isinstance(command, PublishPolicyVersion):
        return list(policy.decide(Publishing(command, actor), policy.fold(given)))
    assert isinstance(command, AssignResponsibility | RecordProvisionReview
                      | RecordProvisionCheck)
    return list(provision.decide(Acting(command, actor, TODAY, check_id="c1"),
                                 provision.fold(given)))


class TestResponsibilities:
    def test_named_once_and_again_only_when_it_changes(self) -> None:
        assert when([], ASSIGN) == [ASSIGNED]
        assert when([ASSIGNED], ASSIGN) == []
        other = ASSIGN.model_copy(update={"holder": "Acme IT Ltd"})
        assert when([ASSIGNED], other) == [ASSIGNED.model_copy(update={"holder": "Acme IT Ltd"})]


class TestAnnualReview:
    def test_due_a_year_on_unless_the_school_says_sooner(self) -> None:
        assert when([], REVIEW) == [REVIEWED]
        sooner = REVIEW.model_copy(update={"next_due": date(2027, 3, 1)})
        assert when([], sooner) == [REVIEWED.model_copy(update={"next_due": date(2027, 3, 1)})]

    def test_one_review_a_day(self) -> None:
        with pytest.raises(AlreadyExists):
            when([REVIEWED], REVIEW)

    @pytest.mark.parametrize("change", [{"reviewed_on": date(2026, 11, 24)},
                                        {"next_due": date(2026, 9, 10)}])
    def test_refuses_a_future_review_or_a_due_date_before_it(self, change: dict[str, date]
                                                             ) -> None:
        with pytest.raises(InvalidInput):
            when([], REVIEW.model_copy(update=change))


class TestLogOfChecks:
    def test_each_check_is_logged_with_who_and_the_result(self) -> None:
        check = RecordProvisionCheck(school_id=S, checked_on=TODAY, result=CheckResult.PARTLY,
                                     what_tested="SWGfL test filtering on the Year 6 laptops",
                                     actions="Two laptops re-enrolled in the filter")
        assert when([], check, actor="oakridge-technician") == [ProvisionChecked(
            school_id=S, check_id="c1", checked_on=TODAY, checked_by="oakridge-technician",
            what_tested=check.what_tested, result=CheckResult.PARTLY, actions=check.actions)]

    def test_refuses_a_check_dated_in_the_future(self) -> None:
        with pytest.raises(InvalidInput):
            when([], RecordProvisionCheck(school_id=S, checked_on=date(2027, 1, 1),
                                          what_tested="x", result=CheckResult.PASSED))


class TestPolicyDocument:
    PUBLISH = PublishPolicyVersion(school_id=S, title="E-Safety Policy",
                                   effective_from=date(2026, 9, 1), next_review=date(2027, 9, 1),
                                   named_roles={"e-safety co-ordinator": "Emma Perkin"})

    def test_versions_are_numbered_in_turn(self) -> None:
        first = when([], self.PUBLISH)
        assert first == [PolicyVersionPublished(**self.PUBLISH.model_dump(), version=1,
                                                published_by=HEAD)]
        assert [e.version for e in when(first, self.PUBLISH)  # type: ignore[attr-defined]
                ] == [2]

    def test_the_review_comes_after_the_policy_takes_effect(self) -> None:
        with pytest.raises(InvalidInput):
            when([], self.PUBLISH.model_copy(update={"next_review": date(2026, 9, 1)}))
