"""Reports through the gateway, fed by the real directory and incident services: an incident
reported over GraphQL shows in the monthly report; the report is issued on demand with its
progress, downloaded as PDF and CSV over HTTP with the bearer token; tenancy and the
governors' view hold.

Here beside the incident tests because it needs their (session) incident service: a second
one on the same NATS would compete for its durable consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.reporting.handlers import build
from shared.claims import system_claims
from shared.events import now
from shared.natsserver import NatsServer
from shared.passwords import hash_password
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LA, PASSWORD, A, B, Platform, people_of
from tests.e2e.helpers import error
from tests.support.procs import eventually

# person id, school, kind, role, login
READERS = [("a-rep-head", A, "staff", "headteacher", "a.rephead"),
           ("a-rep-gov", A, "governor", "governor", "a.repgov"),
           ("b-rep-head", B, "staff", "headteacher", "b.rephead")]


async def _until_listed(platform: Platform, school: str, logins: set[str]) -> None:
    await eventually(lambda: people_of(platform.rpc, school),
                     lambda found: {p["username"] for p in found} >= logins)


@pytest.fixture(scope="module")
async def reporting(platform: Platform, e2e_nats: NatsServer,
                    tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    system = system_claims(LA)
    password_hash = await hash_password(PASSWORD)
    for pid, school, kind, role, login in READERS:
        for name, extra in (("EnrolPerson", {"kind": kind, "given_name": "Rita",
                                             "family_name": "Reader"}),
                            ("AssignRole", {"role": role}),
                            ("OpenAccount", {"username": login,
                                             "password_hash": password_hash})):
            await platform.rpc.call("directory", name, {"school_id": school, "person_id": pid,
                                                        **extra}, system)
    for school in (A, B):
        await _until_listed(platform, school, {r[4] for r in READERS if r[1] == school})
    service = Service("reporting", build, Settings(
        nats_url=e2e_nats.url, data_dir=tmp_path_factory.mktemp("e2e-rep")))
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


MONTHLY = """query($s: String!, $m: String!) { monthlyReport(schoolId: $s, month: $m) {
  schoolName incidents { reported bySource { key count } }
  compliance { needingSignature { name } } } }"""
GOVERNORS = """query($s: String!, $t: String!) { governorsReport(schoolId: $s, term: $t) {
  term previousTerm thisTerm { incidentsReported } trends { figure thisTerm change } } }"""
ISSUE = """mutation($s: String!, $m: String!) { issueMonthlyReport(schoolId: $s, month: $m) {
  jobId status } }"""
JOB = "query($j: String!) { reportJob(jobId: $j) { status progress step reportId error } }"
ISSUED = """query($s: String) { issuedReports(schoolId: $s) { reportId month pdfUrl csvUrl
  summary { key count } } }"""
REPORT = "mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { incidentId } }"
OVERVIEW = "{ laOverview { schools { schoolId schoolName } } emergingRisks { value } }"


def month() -> str:
    return now().strftime("%Y-%m")


def term() -> str:
    at = now()
    season = "autumn" if at.month >= 9 else "spring" if at.month < 4 else "summer"
    return f"{at.year}-{season}"


class TestReportsOverGraphQL:
    async def test_an_incident_reported_shows_and_the_report_is_issued_and_downloaded(
            self, platform: Platform, reporting: Service, incident: Service) -> None:
        head = await platform.token("a.rephead")

        async def reported() -> dict[str, Any]:
            body = await platform.gql(MONTHLY, {"s": A, "m": month()}, head)
            assert not body.get("errors"), body
            report: dict[str, Any] = body["data"]["monthlyReport"]
            return report

        # This module's reporting service starts by replaying what earlier tests stored.
        await eventually(reporting.lag, lambda lag: not any(lag.values()), within=120)
        before = (await reported())["incidents"]["reported"]
        done = await platform.gql(REPORT, {"i": {
            "schoolId": A, "occurredAt": now().isoformat(), "description": "Unkind chat",
            "cameToLight": "STAFF"}}, await platform.token("a.teacher"))
        assert not done.get("errors"), done
        after = await eventually(reported, lambda r: r["incidents"]["reported"] == before + 1)
        assert after["schoolName"] == "Oakridge Primary"

        job = (await platform.gql(ISSUE, {"s": A, "m": month()}, head))["data"]
        job_id = job["issueMonthlyReport"]["jobId"]

        async def progress() -> dict[str, Any]:
            found: dict[str, Any] = (await platform.gql(JOB, {"j": job_id}, head))["data"][
                "reportJob"]
            return found

        finished = await eventually(progress, lambda j: j["status"] in {"done", "failed"})
        assert (finished["status"], finished["progress"], finished["error"]) == ("done", 100,
                                                                                  None)
        issued = (await platform.gql(ISSUED, {"s": A}, head))["data"]["issuedReports"]
        [mine] = [r for r in issued if r["reportId"] == finished["reportId"]]
        summary = {c["key"]: c["count"] for c in mine["summary"]}
        assert summary["incidents_reported"] == before + 1

        auth = {"Authorization": f"Bearer {head}"}
        pdf = await platform.http.get(mine["pdfUrl"], headers=auth)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
        csv_file = await platform.http.get(mine["csvUrl"], headers=auth)
        assert csv_file.status_code == 200
        assert f"incidents,reported,{before + 1}" in csv_file.text.splitlines()

        assert (await platform.http.get(mine["pdfUrl"])).status_code == 401
        other = {"Authorization": f"Bearer {await platform.token('b.rephead')}"}
        assert (await platform.http.get(mine["pdfUrl"], headers=other)).status_code == 404
        bad = await platform.http.get(mine["pdfUrl"].replace(".pdf", ".exe"), headers=auth)
        assert bad.status_code == 400

    async def test_tenancy_and_the_governors_view(self, platform: Platform,
                                                  reporting: Service) -> None:
        gov, other = await platform.token("a.repgov"), await platform.token("b.rephead")
        assert error(await platform.gql(MONTHLY, {"s": A, "m": month()}, gov))[
            "code"] == "forbidden"
        assert error(await platform.gql(MONTHLY, {"s": A, "m": month()}, other))[
            "code"] == "forbidden"
        body = await platform.gql(GOVERNORS, {"s": A, "t": term()}, gov)
        assert not body.get("errors"), body
        assert body["data"]["governorsReport"]["term"] == term()
        assert "Reader" not in str(body)
        assert error(await platform.gql(OVERVIEW, None, other))["code"] == "forbidden"
        la = await platform.gql(OVERVIEW, None, await platform.token("la.admin"))
        assert not la.get("errors"), la
        schools = {s["schoolId"] for s in la["data"]["laOverview"]["schools"]}
        assert A in schools
