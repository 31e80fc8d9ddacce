"""Classes as records through the gateway: recorded by the school, listed with teachers."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import A, Platform
from tests.e2e.helpers import error
from tests.support.procs import eventually

RECORD = """mutation($s: String!, $n: String!, $y: Int, $t: [String!], $c: String) {
  recordClass(schoolId: $s, name: $n, yearGroup: $y, teacherIds: $t, classId: $c) }"""
CLOSE = "mutation($s: String!, $c: String!) { closeClass(schoolId: $s, classId: $c) }"
CLASSES = """query($s: String!, $all: Boolean! = false) {
  classes(schoolId: $s, includeClosed: $all) {
    classId name yearGroup closed pupils teachers { personId name } } }"""


async def classes(platform: Platform, token: str, everything: bool = False
                  ) -> dict[str, dict[str, Any]]:
    body = await platform.gql(CLASSES, {"s": A, "all": everything}, token)
    return {c["classId"]: c for c in body["data"]["classes"]}


async def test_a_school_records_renames_and_closes_a_class(platform: Platform) -> None:
    admin = await platform.token("a.admin")
    done = await platform.gql(RECORD, {"s": A, "n": "Kestrels", "y": 3, "t": ["a-teacher"]},
                              admin)
    class_id = done["data"]["recordClass"]
    found = await eventually(lambda: classes(platform, admin), lambda c: class_id in c)
    assert found[class_id]["teachers"] == [{"personId": "a-teacher", "name": "Teacher Seeded"}]
    assert (found[class_id]["name"], found[class_id]["yearGroup"]) == ("Kestrels", 3)

    renamed = await platform.gql(RECORD, {"s": A, "n": "Hawks", "y": 3, "t": ["a-teacher"],
                                          "c": class_id}, admin)
    assert renamed["data"]["recordClass"] == class_id
    await eventually(lambda: classes(platform, admin),
                     lambda c: c.get(class_id, {}).get("name") == "Hawks")
    await platform.gql(CLOSE, {"s": A, "c": class_id}, admin)
    await eventually(lambda: classes(platform, admin), lambda c: class_id not in c)
    kept = await classes(platform, admin, everything=True)
    assert kept[class_id]["closed"] is True


async def test_only_staff_can_be_teachers_and_only_admins_record(platform: Platform) -> None:
    admin = await platform.token("a.admin")
    body = await platform.gql(RECORD, {"s": A, "n": "Owls", "t": ["b-pupil"]}, admin)
    assert error(body)["code"] == "not_found"
    body = await platform.gql(RECORD, {"s": A, "n": "Owls"}, await platform.token("a.teacher"))
    assert error(body)["code"] == "forbidden"
    body = await platform.gql(CLASSES, {"s": A}, await platform.token("b.admin"))
    assert error(body)["code"] == "forbidden"
