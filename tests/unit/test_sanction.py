"""The sanction deciders: given events, when a command, then events (or an error)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from services.sanction.domain.commands import (
    AddAction,
    CompleteTask,
    PublishMatrix,
    SkipAction,
    TakeAction,
)
from services.sanction.domain.events import (
    ActionAdded,
    ActionSkipped,
    ActionTaken,
    Column,
    Effect,
    Escalation,
    IctReferralMade,
    InternetAccessRemovalOrdered,
    MatrixAudience,
    MatrixPublished,
    ParentContactTaskOpened,
    Row,
    SanctionRecommended,
    TaskCompleted,
)
from services.sanction.domain.matrix import Publish, matrix
from services.sanction.domain.record import Acting, Recommend, RecordCommand, record, task_id
from shared.errors import AlreadyExists, InvalidInput, NotFound
from shared.events import Event

SCHOOL, PUPIL, AT = "oakridge", "p1", datetime(2026, 10, 5, 10, 30, tzinfo=UTC)
HEAD = Column(key="headteacher", label="Refer to Headteacher")
PARENTS = Column(key="parents", label="Inform parents / carers", effect=Effect.PARENT_TASK)
REMOVE = Column(key="remove_access", label="Removal of network / internet access",
                effect=Effect.REMOVE_ACCESS, sanction=True)
TECH = Column(key="technical_support", label="Refer to technical support",
              effect=Effect.ICT_REFERRAL)
WARNING = Column(key="warning", label="Warning", sanction=True)
FURTHER = Column(key="further_sanction", label="Further sanction", sanction=True)
ACTIONS = [HEAD, TECH, PARENTS, REMOVE, WARNING, FURTHER]
ROWS = [Row(key="sharing-credentials", label="Sharing passwords",
            actions=["headteacher", "warning"]),
        Row(key="proxy-sites", label="Using proxy sites",
            actions=["headteacher", "remove_access", "further_sanction"]),
        Row(key="offensive-material", label="Offensive material",
            actions=["headteacher", "technical_support"])]
CONTINUED = Escalation(label="Continued infringements",
                       actions=["headteacher", "parents", "remove_access", "further_sanction"])
PUBLISH = PublishMatrix(school_id=SCHOOL, audience=MatrixAudience.PUPIL, actions=ACTIONS, rows=ROWS,
                        escalation=CONTINUED, window_days=365)
V1 = MatrixPublished(school_id=SCHOOL, audience=MatrixAudience.PUPIL, version=1, actions=ACTIONS,
                     rows=ROWS, escalation=CONTINUED, window_days=365, by="head")
POLICY = matrix.fold([V1])


def when(given: Sequence[Event], command: RecordCommand) -> list[Event]:
    return list(record.decide(command, record.fold(given)))


def recommend(incident: str = "inc-1", incident_type: str = "sharing-credentials",
              at: datetime = AT) -> Recommend:
    return Recommend(school_id=SCHOOL, incident_id=incident, person_id=PUPIL,
                     person_name="Amy Ng", audience=MatrixAudience.PUPIL,
                     incident_type=incident_type, matrix=POLICY, at=at)


def recommended(incident: str = "inc-1", row: Row = ROWS[0], extra: tuple[Column, ...] = (),
                earlier: tuple[str, ...] = ()) -> SanctionRecommended:
    keys = [*row.actions, *(c.key for c in extra)]
    return SanctionRecommended(
        incident_id=incident, person_id=PUPIL, person_name="Amy Ng", audience=MatrixAudience.PUPIL,
        incident_type=row.key, row_label=row.label, matrix_version=1,
        actions=[c for c in ACTIONS if c.key in keys], escalation=[c.key for c in extra],
        earlier=list(earlier))


def taken(action: Column, incident: str = "inc-1", at: datetime = AT) -> ActionTaken:
    return ActionTaken(incident_id=incident, person_id=PUPIL, action=action.key,
                       label=action.label, sanction=action.sanction, notes="", by="dsl",
                       taken_at=at)


def acting(cmd: TakeAction | SkipAction | AddAction | CompleteTask,
           column: Column | None = None) -> Acting:
    return Acting(cmd, "dsl", AT, column=column)


def take(action: str, **extra: object) -> Acting:
    return acting(TakeAction(school_id=SCHOOL, incident_id="inc-1", person_id=PUPIL,
                             action=action, **extra))


class TestMatrix:
    def test_publishing_numbers_the_versions(self) -> None:
        assert matrix.decide(Publish(PUBLISH, "head"), matrix.initial) == [V1]
        [v2] = matrix.decide(Publish(PUBLISH, "dsl", "Daniel Fisher"), POLICY)
        assert isinstance(v2, MatrixPublished)
        assert (v2.version, v2.by, v2.by_name) == (2, "dsl", "Daniel Fisher")

    def test_a_tick_must_name_a_column(self) -> None:
        bad = PUBLISH.model_copy(update={"rows": [Row(key="x", label="X", actions=["jail"])]})
        with pytest.raises(InvalidInput, match="jail"):
            matrix.decide(Publish(bad, "head"), matrix.initial)
        esc = PUBLISH.model_copy(update={"escalation": Escalation(label="c", actions=["nope"])})
        with pytest.raises(InvalidInput, match="nope"):
            matrix.decide(Publish(esc, "head"), matrix.initial)

    def test_keys_are_unique(self) -> None:
        twice = PUBLISH.model_copy(update={"rows": [ROWS[0], ROWS[0]]})
        with pytest.raises(InvalidInput, match="same key"):
            matrix.decide(Publish(twice, "head"), matrix.initial)


class TestRecommendation:
    def test_the_rows_actions_are_recommended(self) -> None:
        assert when([], recommend()) == [recommended()]

    def test_once_per_incident_and_type(self) -> None:
        assert when([recommended()], recommend()) == []

    def test_a_new_type_recommends_again(self) -> None:
        assert when([recommended()], recommend(incident_type="proxy-sites")) == [
            recommended(row=ROWS[1])]

    def test_a_type_not_in_this_matrix_recommends_nothing(self) -> None:
        assert when([], recommend(incident_type="staff-only-type")) == []

    def test_earlier_warnings_within_the_window_escalate(self) -> None:
        given = [recommended("inc-0"), taken(WARNING, "inc-0", AT - timedelta(days=30))]
        assert when(given, recommend()) == [recommended(
            extra=(PARENTS, REMOVE, FURTHER), earlier=("inc-0",))]

    def test_warnings_older_than_the_window_do_not(self) -> None:
        given = [recommended("inc-0"), taken(WARNING, "inc-0", AT - timedelta(days=400))]
        assert when(given, recommend()) == [recommended()]

    def test_a_referral_is_not_a_warning_or_sanction(self) -> None:
        given = [recommended("inc-0"), taken(HEAD, "inc-0", AT - timedelta(days=3))]
        assert when(given, recommend()) == [recommended()]

    def test_no_escalation_row_no_escalation(self) -> None:
        calm = matrix.fold([V1.model_copy(update={"escalation": None})])
        given = [recommended("inc-0"), taken(WARNING, "inc-0", AT - timedelta(days=3))]
        cmd = Recommend(school_id=SCHOOL, incident_id="inc-1", person_id=PUPIL,
                        person_name="Amy Ng", audience=MatrixAudience.PUPIL,
                        incident_type="sharing-credentials", matrix=calm, at=AT)
        assert when(given, cmd) == [recommended()]


class TestOverride:
    @pytest.mark.parametrize("reason", ["", "   "])
    def test_dropping_needs_a_reason(self, reason: str) -> None:
        cmd = SkipAction(school_id=SCHOOL, incident_id="inc-1", person_id=PUPIL,
                         action="warning", reason=reason)
        with pytest.raises(InvalidInput, match="reason") as err:
            when([recommended()], acting(cmd))
        assert err.value.field == "reason"

    def test_dropping_with_a_reason_is_recorded(self) -> None:
        cmd = SkipAction(school_id=SCHOOL, incident_id="inc-1", person_id=PUPIL,
                         action="warning", reason="first offence, very young")
        assert when([recommended()], acting(cmd)) == [ActionSkipped(
            incident_id="inc-1", person_id=PUPIL, action="warning",
            reason="first offence, very young", by="dsl")]

    def test_adding_needs_a_reason_and_a_column_of_the_matrix(self) -> None:
        cmd = AddAction(school_id=SCHOOL, incident_id="inc-1", person_id=PUPIL,
                        action="parents", reason="")
        with pytest.raises(InvalidInput, match="reason"):
            when([recommended()], acting(cmd, PARENTS))
        with_reason = cmd.model_copy(update={"reason": "parents asked to be told"})
        with pytest.raises(InvalidInput, match="not an action"):
            when([recommended()], acting(with_reason, None))
        assert when([recommended()], acting(with_reason, PARENTS)) == [ActionAdded(
            incident_id="inc-1", person_id=PUPIL, action=PARENTS,
            reason="parents asked to be told", by="dsl")]

    def test_an_action_on_the_list_is_not_added_twice(self) -> None:
        cmd = AddAction(school_id=SCHOOL, incident_id="inc-1", person_id=PUPIL,
                        action="warning", reason="x")
        with pytest.raises(AlreadyExists):
            when([recommended()], acting(cmd, WARNING))


class TestActions:
    def test_taking_records_who_and_notes(self) -> None:
        [event] = when([recommended()], take("warning", notes="spoken to"))
        assert event == taken(WARNING).model_copy(update={"notes": "spoken to"})

    def test_only_recommended_or_added_actions_are_taken(self) -> None:
        with pytest.raises(InvalidInput, match="not recommended"):
            when([recommended()], take("parents"))
        with pytest.raises(AlreadyExists):
            when([recommended(), taken(WARNING)], take("warning"))
        skipped = ActionSkipped(incident_id="inc-1", person_id=PUPIL, action="warning",
                                reason="x", by="dsl")
        with pytest.raises(InvalidInput, match="dropped"):
            when([recommended(), skipped], take("warning"))
        with pytest.raises(NotFound):
            when([], take("warning"))

    def test_informing_parents_opens_a_task_until_done(self) -> None:
        given = [recommended(extra=(PARENTS,))]
        tid = task_id("inc-1", PUPIL, "parents")
        assert when(given, take("parents")) == [
            taken(PARENTS), ParentContactTaskOpened(task_id=tid, incident_id="inc-1",
                                                    person_id=PUPIL, person_name="Amy Ng")]
        opened = [*given, *when(given, take("parents"))]
        done = CompleteTask(school_id=SCHOOL, person_id=PUPIL, task_id=tid, notes="phoned mum")
        completed = when(opened, acting(done))
        assert completed == [TaskCompleted(task_id=tid, incident_id="inc-1", person_id=PUPIL,
                                           notes="phoned mum", by="dsl")]
        with pytest.raises(InvalidInput, match="done already"):
            when([*opened, *completed], acting(done))
        with pytest.raises(NotFound):
            when(given, acting(done))

    def test_removal_of_access_is_ordered_until_a_date(self) -> None:
        given = [recommended(row=ROWS[1])]
        until = date(2026, 10, 19)
        assert when(given, take("remove_access", until=until)) == [
            taken(REMOVE), InternetAccessRemovalOrdered(
                person_id=PUPIL, school_id=SCHOOL, until=until, reason=REMOVE.label,
                incident_id="inc-1")]
        for bad in (None, AT.date()):
            with pytest.raises(InvalidInput) as err:
                when(given, take("remove_access", until=bad))
            assert err.value.field == "until"

    def test_technical_support_gets_a_referral(self) -> None:
        given = [recommended(row=ROWS[2])]
        assert when(given, take("technical_support", notes="block the site")) == [
            taken(TECH).model_copy(update={"notes": "block the site"}),
            IctReferralMade(incident_id="inc-1", person_id=PUPIL, audience=MatrixAudience.PUPIL,
                            notes="block the site", by="dsl")]

    def test_what_was_taken_stays_when_the_type_changes(self) -> None:
        given = [recommended(), taken(WARNING), recommended(row=ROWS[1])]
        with pytest.raises(AlreadyExists):
            when(given, take("warning"))
        assert when(given, take("headteacher")) == [taken(HEAD)]
