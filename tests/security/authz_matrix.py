"""The expected authorization matrix: who may call each GraphQL operation.

Written from the policies (Oakridge's and Glenfield's) and the services' documented rules, not
from what the platform answers. For each operation:

- `school`: the principals allowed at their own school. School principals belong to Oakridge;
  they are always refused at Glenfield and at the LA itself (tenancy). LA principals
  (`la_moderator`, `la_admin`) in this set are allowed at every school of their LA.
- `la`: who is allowed when the operation names the LA itself as its school (only LA principals
  can be: their home tenant is the LA). Empty when the LA holds no such thing.

Operations that name no school (`GLOBAL` in operations.py) use `school` alone.
Principals: the school roles, "parent" (a parent login, no role), "key:roster" and
"key:captures", "key:filtering" (integrator API keys with one scope each), and the two LA roles.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD, DSL, DEPUTY, ESAFETY = "headteacher", "dsl", "deputy_dsl", "esafety_coordinator"
ICT, TECH, TEACHER, GOVERNOR, ADMIN = "ict_lead", "technician", "teacher", "governor", \
    "school_admin"
MOD, LA_ADMIN = "la_moderator", "la_admin"
PARENT, ROSTER_KEY, CAPTURE_KEY, FILTERING_KEY = "parent", "key:roster", "key:captures", \
    "key:filtering"

LA = frozenset({MOD, LA_ADMIN})
STAFF = frozenset({HEAD, DSL, DEPUTY, ESAFETY, ICT, TECH, TEACHER, ADMIN})
MEMBERS = STAFF | {GOVERNOR}  # everyone with a role at the school
SAFEGUARDING = frozenset({HEAD, DSL, DEPUTY})
LEADS = SAFEGUARDING | {ESAFETY}  # who handles incidents and pupils' sanctions
EVERYONE = MEMBERS | LA | {PARENT, ROSTER_KEY, CAPTURE_KEY, FILTERING_KEY}
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rule:
    school: frozenset[str]
    la: frozenset[str] = NOBODY
    why: str = ""


def reads(who: frozenset[str], why: str = "") -> Rule:
    """A read of the school's lists: LA principals who may read a school may read the LA's
    own (empty or LA-staff) list too."""
    return Rule(who, who & LA, why)


PEOPLE_ADMINS = frozenset({ADMIN, HEAD, LA_ADMIN})
AGREEMENT_PUBLISHERS = frozenset({ADMIN, HEAD, DSL, ESAFETY, LA_ADMIN})
ALERT_READERS = frozenset({DSL, DEPUTY, ICT, HEAD})
KEYWORD_EDITORS = SAFEGUARDING | {ICT, ESAFETY} | LA
REPORT_READERS = LA | LEADS
COMPLIANCE_MANAGERS = LEADS | {ADMIN, LA_ADMIN}
TRAINING_RECORDERS = SAFEGUARDING | {ADMIN, LA_ADMIN}
RECORD_KEEPERS = frozenset({HEAD, DSL, LA_ADMIN})  # subject access requests

MATRIX: dict[str, Rule] = {
    # session and directory
    "me": Rule(EVERYONE, why="who am I: any signed-in caller"),
    "schools": Rule(EVERYONE, why="filtered to the schools the caller may see"),
    "school": Rule(MEMBERS | LA | {PARENT}, why="its name and phase: anyone of the school"),
    "people": reads(STAFF | LA, "staff and LA; not governors, parents or keys"),
    "classes": reads(STAFF | LA),
    "person": Rule(STAFF | LA),
    "apiKeys": Rule(PEOPLE_ADMINS, why="the school's admins and head, the LA admin"),
    "login": Rule(EVERYONE, why="public"),
    "onboardSchool": Rule(frozenset({LA_ADMIN})),
    "enrolPerson": Rule(PEOPLE_ADMINS),
    "assignRole": Rule(PEOPLE_ADMINS),
    "removeRole": Rule(PEOPLE_ADMINS),
    "linkGuardian": Rule(PEOPLE_ADMINS),
    "recordLeaver": Rule(PEOPLE_ADMINS),
    "recordClass": Rule(PEOPLE_ADMINS),
    "closeClass": Rule(PEOPLE_ADMINS),
    "openAccount": Rule(PEOPLE_ADMINS),
    "issueApiKey": Rule(PEOPLE_ADMINS),
    "revokeApiKey": Rule(PEOPLE_ADMINS),
    "syncRoster": Rule(PEOPLE_ADMINS | {ROSTER_KEY}, why="a key needs roster:write"),
    # agreements
    "agreementTemplates": reads(STAFF | LA),
    "agreementVersion": Rule(MEMBERS | LA | {PARENT}, why="what people are asked to sign"),
    "accessRegister": reads(STAFF | LA),
    "accessRegisterCsv": reads(STAFF | LA),
    "outstandingSignatures": reads(STAFF | LA),
    "agreementHistory": reads(STAFF | LA | {PARENT}, "a parent: their own child's"),
    "createAgreementTemplate": Rule(AGREEMENT_PUBLISHERS),
    "publishAgreementVersion": Rule(AGREEMENT_PUBLISHERS),
    "signAgreement": Rule(STAFF | LA, why="on paper: staff record the form"),
    "withdrawConsent": Rule(STAFF | LA, why="on paper: staff record the form"),
    "setAccessRules": Rule(AGREEMENT_PUBLISHERS),
    "enforceGracePeriods": Rule(AGREEMENT_PUBLISHERS),
    # captures, moderation, alerts, keywords, reviews
    "alerts": reads(ALERT_READERS | LA),
    "digests": reads(ALERT_READERS | LA),
    "acknowledgeAlert": Rule(ALERT_READERS, why="the school acknowledges, not the LA"),
    "setAlertDeadline": Rule(frozenset({HEAD, DSL, LA_ADMIN})),
    "keywordLibraryCsv": reads(KEYWORD_EDITORS),
    "keywordPhrases": reads(KEYWORD_EDITORS),
    "addSchoolPhrase": reads(KEYWORD_EDITORS),
    "excludeSchoolPhrase": reads(KEYWORD_EDITORS),
    "importKeywordLibrary": Rule(LA),
    "addLibraryPhrases": Rule(LA),
    "removeLibraryPhrase": Rule(LA),
    "reviewWorklist": reads(SAFEGUARDING | LA),
    "weeklyReviews": reads(SAFEGUARDING | LA),
    "recordWeeklyReview": Rule(frozenset({HEAD})),
    "overdueReviews": Rule(LA),
    "moderationQueue": reads(LA, "LA moderation only"),
    "capture": Rule(LA | SAFEGUARDING | {ICT}, why="the school once escalated"),
    "schoolConcerns": reads(LA | SAFEGUARDING | {ICT}),
    "screenshotViews": reads(LA | SAFEGUARDING),
    "viewScreenshot": Rule(LA | SAFEGUARDING),
    "ingestCaptures": Rule(frozenset({CAPTURE_KEY}), why="a key with captures:write"),
    "claimCapture": Rule(LA),
    "releaseCapture": Rule(LA),
    "gradeCapture": Rule(LA),
    "regradeCapture": Rule(LA),
    "bulkGradeFalsePositives": Rule(LA),
    # incidents
    "incidentLog": reads(STAFF | LA, "staff; governors see no incident, parents none"),
    "incident": Rule(STAFF | LA, why="an ordinary incident: any member of staff"),
    "personHistory": reads(STAFF | LA),
    "termlyReviews": Rule(LEADS - {DEPUTY} | {DEPUTY, GOVERNOR, LA_ADMIN},
                          frozenset({LA_ADMIN})),
    "reportIncident": Rule(STAFF | {LA_ADMIN}, why="members of staff report"),
    "classifyIncident": Rule(LEADS | {LA_ADMIN}),
    "addIncidentInvolved": Rule(LEADS | {LA_ADMIN}),
    "assignIncident": Rule(LEADS | {LA_ADMIN}),
    "changeIncidentStatus": Rule(LEADS | {LA_ADMIN}),
    "referIncident": Rule(LEADS | {LA_ADMIN}),
    "closeIncident": Rule(LEADS | {LA_ADMIN}),
    "addIncidentNote": Rule(STAFF | {LA_ADMIN}, why="staff who may see it"),
    "recordTermlyReview": Rule(frozenset({ESAFETY, DSL, HEAD})),
    # record transfers (issue 10): the sending and the receiving school's safeguarding leads
    "recordTransfers": reads(SAFEGUARDING | {LA_ADMIN}, "sent and incoming; the LA oversees"),
    "startRecordTransfer": Rule(SAFEGUARDING, why="the sending school's DSL, deputy or head"),
    "transferSchools": Rule(SAFEGUARDING, why="where the sending school's leads may send it"),
    "confirmRecordTransfer": Rule(SAFEGUARDING, why="the receiving school's"),
    # sanctions
    "sanctionMatrix": Rule(MEMBERS | LA, why="the school's published policy, to its members"),
    "incidentTypes": reads(MEMBERS | LA),
    "sanctionRecommendations": reads(STAFF | LA, "rows filtered to who may handle them"),
    "personSanctions": reads(STAFF | LA, "rows filtered to who may handle them"),
    "openSanctionTasks": reads(STAFF | LA, "rows filtered to who may handle them"),
    "ictReferrals": reads(LEADS | {ICT, TECH, LA_ADMIN}),
    "publishSanctionMatrix": Rule(frozenset({HEAD, DSL, LA_ADMIN})),
    "takeSanctionAction": Rule(LEADS | {LA_ADMIN}, why="a pupil's: the leads"),
    "skipSanctionAction": Rule(LEADS | {LA_ADMIN}),
    "addSanctionAction": Rule(LEADS | {LA_ADMIN}),
    "completeSanctionTask": Rule(LEADS | {LA_ADMIN}),
    # compliance
    "filteringStandards": reads(MEMBERS | LA, "governors oversee the provision"),
    "provisionChecks": reads(MEMBERS | LA),
    "provisionReviews": reads(MEMBERS | LA),
    "policyVersions": reads(MEMBERS | LA),
    "laFilteringStandards": Rule(LA),
    "assignResponsibility": Rule(COMPLIANCE_MANAGERS),
    "recordProvisionReview": Rule(COMPLIANCE_MANAGERS),
    "recordProvisionCheck": Rule(COMPLIANCE_MANAGERS | {ICT, TECH}),
    "publishPolicyVersion": Rule(COMPLIANCE_MANAGERS),
    "trainingRecords": reads(TRAINING_RECORDERS | {ESAFETY, GOVERNOR} | LA,
                             "staff's personal data: leaders, governors, the LA"),
    "trainingStatus": reads(TRAINING_RECORDERS | {ESAFETY, GOVERNOR} | LA),
    "laTrainingOverdue": Rule(LA),
    "recordTraining": Rule(TRAINING_RECORDERS),
    "importTraining": Rule(TRAINING_RECORDERS),
    "filteringSummaries": reads(MEMBERS | LA, "Oakridge: governors monitor filtering logs"),
    "ingestFilteringSummaries": Rule(frozenset({FILTERING_KEY}), why="a key with filtering:write"),
    "complianceReminders": reads(MEMBERS | LA),
    "sendComplianceReminders": Rule(frozenset({LA_ADMIN})),
    # retention, audit trail, subject access
    "retention": reads(MEMBERS | LA, "the periods that apply to the school"),
    "setRetentionPolicy": Rule(frozenset({LA_ADMIN})),
    "setRetentionOverride": Rule(frozenset({HEAD, DSL, ADMIN, LA_ADMIN}),
                                 why="where the LA lets schools set it"),
    "purgeLog": reads(SAFEGUARDING | {ICT} | LA, "the capture keeper's log"),
    "runPurge": Rule(frozenset({LA_ADMIN})),
    "auditTrail": reads(SAFEGUARDING | {LA_ADMIN}, "not LA moderators: they are audited"),
    "requestSubjectAccess": Rule(RECORD_KEEPERS),
    # reporting
    "monthlyReport": reads(REPORT_READERS),
    "governorsReport": reads(REPORT_READERS | {GOVERNOR}),
    "laOverview": Rule(LA),
    "emergingRisks": Rule(LA),
    "issuedReports": reads(REPORT_READERS),
    "reportJob": reads(REPORT_READERS | {ESAFETY}, "the job names its school"),
    "issueMonthlyReport": Rule(frozenset({HEAD, DSL, ESAFETY, LA_ADMIN})),
}

# The live alert feed is a subscription; same rule as the alerts list.
SUBSCRIPTION_MATRIX: dict[str, Rule] = {"alerts": reads(ALERT_READERS | LA)}
