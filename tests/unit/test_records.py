"""The audit event a sensitive read records, and the redaction of a subject access bundle."""

from __future__ import annotations

from datetime import UTC, datetime

from services.directory.contracts import PersonView
from services.directory.domain.events import PersonKind
from services.gateway.records.bundle import Bundle, to_json, to_pdf
from services.gateway.records.redact import REDACTED, Redactor
from shared import subject_access
from shared.audit import RecordKind, viewed
from shared.claims import Claims, Origin, Role
from shared.rpc import RpcRequest, RpcRouter, dispatch
from shared.subject_access import RPC, Item, Part, SubjectAccess
from tests.support.pdf import pdf_text

DSL = Claims(subject="a-dsl", name="Dee Esel", school_id="oak", la_id="shire",
             roles=frozenset({Role.DSL, Role.TEACHER}),
             origin=Origin(ip="192.0.2.4", user_agent="x" * 500))


def pupil(pid: str, given: str, family: str) -> PersonView:
    return PersonView(person_id=pid, school_id="oak", kind=PersonKind.PUPIL, given_name=given,
                      family_name=family, enrolled_at=datetime(2026, 9, 1, tzinfo=UTC))


class TestRecordViewed:
    def test_who_what_about_whom_and_from_where(self) -> None:
        event = viewed(DSL, RecordKind.INCIDENT, "inc-1", ["p2", "", "p1", "p2"], "GetIncident")
        assert (event.viewer, event.viewer_name, event.viewer_school) == ("a-dsl", "Dee Esel",
                                                                          "oak")
        assert event.roles == ["dsl", "teacher"]
        assert event.subjects == ["p1", "p2"]  # unnamed people dropped, each person once
        assert (event.ip, len(event.user_agent)) == ("192.0.2.4", 300)

    def test_the_platform_itself_has_no_origin(self) -> None:
        event = viewed(DSL.model_copy(update={"origin": None}), RecordKind.SCREENSHOT, "c", [],
                       "ViewScreenshot")
        assert (event.ip, event.user_agent) == ("", "")


class TestRedaction:
    redact = Redactor([pupil("p-oscar", "Oscar", "Other"), pupil("p-ann", "Ann", "Lee")])

    def test_other_pupils_names_and_ids_go_everywhere_staff_stay(self) -> None:
        value = {"description": "Oscar Other (and LEE, ANN) pushed Sally; Mr Dee Esel saw it",
                 "involved": [{"person_id": "p-oscar", "name": "Oscar Other"},
                              {"person_id": "p-sally", "name": "Sally Subject"}],
                 "count": 2, "notes": ["other oscar said so", "p-oscarine is someone else"]}
        assert self.redact(value) == {
            "description": f"{REDACTED} (and {REDACTED}) pushed Sally; Mr Dee Esel saw it",
            "involved": [{"person_id": REDACTED, "name": REDACTED},
                         {"person_id": "p-sally", "name": "Sally Subject"}],
            "count": 2, "notes": [f"{REDACTED} said so", "p-oscarine is someone else"]}

    def test_no_one_to_redact_changes_nothing(self) -> None:
        assert Redactor([])({"a": ["Oscar Other"]}) == {"a": ["Oscar Other"]}


def test_the_bundle_renders_as_json_and_pdf() -> None:
    bundle = Bundle(request_id="r" * 32, school_id="oak", person_id="p-sally",
                    generated_at=datetime(2026, 11, 2, tzinfo=UTC), generated_by="Dee Esel",
                    parts=[Part(service="directory", items=[Item(
                        kind="person", id="p-sally", summary="pupil Sally Subject",
                        data={"given_name": "Sally", "family_name": "Subject"})]),
                        Part(service="capture", items=[])])
    assert b'"service": "directory"' in to_json(bundle)
    text = pdf_text(to_pdf(bundle))
    for shown in (b"Subject access request: Sally Subject", b"pupil Sally Subject",
                  b"capture: 0 held", b"Nothing held."):
        assert shown in text


async def test_every_services_subject_access_is_for_the_dsl_head_and_la_admin() -> None:
    rpc = RpcRouter("demo")

    async def collect(q: SubjectAccess, _: Claims) -> list[Item]:
        return [Item(kind="thing", id=q.person_id, summary="held")]

    subject_access.serve(rpc, collect)

    async def ask(roles: set[Role], school: str = "oak") -> str:
        caller = Claims(subject="x", school_id=school, la_id="shire", roles=frozenset(roles))
        reply = await dispatch(RPC, rpc.routes[RPC], RpcRequest(
            caller=caller, body={"school_id": "oak", "person_id": "p1"}))
        return reply.error.code if reply.error else reply.data["service"]

    assert await ask({Role.DSL}) == await ask({Role.HEADTEACHER}) == "demo"
    assert await ask({Role.LA_ADMIN}, school="shire") == "demo"
    for roles in ({Role.DEPUTY_DSL}, {Role.TEACHER}, {Role.LA_MODERATOR}, {Role.GOVERNOR}):
        assert await ask(roles) == "forbidden", roles
    assert await ask({Role.DSL}, school="elm") == "forbidden"
