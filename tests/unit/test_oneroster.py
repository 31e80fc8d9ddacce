"""The OneRoster bundle parser: rows as the directory's roster rows, bad rows rejected."""

from __future__ import annotations

import pytest

from services.gateway.roster.oneroster import parse
from shared.errors import InvalidInput
from tests.support.oneroster import USERS, bundle, with_errors


class TestParse:
    def test_maps_pupils_staff_and_parents(self) -> None:
        parsed = parse(with_errors())
        rows = {r["mis_id"]: r for r in parsed.people}
        assert rows["P1"] == {"mis_id": "P1", "given_name": "Ada", "family_name": "Lovelace",
                              "date_of_birth": "2015-05-01", "kind": "pupil", "year_group": 5,
                              "class_name": "5B"}
        assert rows["P2"]["year_group"] == 0 and rows["P2"]["class_name"] == "RA"
        assert rows["T1"]["kind"] == "staff" and rows["T1"]["roles"] == ["teacher"]
        assert rows["G1"] == {"mis_id": "G1", "given_name": "Mary",
                              "family_name": "Lovelace", "kind": "parent",
                              "guardian_of": ["P1"], "relationship": "guardian"}
        assert "P6" not in rows  # tobedeleted: absent, so a full sync makes a leaver of it
        assert parsed.classes == [
            {"mis_id": "C5B", "name": "5B", "year_group": 5, "teachers": ["T1"]},
            {"mis_id": "CRA", "name": "RA", "year_group": 0, "teachers": []}]

    def test_rejects_rows_it_cannot_use_with_the_reason(self) -> None:
        reasons = {(r.row, r.reason) for r in parse(with_errors()).rejected}
        assert ("users.csv:4", "bad birthDate 2015-02-30") in reasons
        assert ("users.csv:5", "unknown class C9") in reasons
        assert ("enrollments.csv:6", "unknown user NOBODY") in reasons
        assert ("classes.csv:4", "unknown grade Z9") in reasons

    def test_a_pupils_agents_link_their_parents(self) -> None:
        users = [USERS, ["P1", "active", "true", "student", "", "A", "B", "", "G1", "Y3"],
                 ["G1", "active", "true", "parent", "", "C", "B", "", "", ""]]
        rows = {r["mis_id"]: r for r in parse(bundle({"users.csv": users})).people}
        assert rows["G1"]["guardian_of"] == ["P1"] and rows["P1"]["year_group"] == 3

    @pytest.mark.parametrize("data", [b"not a zip", bundle({"orgs.csv": [["sourcedId"]]})])
    def test_a_bundle_without_users_is_refused(self, data: bytes) -> None:
        with pytest.raises(InvalidInput):
            parse(data)


def test_roles_come_from_roles_csv_when_users_csv_has_none() -> None:
    users = [["sourcedId", "givenName", "familyName", "grades"], ["P1", "A", "B", "R"],
             ["T1", "C", "D", ""]]
    roles = [["sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"],
             ["r1", "P1", "primary", "student", "ORG1"], ["r2", "T1", "primary", "teacher", "ORG1"],
             ["r3", "T1", "secondary", "parent", "ORG1"]]
    rows = {r["mis_id"]: r for r in parse(bundle({"users.csv": users, "roles.csv": roles})).people}
    assert (rows["P1"]["kind"], rows["P1"]["year_group"]) == ("pupil", 0)
    assert (rows["T1"]["kind"], rows["T1"]["roles"]) == ("staff", ["teacher"])
