"""The template decider: given events, when a command, then events (or an error)."""

from __future__ import annotations

from datetime import date

import pytest

from services.agreement.domain.commands import CreateTemplate, PublishVersion
from services.agreement.domain.events import Audience, TemplateCreated, VersionPublished
from services.agreement.domain.template import Publish, TemplateCommand, template
from shared.errors import AlreadyExists, InvalidInput, NotFound
from shared.events import Event

SCHOOL = "oakridge"
TID = "oakridge.staff"
CREATED = TemplateCreated(template_id=TID, school_id=SCHOOL, audience=Audience.STAFF,
                          title="Staff AUP")
V1 = VersionPublished(template_id=TID, school_id=SCHOOL, audience=Audience.STAFF, version=1,
                      text="# v1", effective_from=date(2025, 9, 1), grace_days=14,
                      published_by="head")


def when(given: list[Event], command: TemplateCommand) -> list[Event]:
    return list(template.decide(command, template.fold(given)))


def publish(school: str = SCHOOL, on: date = date(2026, 1, 5)) -> Publish:
    return Publish(PublishVersion(school_id=school, template_id=TID, text="# v2",
                                  effective_from=on, grace_days=10), published_by="head")


class TestCreate:
    def test_a_template_is_named_by_school_and_audience(self) -> None:
        cmd = CreateTemplate(school_id=SCHOOL, audience=Audience.STAFF, title="Staff AUP")
        assert when([], cmd) == [CREATED]

    def test_one_template_per_school_and_audience(self) -> None:
        cmd = CreateTemplate(school_id=SCHOOL, audience=Audience.STAFF, title="Again")
        with pytest.raises(AlreadyExists):
            when([CREATED], cmd)


class TestPublish:
    def test_versions_are_numbered_in_order(self) -> None:
        [event] = when([CREATED, V1], publish())
        assert isinstance(event, VersionPublished)
        assert (event.version, event.grace_days, event.published_by) == (2, 10, "head")

    def test_the_first_version_is_one(self) -> None:
        [event] = when([CREATED], publish())
        assert isinstance(event, VersionPublished) and event.version == 1

    @pytest.mark.parametrize("given", [[], [CREATED]])
    def test_another_schools_template_is_not_found(self, given: list[Event]) -> None:
        school = "glenfield" if given else SCHOOL
        with pytest.raises(NotFound):
            when(given, publish(school=school))

    def test_a_version_cannot_take_effect_before_the_previous(self) -> None:
        with pytest.raises(InvalidInput) as err:
            when([CREATED, V1], publish(on=date(2025, 8, 1)))
        assert err.value.field == "effective_from"


class TestCurrentVersion:
    def test_an_older_signature_counts_until_the_grace_period_ends(self) -> None:
        v2 = V1.model_copy(update={"version": 2, "effective_from": date(2026, 1, 5),
                                   "grace_days": 10})
        state = template.fold([CREATED, V1, v2])
        assert state.accepts(1, date(2026, 1, 4))  # v2 not yet in effect
        assert state.accepts(1, date(2026, 1, 14))
        assert not state.accepts(1, date(2026, 1, 15))
        assert state.accepts(2, date(2026, 1, 15))
