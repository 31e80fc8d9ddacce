"""The reporting service on a private NATS with real envelopes of the other services' events
(their own schemas, published on their streams as their relays do): a seeded month gives
exactly its numbers, "as of" gives the earlier ones, a rebuild gives identical reports,
tenancy holds, governors see no names, issued reports are announced, exported and audited."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import nats
import pytest
from nats.aio.client import Client
from sqlalchemy import select

from services.agreement.domain.events import (
    AccessRulesSet,
    AccessSuspended,
    AgreementSigned,
    Audience,
    SignMethod,
)
from services.capture.domain.events import (
    AlertAcknowledged,
    AlertRaised,
    CaptureModerated,
    CaptureReceived,
    CaptureTriaged,
    Category,
    Grade,
    Priority,
)
from services.directory.domain.events import (
    PersonEnrolled,
    PersonKind,
    Phase,
    RoleAssigned,
    SchoolOnboarded,
)
from services.incident.domain.events import (
    IncidentClassified,
    IncidentReported,
    RiskCategory,
    Source,
)
from services.reporting import issued, issuing
from services.reporting.handlers import build
from services.reporting.issued import metadata as issued_tables
from services.reporting.projections import facts
from shared.claims import Claims, Role
from shared.db import Database
from shared.errors import Forbidden, NotFound
from shared.events import Envelope, Event
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.service import Service
from shared.settings import Settings
from shared.streams import declare_service_streams, event_subject
from tests.support.inprocess import running, settings_for
from tests.support.pdf import pdf_text
from tests.support.procs import eventually

LA, A, B = "testshire", "oakridge", "glenfield"
D = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # a Monday in October 2026
END = datetime(2026, 11, 1, tzinfo=UTC)


def claims(subject: str, role: Role, school: str = A) -> Claims:
    return Claims(subject=subject, name=subject.title(), school_id=school, la_id=LA,
                  roles=frozenset({role}))


HEAD, GOVERNOR = claims("head", Role.HEADTEACHER), claims("gov", Role.GOVERNOR)
TEACHER, HEAD_B = claims("t1", Role.TEACHER), claims("b-head", Role.HEADTEACHER, B)
LA_ADMIN = claims("la-admin", Role.LA_ADMIN, LA)


def envelope(service_type: str, aggregate: str, event: Event, school: str,
             at: datetime, version: int = 1) -> Envelope:
    return Envelope(event_id=uuid4(), type=event.type_name, schema_version=event.schema_version,
                    school_id=school, aggregate_type=service_type, aggregate_id=aggregate,
                    aggregate_version=version, occurred_at=at, correlation_id=uuid4(),
                    payload=event.model_dump(mode="json"))


def seeded() -> list[tuple[str, Envelope]]:
    """(service, envelope): a month at Oakridge, and Glenfield onboarded."""
    out: list[tuple[str, Envelope]] = []

    def add(service: str, agg: str, event: Event, at: datetime, school: str = A,
            version: int = 1) -> None:
        out.append((service, envelope(service, agg, event, school, at, version)))

    before = D - timedelta(days=40)
    for school, name in ((A, "Oakridge Primary"), (B, "Glenfield Primary")):
        add("directory", school, SchoolOnboarded(school_id=school, la_id=LA, name=name,
                                                 urn="100001", phase=Phase.PRIMARY),
            before, school)
    for pid, kind, given, family in (("p1", PersonKind.PUPIL, "Amy", "Ng"),
                                     ("p2", PersonKind.PUPIL, "Ben", "Ode"),
                                     ("head", PersonKind.STAFF, "Hana", "Head")):
        add("directory", pid, PersonEnrolled(person_id=pid, school_id=A, kind=kind,
                                             given_name=given, family_name=family), before)
    add("directory", "head", RoleAssigned(person_id="head", role=Role.HEADTEACHER), before,
        version=2)
    add("agreement", A, AccessRulesSet(school_id=A, rules={
        "pupil": [Audience.PUPIL, Audience.PARENT_CONSENT], "staff": [Audience.STAFF]}), before)
    for pid, audience in (("p1", Audience.PUPIL), ("p1", Audience.PARENT_CONSENT),
                          ("p2", Audience.PUPIL), ("head", Audience.STAFF)):
        add("agreement", pid, AgreementSigned(
            person_id=pid, school_id=A, template_id=f"t-{audience.value}", audience=audience,
            version=1, method=SignMethod.ONLINE, signed_on=before.date(), signed_by=pid,
            recorded_by=pid), before)
    add("agreement", "p2", AccessSuspended(person_id="p2", school_id=A, reason="consent"),
        before)
    for i, (category, grade, minutes) in enumerate(
            ((Category.BULLYING, Grade.VIOLATION, 20), (Category.SELF_HARM, Grade.CONCERN, 40),
             (Category.GAMBLING, None, 0))):
        cid, at = f"c{i}", D + timedelta(days=i)
        add("capture", cid, CaptureReceived(
            capture_id=cid, school_id=A, la_id=LA, product="watch", product_capture_id=cid,
            captured_at=at - timedelta(minutes=1), machine="pc1", username="amy.ng"), at)
        add("capture", cid, CaptureTriaged(capture_id=cid, category=category, severity=4,
                                           priority=Priority.HIGH), at, version=2)
        if grade:
            add("capture", cid, CaptureModerated(capture_id=cid, grade=grade,
                                                 moderator="mod"),
                at + timedelta(minutes=minutes), version=3)
    add("capture", "al0", AlertRaised(
        alert_id="al0", capture_id="c0", school_id=A, la_id=LA, grade=Grade.VIOLATION,
        category=Category.BULLYING, severity=4, urgent=True, roles=["dsl"],
        recipients=[], acknowledge_by=D + timedelta(minutes=80)), D + timedelta(minutes=20))
    add("capture", "al0", AlertAcknowledged(alert_id="al0", by="head", by_name="Hana Head",
                                            at=D + timedelta(minutes=50)),
        D + timedelta(minutes=50), version=2)
    add("incident", "capture-c0", IncidentReported(
        incident_id="capture-c0", school_id=A, occurred_at=D, content_ref=None,
        came_to_light=Source.CAPTURE, reporter="system", capture_id="c0"),
        D + timedelta(minutes=20))
    add("incident", "capture-c0", IncidentClassified(
        incident_id="capture-c0", category=RiskCategory.CONDUCT, incident_type="cyber-bullying",
        cyber_bullying=True, child_protection=False, by="head"),
        D + timedelta(days=3), version=2)
    return out


async def publish(nc: Client, items: list[tuple[str, Envelope]]) -> None:
    js = nc.jetstream()
    for service in {s for s, _ in items}:
        await declare_service_streams(js, service)
    for service, env in items:
        await js.publish(event_subject(service, env), env.model_dump_json().encode(),
                         headers={"Nats-Msg-Id": str(env.event_id)})


@dataclass
class Reporting:
    service: Service
    rpc: RpcClient
    nc: Client
    settings: Settings

    async def call(self, name: str, caller: Claims, **body: Any) -> Any:
        return await self.rpc.call("reporting", name, body, caller)

    def applied(self) -> int:
        return sum(r.stats.applied for r in self.service.runners)

    async def until_applied(self, n: int) -> None:
        async def count() -> int:
            return self.applied()

        await eventually(count, lambda done: done >= n)


@pytest.fixture
async def reporting(fresh_nats: NatsServer, tmp_path: Path,
                    db_url: str) -> AsyncIterator[Reporting]:
    settings = settings_for(fresh_nats.url, tmp_path / "rep", db_url)
    nc = await nats.connect(fresh_nats.url)
    try:
        items = seeded()
        await publish(nc, items)
        async with running("reporting", build, settings) as service:
            rep = Reporting(service, RpcClient(nc), nc, settings)
            await rep.until_applied(len(items))
            yield rep
    finally:
        await nc.close()


def monthly_numbers(r: dict[str, Any]) -> dict[str, Any]:
    return {"received": r["captures"]["received"], "moderated": r["captures"]["moderated"],
            "outcomes": r["captures"]["by_outcome"], "alerts": r["alerts"],
            "incidents": r["incidents"]["reported"], "violations": r["violations"]}


class TestMonthlyReport:
    async def test_a_seeded_month_gives_exactly_its_numbers(self, reporting: Reporting) -> None:
        r = await reporting.call("MonthlyReport", HEAD, school_id=A, month="2026-10",
                                 as_of=END.isoformat())
        assert r["school_name"] == "Oakridge Primary"
        assert monthly_numbers(r) == {
            "received": 3, "moderated": 2, "outcomes": {"concern": 1, "violation": 1},
            "alerts": {"raised": 1, "urgent": 1, "acknowledged": 1, "escalated": 0,
                       "sla_breaches": 0},
            "incidents": 1,
            "violations": [{"capture_id": "c0", "grade": "violation",
                            "incident_id": "capture-c0"}]}
        assert r["captures"]["by_category"] == {"bullying": 1, "gambling": 1, "self_harm": 1}
        assert r["turnaround"]["received_to_graded"]["median_minutes"] == 30.0
        assert r["turnaround"]["raised_to_acknowledged"]["median_minutes"] == 30.0
        assert r["incidents"]["by_type"] == {"cyber-bullying": 1}
        assert [(p["name"], p["missing"]) for p in r["compliance"]["needing_signature"]] == [
            ("Ben Ode", ["parent_consent"])]
        assert [p["name"] for p in r["compliance"]["suspended"]] == ["Ben Ode"]
        assert r["open_items"]["awaiting_moderation"] == 1

    async def test_as_of_returns_the_earlier_numbers(self, reporting: Reporting) -> None:
        then = D + timedelta(minutes=30)  # c0 received and graded, alert not acknowledged
        r = await reporting.call("MonthlyReport", HEAD, school_id=A, month="2026-10",
                                 as_of=then.isoformat())
        assert monthly_numbers(r)["received"] == 1
        assert r["alerts"]["acknowledged"] == 0 and r["incidents"]["by_type"] == {
            "unclassified": 1}
        assert r["open_items"]["unacknowledged_alerts"] == 1

    async def test_a_past_month_stands_as_it_ended(self, reporting: Reporting) -> None:
        graded_later = [("capture", envelope("capture", "c2", CaptureModerated(
            capture_id="c2", grade=Grade.NO_FURTHER_ACTION, moderator="mod"), A,
            END + timedelta(days=3), version=3))]
        before = reporting.applied()
        await publish(reporting.nc, graded_later)
        await reporting.until_applied(before + 1)
        october = await reporting.call("MonthlyReport", HEAD, school_id=A, month="2026-10")
        assert october["captures"]["moderated"] == 2
        assert october["open_items"]["awaiting_moderation"] == 1
        november = await reporting.call("MonthlyReport", HEAD, school_id=A, month="2026-11",
                                        as_of=(END + timedelta(days=10)).isoformat())
        assert november["captures"]["by_outcome"] == {"no_further_action": 1}
        assert november["open_items"]["awaiting_moderation"] == 0

    async def test_rebuild_gives_identical_reports(self, reporting: Reporting) -> None:
        async def reports() -> list[Any]:
            return [await reporting.call("MonthlyReport", HEAD, school_id=A, month="2026-10",
                                         as_of=END.isoformat()),
                    await reporting.call("GovernorsReport", HEAD, school_id=A,
                                         term="2026-autumn", as_of=END.isoformat()),
                    await reporting.call("LaOverview", LA_ADMIN, as_of=END.isoformat())]

        async def fact_rows() -> list[Any]:
            async with reporting.service.db.read() as conn:
                return [tuple(r) for r in await conn.execute(
                    select(facts).order_by(facts.c.fact_id))]

        before, rows = await reports(), await fact_rows()
        await reporting.service.stop()
        wiped = Service("reporting", build, reporting.settings)
        await wiped.db.drop_tables(facts.metadata)
        await wiped.rebuild()
        await wiped.db.dispose()
        async with running("reporting", build, reporting.settings) as again:
            reporting.service = again
            assert await fact_rows() == rows and len(rows) > 20
            assert await reports() == before


class TestTenancy:
    async def test_glenfield_cannot_read_oakridges_reports(self, reporting: Reporting) -> None:
        for name, extra in (("MonthlyReport", {"month": "2026-10"}),
                            ("GovernorsReport", {"term": "2026-autumn"}),
                            ("IssuedReports", {})):
            with pytest.raises(Forbidden):
                await reporting.call(name, HEAD_B, school_id=A, **extra)
        for la_only in ("LaOverview", "EmergingRisks"):
            with pytest.raises(Forbidden):
                await reporting.call(la_only, HEAD)
        overview = await reporting.call("LaOverview", LA_ADMIN, as_of=END.isoformat())
        assert [s["school_id"] for s in overview["schools"]] == [B, A]

    async def test_governors_read_aggregates_without_names(self, reporting: Reporting) -> None:
        with pytest.raises(Forbidden):
            await reporting.call("MonthlyReport", GOVERNOR, school_id=A, month="2026-10")
        with pytest.raises(Forbidden):
            await reporting.call("GovernorsReport", TEACHER, school_id=A, term="2026-autumn")
        r = await reporting.call("GovernorsReport", GOVERNOR, school_id=A, term="2026-autumn",
                                 as_of=END.isoformat())
        assert r["this_term"]["captures_received"] == 3
        assert r["this_term"]["people_needing_signature"] == 1
        text = str(r)
        for secret in ("Amy", "Ben", "Ode", "p1", "p2", "amy.ng", "capture-c0", "c0"):
            assert secret not in text


class TestIssuedReports:
    async def test_on_demand_issue_with_progress_announcement_and_exports(
            self, reporting: Reporting) -> None:
        with pytest.raises(Forbidden):
            await reporting.call("IssueMonthlyReport", GOVERNOR, school_id=A, month="2026-10")
        job = await reporting.call("IssueMonthlyReport", HEAD, school_id=A, month="2026-10",
                                   as_of=END.isoformat())
        assert job["status"] in {"queued", "running", "done"}
        done = await eventually(
            lambda: reporting.call("ReportJob", HEAD, job_id=job["job_id"]),
            lambda j: j["status"] in {"done", "failed"})
        assert (done["status"], done["progress"]) == ("done", 100)
        rid = done["report_id"]
        with pytest.raises(NotFound):
            await reporting.call("ReportJob", HEAD_B, job_id=job["job_id"])

        [listed] = await reporting.call("IssuedReports", HEAD, school_id=A)
        assert listed["report_id"] == rid and listed["summary"]["captures_received"] == 3

        stored = [env async for batch in reporting.service.kit.store.read_all()
                  for env in batch]
        announced = [e for e in stored if e.aggregate_id == rid]
        assert [e.type for e in announced] == ["MonthlyReportIssued", "MonthlyReportNotified"]
        assert announced[1].payload["recipients"] == ["head"]
        assert "Ben" not in str(announced[0].payload)

        pdf = await reporting.call("ExportReport", HEAD, report_id=rid, format="pdf")
        data = base64.b64decode(pdf["content_base64"])
        assert data.startswith(b"%PDF") and pdf["media_type"] == "application/pdf"
        assert b"Monthly e-safety report: Oakridge Primary, 2026-10" in pdf_text(data)

        csv_file = await reporting.call("ExportReport", HEAD, report_id=rid, format="csv")
        rows = list(csv.reader(io.StringIO(base64.b64decode(
            csv_file["content_base64"]).decode())))
        assert rows[0] == ["section", "item", "value"]
        table = {(s, i): v for s, i, v in rows[1:]}
        assert table[("captures", "received")] == "3"
        assert table[("captures by outcome", "violation")] == "1"
        assert table[("not signed", "Ben Ode (pupil)")] == "parent_consent"

        with pytest.raises(NotFound):
            await reporting.call("ExportReport", HEAD_B, report_id=rid, format="pdf")
        audit = [env async for batch in reporting.service.kit.store.read_all(
            types=["ReportExported"]) for env in batch]
        assert [(e.payload["by"], e.payload["format"]) for e in audit] == [
            ("head", "pdf"), ("head", "csv")]

    async def test_the_first_of_the_month_issues_last_month_once_per_school(
            self, reporting: Reporting) -> None:
        kit = reporting.service.kit
        first = await issuing.issue_due(kit, END + timedelta(minutes=5))
        assert first == ["monthly-glenfield-2026-10", "monthly-oakridge-2026-10"]
        assert await issuing.issue_due(kit, END + timedelta(hours=2)) == []
        listed = await reporting.call("IssuedReports", LA_ADMIN)
        assert {(r["school_id"], r["month"]) for r in listed} == {(A, "2026-10"),
                                                                  (B, "2026-10")}


class TestEmergingRisks:
    async def test_a_category_rising_in_three_schools_is_flagged(
            self, reporting: Reporting) -> None:
        week: list[tuple[str, Envelope]] = []
        for school in (A, B, "hillside"):
            for i in range(3):
                cid, at = f"{school}-g{i}", D + timedelta(days=5, hours=i)
                week += [("capture", envelope("capture", cid, CaptureReceived(
                    capture_id=cid, school_id=school, la_id=LA, product="watch",
                    product_capture_id=cid, captured_at=at, machine="pc", username="x"),
                    school, at)),
                    ("capture", envelope("capture", cid, CaptureTriaged(
                        capture_id=cid, category=Category.GAMBLING, severity=3,
                        priority=Priority.NORMAL), school, at, 2))]
        before = reporting.applied()
        await publish(reporting.nc, week)
        await reporting.until_applied(before + len(week))
        [risk] = await reporting.call("EmergingRisks", LA_ADMIN,
                                      as_of=(D + timedelta(days=10)).isoformat())
        assert (risk["kind"], risk["value"], risk["schools"]) == ("category", "gambling", 3)
        # Oakridge's earlier gambling capture (c2) is its trailing mean.
        assert {e["school_id"]: e["trailing_mean"] for e in risk["evidence"]} == {
            A: 0.25, B: 0.0, "hillside": 0.0}
        assert await reporting.call("EmergingRisks", LA_ADMIN,
                                    as_of=(D + timedelta(days=4)).isoformat()) == []


class TestJobs:
    async def test_a_queued_job_is_taken_by_one_replica_only(self, db_url: str) -> None:
        db = Database(db_url)
        try:
            await db.create_all(issued_tables)
            await issued.new_job(db, "j1", A, "2026-10", END, "head", "r1")
            assert [await issued.claim(db, "j1"), await issued.claim(db, "j1")] == [True, False]
            job = await issued.job(db, "j1")
            assert job is not None and job["status"] == "running"
        finally:
            await db.dispose()
