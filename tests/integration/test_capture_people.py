"""Username -> person: a capture's username resolves to the one person of its school that the
directory's events name by it (login, MIS id, email or its local part); unresolved captures
stay visible as such, and a later roster that brings the username resolves them."""

from __future__ import annotations

from typing import Any

from shared.claims import Scope
from tests.integration import test_capture_alerts as alerts
from tests.integration.test_capture_alerts import SYSTEM, Env
from tests.integration.test_capture_service import KEY_A, MOD1, A, B, item, key
from tests.support.procs import eventually

KEY_B = key(B, Scope.CAPTURES_WRITE)
env = alerts.env  # the directory and capture services on a private NATS


async def directory(env: Env, name: str, **body: Any) -> None:
    await env.rpc.call("directory", name, body, SYSTEM)


async def ingest(env: Env, caller: Any, school: str, *items: dict[str, Any]) -> list[str]:
    done = await env.call("IngestCaptures", caller, school_id=school, captures=list(items))
    assert done["accepted"] == len(items), done
    return [str(r["capture_id"]) for r in done["results"]]


async def people_of(env: Env, school: str, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    async def rows() -> dict[str, tuple[Any, ...]]:
        page = await env.call("ListQueue", MOD1, school_id=school)
        return {c["capture_id"]: (c["person_id"], c["person_name"], c["person_resolved"])
                for c in page["items"] if c["capture_id"] in ids}
    return await eventually(rows, lambda r: len(r) == len(ids))


class TestResolution:
    async def test_usernames_resolve_within_the_school_and_later_rosters_resolve_old_ones(
            self, env: Env) -> None:
        await directory(env, "EnrolPerson", school_id=A, person_id="p-jt", kind="pupil",
                        year_group=8,
                        given_name="Jo", family_name="Turner", mis_id="MIS-77",
                        email="JTurner@oak.example")
        # Glenfield has its own jturner: never matched for Oakridge's captures.
        await directory(env, "EnrolPerson", school_id=B, person_id="p-jt-b", kind="pupil",
                        year_group=8,
                        given_name="Jay", family_name="Turner", email="jturner@gln.example")
        await eventually(lambda: env.applied("capture-people"), lambda n: n == 6)

        by_email, by_local, by_mis, unknown = await ingest(
            env, KEY_A, A, item("r1", username="jturner@oak.example"),
            item("r2", username="OAK\\JTurner"), item("r3", username="mis-77"),
            item("r4", username="oak\\mstone"))
        [glen] = await ingest(env, KEY_B, B, item("r5", username="gln\\jturner"))
        [glen_unknown] = await ingest(env, KEY_B, B, item("r6", username="gln\\mstone"))

        seen = await people_of(env, A, [by_email, by_local, by_mis, unknown])
        assert seen[by_email] == seen[by_local] == seen[by_mis] == ("p-jt", "Jo Turner", True)
        assert seen[unknown] == (None, None, False)
        assert (await people_of(env, B, [glen]))[glen][0] == "p-jt-b"

        # A later roster brings mstone (Oakridge only): the earlier capture resolves.
        done = await env.rpc.call("directory", "SyncRoster", {
            "school_id": A, "people": [{"mis_id": "MIS-90", "kind": "pupil",
                                        "year_group": 8,
                                        "given_name": "Mia", "family_name": "Stone",
                                        "email": "mstone@oak.example"}]}, SYSTEM)
        assert len(done["created"]) == 1

        async def resolved() -> tuple[Any, ...]:
            return (await people_of(env, A, [unknown]))[unknown]
        pid, name, ok = await eventually(resolved, lambda r: r[2])
        assert (name, ok) == ("Mia Stone", True) and pid
        assert (await people_of(env, B, [glen_unknown]))[glen_unknown] == (None, None, False)

    async def test_a_username_two_people_share_stays_unresolved(self, env: Env) -> None:
        for pid, email in (("p-a1", "sam@oak.example"), ("p-a2", "sam@oak-staff.example")):
            await directory(env, "EnrolPerson", school_id=A, person_id=pid, kind="pupil",
                        year_group=8,
                            given_name="Sam", family_name=pid, email=email)
        await eventually(lambda: env.applied("capture-people"), lambda n: n == 6)
        ambiguous, exact = await ingest(env, KEY_A, A, item("s1", username="oak\\sam"),
                                        item("s2", username="sam@oak.example"))
        seen = await people_of(env, A, [ambiguous, exact])
        assert seen[ambiguous] == (None, None, False)
        assert seen[exact][0] == "p-a1"
