"""Who may see and change which school's people, through the gateway."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import LA, A, B, Platform
from tests.e2e.helpers import ASSIGN, ENROL, PEOPLE, PERSON, SCHOOLS, error, pupil
from tests.support.procs import eventually


async def _enrol_barrier(platform: Platform, school: str, person_id: str) -> None:
    """Enrol through the LA admin and wait until listed: every earlier event is applied too."""
    body = await platform.gql(ENROL, {"i": pupil(school, person_id)},
                              await platform.token("la.admin"))
    assert body["data"]["enrolPerson"]["personId"] == person_id, body
    await eventually(lambda: platform.people_of(school), lambda ids: person_id in ids)


class TestSchoolAdmin:
    async def test_enrols_a_pupil_and_sees_them(self, platform: Platform) -> None:
        token = await platform.token("a.admin")
        body = await platform.gql(ENROL, {"i": pupil(A, "a-pupil-1")}, token)
        assert body == {"data": {"enrolPerson": {"personId": "a-pupil-1"}}}

        async def pupils() -> Any:
            return (await platform.gql(PEOPLE, {"s": A, "kind": "PUPIL"}, token))["data"]

        page = await eventually(pupils, lambda d: "a-pupil-1" in str(d))
        assert {"personId": "a-pupil-1", "givenName": "Ada", "yearGroup": 5,
                "roles": []} in page["people"]["items"]

    async def test_gets_an_id_chosen_when_none_given(self, platform: Platform) -> None:
        given = pupil(A, "x")
        del given["personId"]
        body = await platform.gql(ENROL, {"i": given}, await platform.token("a.admin"))
        assert len(body["data"]["enrolPerson"]["personId"]) == 36  # a uuid

    async def test_cannot_read_or_write_another_school(self, platform: Platform) -> None:
        token = await platform.token("a.admin")
        before_events, before_b = await platform.events(), await platform.people_of(B)
        attempts: list[tuple[str, dict[str, Any]]] = [
            (PEOPLE, {"s": B}),
            (PERSON, {"s": B, "p": "b-pupil"}),
            (ENROL, {"i": pupil(B, "smuggled")}),
            (ASSIGN, {"s": B, "p": "b-pupil", "r": "TEACHER"}),
        ]
        for query, variables in attempts:
            assert error(await platform.gql(query, variables, token))["code"] == "forbidden"
        assert await platform.events() == before_events
        await _enrol_barrier(platform, B, "b-barrier-1")
        assert await platform.people_of(B) == before_b | {"b-barrier-1"}

    async def test_cannot_grant_an_la_role(self, platform: Platform) -> None:
        token = await platform.token("a.admin")
        before = await platform.events()
        body = await platform.gql(ASSIGN, {"s": A, "p": "a-staff", "r": "LA_ADMIN"}, token)
        assert error(body)["code"] == "forbidden"
        assert await platform.events() == before

    async def test_can_grant_a_school_role(self, platform: Platform) -> None:
        body = await platform.gql(ASSIGN, {"s": A, "p": "a-staff", "r": "DSL"},
                                  await platform.token("a.admin"))
        assert body == {"data": {"assignRole": {"personId": "a-staff"}}}


class TestTeacher:
    async def test_lists_people_but_cannot_enrol(self, platform: Platform) -> None:
        token = await platform.token("a.teacher")
        page = (await platform.gql(PEOPLE, {"s": A}, token))["data"]["people"]
        assert {"a-admin", "a-teacher"} <= {p["personId"] for p in page["items"]}
        before = await platform.events()
        body = await platform.gql(ENROL, {"i": pupil(A, "by-teacher")}, token)
        assert error(body)["code"] == "forbidden"
        assert await platform.events() == before


class TestLaAdmin:
    async def test_sees_every_school_of_the_la(self, platform: Platform) -> None:
        token = await platform.token("la.admin")
        schools = (await platform.gql(SCHOOLS, token=token))["data"]["schools"]
        # Other e2e modules onboard schools of their own into the same LA.
        assert {A, B} <= {s["schoolId"] for s in schools}
        assert {s["laId"] for s in schools} == {LA}
        for school, someone in ((A, "a-teacher"), (B, "b-pupil")):
            found = await platform.gql(PERSON, {"s": school, "p": someone}, token)
            assert found["data"]["person"]["personId"] == someone

    async def test_school_user_sees_only_their_school(self, platform: Platform) -> None:
        schools = (await platform.gql(SCHOOLS, token=await platform.token("a.teacher")))
        assert [s["schoolId"] for s in schools["data"]["schools"]] == [A]
