"""Minimal valid arguments for every GraphQL operation, aimed at one target school.

Each builder gets the target's throwaway ids (`Targets`) and a fresh number for whatever must
be unique per call (new ids, usernames); it returns the field's arguments as Python values,
rendered to a GraphQL literal by `render`. The arguments are valid for every caller, so that
the only thing that varies between the cells of one operation is who calls.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from services.capture.demo import SEED
from services.compliance.demo import RETENTION
from services.directory.demo import LA_ID
from tests.security.conftest import PASSWORD, SHOT, A, B, Targets, person_of


class E(str):
    """An enum value: rendered bare."""


def render(value: Any) -> str:
    if isinstance(value, E):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


Args = Callable[[Targets, int], dict[str, Any]]
TODAY = date.today().isoformat()
# Each removal takes a phrase of the demo library that is still there (one per allowed call).
SEED_PHRASES = [row["phrase"] for row in csv.DictReader(SEED.read_text().splitlines())
                if row["phrase"] != "free spins"]  # excludeSchoolPhrase's
NOW = datetime.now(UTC).isoformat()


def school(t: Targets, _: int) -> dict[str, Any]:
    return {"schoolId": t.school}


def incident(t: Targets, _: int) -> dict[str, Any]:
    return {"schoolId": t.school, "incidentId": t.incident}


def person(t: Targets, _: int) -> dict[str, Any]:
    return {"schoolId": t.school, "personId": t.pupil}


def capture(t: Targets, _: int) -> dict[str, Any]:
    return {"schoolId": t.school, "captureId": t.escalated_capture}


def queued(t: Targets, _: int) -> dict[str, Any]:
    return {"schoolId": t.school, "captureId": t.queued_capture}


def role_change(t: Targets, _: int) -> dict[str, Any]:
    return {"schoolId": t.school, "personId": t.staff, "role": E("TEACHER")}


def sanction(t: Targets, _: int) -> dict[str, Any]:
    return {"schoolId": t.school, "incidentId": t.incident, "personId": t.pupil,
            "action": t.action}


def with_school(**extra: Any) -> Args:
    return lambda t, _: {"schoolId": t.school, **extra}


QUERIES: dict[str, Args] = {
    "me": lambda t, n: {},
    "schools": lambda t, n: {},
    "school": school,
    "people": school,
    "classes": school,
    "person": person,
    "apiKeys": school,
    "agreementTemplates": school,
    "agreementVersion": lambda t, n: {"schoolId": t.school, "templateId": t.template,
                                      "version": t.template_version},
    "accessRegister": school,
    "accessRegisterCsv": school,
    "outstandingSignatures": school,
    "agreementHistory": person,
    "alerts": school,
    "keywordLibraryCsv": school,
    "digests": school,
    "reviewWorklist": school,
    "weeklyReviews": school,
    "overdueReviews": lambda t, n: {},
    "moderationQueue": lambda t, n: {"filter": {"schoolId": t.school}},
    "capture": capture,
    "schoolConcerns": school,
    "screenshotViews": school,
    "keywordPhrases": school,
    "incidentLog": school,
    "incident": incident,
    "personHistory": person,
    "termlyReviews": school,
    "recordTransfers": school,
    "transferSchools": school,
    "sanctionMatrix": with_school(audience=E("PUPIL")),
    "incidentTypes": school,
    "sanctionRecommendations": incident,
    "personSanctions": person,
    "openSanctionTasks": school,
    "ictReferrals": school,
    "filteringStandards": school,
    "provisionChecks": school,
    "provisionReviews": school,
    "policyVersions": school,
    "laFilteringStandards": lambda t, n: {},
    "monthlyReport": with_school(month=TODAY[:7]),
    "governorsReport": with_school(term="2025-autumn"),
    "laOverview": lambda t, n: {},
    "emergingRisks": lambda t, n: {},
    "issuedReports": school,
    "reportJob": lambda t, n: {"jobId": t.report_job},
    "trainingRecords": school,
    "trainingStatus": school,
    "laTrainingOverdue": lambda t, n: {},
    "filteringSummaries": school,
    "complianceReminders": school,
    "retention": school,
    "purgeLog": with_school(keeper=E("CAPTURE")),
    "auditTrail": school,
}

MUTATIONS: dict[str, Args] = {
    "login": lambda t, n: {"username": person_of("teacher"), "password": PASSWORD},
    "onboardSchool": lambda t, n: {"input": {"schoolId": f"sx-new-{n}", "name": f"New {n}",
                                             "urn": f"{800000 + n}", "phase": E("PRIMARY")}},
    "enrolPerson": lambda t, n: {"input": {"schoolId": t.school, "kind": E("STAFF"),
                                           "givenName": "New", "familyName": f"Staff {n}",
                                           "personId": f"sx-enrolled-{n}"}},
    "assignRole": role_change,
    "removeRole": role_change,
    "linkGuardian": lambda t, n: {"schoolId": t.school, "personId": t.parent,
                                  "pupilId": t.pupil, "relationship": "father",
                                  "parentalResponsibility": True},
    "recordLeaver": lambda t, n: {"schoolId": t.school, "personId": t.leaver, "leftOn": TODAY,
                                  "reason": "moved away"},
    "recordClass": lambda t, n: {"schoolId": t.school, "name": f"Sec class {n}",
                                 "yearGroup": 4},
    "closeClass": lambda t, n: {"schoolId": t.school, "classId": t.class_id},
    "openAccount": lambda t, n: {"schoolId": t.school, "personId": t.no_account,
                                 "username": f"sx-user-{n}", "password": PASSWORD},
    "issueApiKey": lambda t, n: {"schoolId": t.school, "name": f"key {n}",
                                 "scopes": [E("ROSTER_WRITE")]},
    "revokeApiKey": lambda t, n: {"schoolId": t.school, "keyId": t.key_id},
    "syncRoster": lambda t, n: {"schoolId": t.school, "mode": E("DELTA"), "people": []},
    "createAgreementTemplate": lambda t, n: {"schoolId": t.school, "audience": E("VISITOR"),
                                             "title": "Visitors"},
    "publishAgreementVersion": lambda t, n: {"input": {
        "schoolId": t.school, "templateId": t.template, "text": f"Be safe online ({n}).",
        "effectiveFrom": TODAY, "graceDays": 14}},
    "signAgreement": lambda t, n: {"input": {
        "schoolId": t.school, "personId": t.pupil, "templateId": t.template,
        "version": t.template_version, "method": E("PAPER"), "signedOn": TODAY}},
    "withdrawConsent": lambda t, n: {"input": {
        "schoolId": t.school, "personId": t.pupil,  # the caller's own signed pupil
        "audience": E("PUPIL"),
        "reason": "withdrawn on paper"}},
    "setAccessRules": lambda t, n: {"schoolId": t.school, "rules": [
        {"kind": E("VISITOR"), "audiences": [E("VISITOR")]}]},
    "enforceGracePeriods": with_school(asOf=TODAY),
    "acknowledgeAlert": lambda t, n: {"schoolId": t.school, "alertId": t.alert,
                                      "note": "seen"},
    "setAlertDeadline": with_school(minutes=30),
    "importKeywordLibrary": lambda t, n: {
        "csv": "phrase,category,severity\nsecurity suite phrase,bullying,2\n"},
    "recordWeeklyReview": with_school(findings="all in order"),
    "ingestCaptures": lambda t, n: {"schoolId": t.school, "captures": [{
        "product": "SafeWatch", "productCaptureId": f"sx-cell-{n}", "capturedAt": NOW,
        "machine": "SEC-2", "username": "sec\\pupil", "trigger": "nobody likes you",
        "excerpt": "nobody likes you", "screenshot": SHOT}]},
    "claimCapture": queued,
    "releaseCapture": queued,
    "gradeCapture": lambda t, n: {"input": {"schoolId": t.school,
                                            "captureId": t.claimed_capture,
                                            "grade": E("NO_FURTHER_ACTION"), "notes": ""}},
    "regradeCapture": lambda t, n: {"schoolId": t.school, "captureId": t.escalated_capture,
                                    "grade": E("VIOLATION"), "reason": "second look",
                                    "notes": "worse than it looked"},
    "bulkGradeFalsePositives": lambda t, n: {
        "captures": [{"schoolId": t.school, "captureId": t.queued_capture}], "notes": ""},
    "viewScreenshot": capture,
    "addLibraryPhrases": lambda t, n: {"phrases": [
        {"phrase": f"security phrase {n}", "category": E("BULLYING"), "severity": 2}]},
    "addSchoolPhrase": with_school(phrase="sec school phrase", category=E("BULLYING"),
                                   severity=2, reason="local slang"),
    "excludeSchoolPhrase": with_school(phrase="free spins", reason="a maths game"),
    "reportIncident": lambda t, n: {"input": {
        "schoolId": t.school, "occurredAt": NOW, "description": "seen in class",
        "cameToLight": E("STAFF"), "involved": []}},
    "classifyIncident": lambda t, n: {"input": {
        "schoolId": t.school, "incidentId": t.incident, "category": E("CONDUCT"),
        "incidentType": t.incident_type, "cyberBullying": False, "childProtection": False}},
    "addIncidentInvolved": lambda t, n: {**incident(t, n), "involved": [
        {"kind": E("VISITOR"), "name": "A visitor"}]},
    # The demo's DSL of the target school (the principals are all at Oakridge).
    "assignIncident": lambda t, n: {**incident(t, n), "assignee": f"{t.school}-dsl"},
    "addIncidentNote": lambda t, n: {**incident(t, n), "text": "spoke to the pupil",
                                     "kind": E("NOTE")},
    "changeIncidentStatus": lambda t, n: {**incident(t, n), "status": E("ACTION_TAKEN"),
                                          "reason": "looking into it"},
    "referIncident": lambda t, n: {**incident(t, n), "agency": E("LA"), "reference": "R1",
                                   "notes": "for advice"},
    "closeIncident": lambda t, n: {**incident(t, n), "outcome": "resolved"},
    "startRecordTransfer": lambda t, n: {"schoolId": t.school, "personId": t.mover,
                                         "toSchoolId": B if t.school == A else A},
    "confirmRecordTransfer": lambda t, n: {"schoolId": t.school, "transferId": t.transfer,
                                           "personId": t.pupil},
    "recordTermlyReview": with_school(term="2025-autumn", findings="reviewed"),
    "publishSanctionMatrix": lambda t, n: {"input": {
        "schoolId": t.school, "audience": E("STAFF"), "windowDays": 30,
        "actions": [{"key": "word", "label": "A word", "effect": E("NONE"),
                     "sanction": False}],
        "rows": [{"key": "misuse", "label": "Misuse", "actions": ["word"]}]}},
    "takeSanctionAction": lambda t, n: {**sanction(t, n), "notes": "done"},
    "skipSanctionAction": lambda t, n: {**sanction(t, n), "reason": "not needed"},
    "addSanctionAction": lambda t, n: {**sanction(t, n), "reason": "needed after all"},
    "completeSanctionTask": lambda t, n: {"schoolId": t.school, "personId": t.pupil,
                                          "taskId": t.task, "notes": "letter sent"},
    "assignResponsibility": lambda t, n: {"input": {
        "schoolId": t.school, "responsibility": E("IT_PROVIDER"), "holder": "Sec IT Ltd"}},
    "recordProvisionReview": lambda t, n: {"input": {
        "schoolId": t.school, "reviewedOn": TODAY, "findings": "fine",
        "participants": ["Sec"], "actions": "none"}},
    "recordProvisionCheck": lambda t, n: {"input": {
        "schoolId": t.school, "checkedOn": TODAY, "whatTested": "blocked site",
        "result": E("PASSED"), "actions": "none"}},
    "publishPolicyVersion": lambda t, n: {"input": {
        "schoolId": t.school, "title": "E-safety policy", "effectiveFrom": TODAY,
        "nextReview": f"{int(TODAY[:4]) + 1}{TODAY[4:]}", "namedRoles": []}},
    "issueMonthlyReport": with_school(month=TODAY[:7]),
    "removeLibraryPhrase": lambda t, n: {"phrase": SEED_PHRASES[n % len(SEED_PHRASES)]},
    "recordTraining": lambda t, n: {"input": {
        "schoolId": t.school, "personId": t.staff, "kind": E("REFRESHER"),
        "completedOn": TODAY, "provider": f"Sec {n}"}},
    "importTraining": with_school(
        csv=f"person_id,email,kind,completed_on,provider,evidence\n,,induction,{TODAY},LA,\n"),
    "ingestFilteringSummaries": lambda t, n: {"schoolId": t.school, "summaries": [{
        "product": "Netsweeper", "productSummaryId": f"sx-{n}", "periodStart": NOW,
        "periodEnd": NOW, "categories": [{"category": "gambling", "blocked": 3,
                                          "allowed": 0}]}]},
    "sendComplianceReminders": lambda t, n: {},
    "setRetentionPolicy": lambda t, n: {"input": {
        "months": [{"recordType": E(k.upper()), "months": v} for k, v in RETENTION.items()],
        "schoolMaySet": [E("SCREENSHOT")]}},
    "setRetentionOverride": lambda t, n: {"input": {
        "schoolId": t.school, "recordType": E("SCREENSHOT"), "months": 2}},
    "runPurge": lambda t, n: {"keeper": E("CAPTURE")},
    "requestSubjectAccess": person,
}

SUBSCRIPTIONS: dict[str, Args] = {"alerts": school}

# Operations that take no school (or the caller's own): one cell per principal.
GLOBAL = frozenset({"me", "schools", "overdueReviews", "laFilteringStandards", "laOverview",
                    "emergingRisks", "login", "onboardSchool", "importKeywordLibrary",
                    "addLibraryPhrases", "removeLibraryPhrase", "laTrainingOverdue",
                    "sendComplianceReminders", "setRetentionPolicy", "runPurge"})
# Addressed by an id that names its school: no LA-tenant variant.
ID_ONLY = frozenset({"reportJob"})
LA_TARGET = LA_ID
