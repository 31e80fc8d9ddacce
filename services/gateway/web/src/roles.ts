// What each role may do, mirrored from the services' rules so the UI never offers a control the
// user may not use (the services still decide: a FORBIDDEN answer is shown, not hidden).
import type { Me, Role } from "./api";

const LA_ROLES: Role[] = ["LA_MODERATOR", "LA_ADMIN"];
const SAFEGUARDING: Role[] = ["HEADTEACHER", "DSL", "DEPUTY_DSL"];
const SCHOOL_STAFF: Role[] = ["HEADTEACHER", "DSL", "DEPUTY_DSL", "ESAFETY_COORDINATOR",
  "ICT_LEAD", "TECHNICIAN", "TEACHER", "SCHOOL_ADMIN"];

const MANAGERS: Role[] = [...SAFEGUARDING, "ESAFETY_COORDINATOR"];
const KEYWORD_EDITORS: Role[] = [...SAFEGUARDING, "ICT_LEAD", "ESAFETY_COORDINATOR"];
const TERMLY_REVIEWERS: Role[] = ["ESAFETY_COORDINATOR", "DSL", "HEADTEACHER"];
const COMPLIANCE_MANAGERS: Role[] = [...MANAGERS, "SCHOOL_ADMIN", "LA_ADMIN"];
const TRAINING_RECORDERS: Role[] = [...SAFEGUARDING, "SCHOOL_ADMIN", "LA_ADMIN"];

const RETENTION_OVERRIDERS: Role[] = ["HEADTEACHER", "DSL", "SCHOOL_ADMIN", "LA_ADMIN"];
const CAPTURE_LOG_READERS: Role[] = [...SAFEGUARDING, "ICT_LEAD"];

const any = (me: Me, roles: Role[]): boolean => me.roles.some((r) => roles.includes(r));

export interface Abilities {
  moderate: boolean;
  alerts: boolean;
  incidents: boolean;
  report: boolean;
  agreements: boolean;
  recordPaper: boolean;
  keys: boolean;
  people: boolean;
  viewScreenshots: boolean;
  isLa: boolean;
  monthlyReport: boolean;
  issueReport: boolean;
  weeklyReview: boolean;
  recordWeeklyReview: boolean;
  governorsReport: boolean;
  laOverview: boolean;
  sanctionTasks: boolean;
  ictReferrals: boolean;
  keywords: boolean;
  editLibrary: boolean;
  editSchoolKeywords: boolean;
  termlyReview: boolean;
  recordTermlyReview: boolean;
  compliance: boolean;
  manageCompliance: boolean;
  checkProvision: boolean;
  staffComplaints: boolean;
  audit: boolean;
  subjectAccess: boolean;
  training: boolean;
  recordTraining: boolean;
  transfers: boolean;
  sendTransfers: boolean;
  retention: boolean;
  setRetentionPolicy: boolean;
  overrideRetention: boolean;
  capturePurgeLog: boolean;
  incidentPurgeLog: boolean;
  runPurge: boolean;
  filtering: boolean;
}

export function abilities(me: Me): Abilities {
  return {
    moderate: any(me, LA_ROLES),
    alerts: any(me, ["DSL", "DEPUTY_DSL", "ICT_LEAD", "HEADTEACHER"]),
    incidents: any(me, [...SAFEGUARDING, "ESAFETY_COORDINATOR", "LA_ADMIN"]),
    report: any(me, [...SCHOOL_STAFF, "LA_ADMIN"]),
    agreements: any(me, [...SAFEGUARDING, "ESAFETY_COORDINATOR", "SCHOOL_ADMIN", "LA_ADMIN"]),
    recordPaper: any(me, [...SAFEGUARDING, "ESAFETY_COORDINATOR", "SCHOOL_ADMIN", "LA_ADMIN"]),
    keys: any(me, ["SCHOOL_ADMIN", "HEADTEACHER", "LA_ADMIN"]),
    people: any(me, ["SCHOOL_ADMIN", "HEADTEACHER", "LA_ADMIN"]),
    viewScreenshots: any(me, [...LA_ROLES, ...SAFEGUARDING]),
    isLa: any(me, LA_ROLES),
    // reporting: READERS, ISSUERS, GOVERNOR_READERS
    monthlyReport: any(me, [...LA_ROLES, ...SAFEGUARDING, "ESAFETY_COORDINATOR"]),
    issueReport: any(me, ["HEADTEACHER", "DSL", "ESAFETY_COORDINATOR", "LA_ADMIN"]),
    governorsReport: any(me, ["GOVERNOR"]),
    laOverview: any(me, LA_ROLES),
    // capture: the weekly review's READERS and REVIEWERS; the keyword library's
    weeklyReview: any(me, SAFEGUARDING),
    recordWeeklyReview: any(me, ["HEADTEACHER"]),
    keywords: any(me, [...LA_ROLES, ...KEYWORD_EDITORS]),
    editLibrary: any(me, LA_ROLES),
    editSchoolKeywords: any(me, KEYWORD_EDITORS),
    // sanction: tasks for the incident MANAGERS, referrals for the technical staff too
    sanctionTasks: any(me, [...MANAGERS, "LA_ADMIN"]),
    ictReferrals: any(me, [...MANAGERS, "ICT_LEAD", "TECHNICIAN", "LA_ADMIN"]),
    // incident: termly reviews' REVIEW_READERS and REVIEWERS
    termlyReview: any(me, [...TERMLY_REVIEWERS, "DEPUTY_DSL", "GOVERNOR", "LA_ADMIN"]),
    recordTermlyReview: any(me, TERMLY_REVIEWERS),
    // compliance: every school role reads (governors oversee); MANAGERS keep it, CHECKERS test
    compliance: any(me, [...COMPLIANCE_MANAGERS, "ICT_LEAD", "TECHNICIAN", "GOVERNOR"]),
    manageCompliance: any(me, COMPLIANCE_MANAGERS),
    checkProvision: any(me, [...COMPLIANCE_MANAGERS, "ICT_LEAD", "TECHNICIAN"]),
    // incident: a complaint about staff is the headteacher's alone (domain/access.py)
    staffComplaints: any(me, ["HEADTEACHER"]),
    // compliance: the audit trail's AUDIT_READERS; subject access REQUESTERS (shared)
    audit: any(me, [...SAFEGUARDING, "LA_ADMIN"]),
    subjectAccess: any(me, ["DSL", "HEADTEACHER", "LA_ADMIN"]),
    // compliance: training's RECORDERS; its readers, less the LA moderators (not their work)
    training: any(me, [...TRAINING_RECORDERS, "ESAFETY_COORDINATOR", "GOVERNOR"]),
    recordTraining: any(me, TRAINING_RECORDERS),
    // incident: record transfers, sent and confirmed by the safeguarding leads, overseen by the LA
    transfers: any(me, [...SAFEGUARDING, "LA_ADMIN"]),
    sendTransfers: any(me, SAFEGUARDING),
    // compliance: retention's OVERRIDERS, the LA admin's policy and purge; the keepers' log
    // readers (capture: its CONCERN_READERS; incident: the safeguarding leads), the LA's
    retention: any(me, [...RETENTION_OVERRIDERS, ...CAPTURE_LOG_READERS]),
    setRetentionPolicy: any(me, ["LA_ADMIN"]),
    overrideRetention: any(me, RETENTION_OVERRIDERS),
    capturePurgeLog: any(me, [...CAPTURE_LOG_READERS, ...LA_ROLES]),
    incidentPurgeLog: any(me, [...SAFEGUARDING, ...LA_ROLES]),
    runPurge: any(me, ["LA_ADMIN"]),
    // compliance: the filtering product's summaries, for those who monitor filtering (every
    // member of the school may read them; governors oversee, read only)
    filtering: any(me, [...SAFEGUARDING, "ICT_LEAD", "ESAFETY_COORDINATOR", "GOVERNOR",
      ...LA_ROLES]),
  };
}

export interface NavItem {
  route: string;
  label: string;
}

/** The pages this user may open, in the order the navigation shows them. */
export function navigation(me: Me): NavItem[] {
  const can = abilities(me);
  const items: [boolean, NavItem][] = [
    [can.moderate, { route: "queue", label: "Moderation queue" }],
    [can.alerts, { route: "alerts", label: "Alerts" }],
    [can.incidents, { route: "incidents", label: "Incident log" }],
    [can.report, { route: "report", label: "Report an incident" }],
    [can.agreements, { route: "agreements", label: "Agreements" }],
    [can.monthlyReport, { route: "monthly", label: "Monthly report" }],
    [can.governorsReport, { route: "governors", label: "Governors' report" }],
    [can.laOverview, { route: "la", label: "LA overview" }],
    [can.weeklyReview, { route: "review", label: "Weekly review" }],
    [can.termlyReview, { route: "termly", label: "Termly review" }],
    [can.staffComplaints, { route: "staff", label: "Staff complaints" }],
    [can.transfers, { route: "transfers", label: "Record transfers" }],
    [can.audit, { route: "audit", label: "Audit trail" }],
    [can.retention, { route: "retention", label: "Retention" }],
    [can.sanctionTasks || can.ictReferrals,
      { route: "sanctions", label: can.sanctionTasks ? "Sanction tasks" : "ICT referrals" }],
    [can.keywords, { route: "keywords", label: "Keyword library" }],
    [can.compliance, { route: "compliance", label: "Compliance" }],
    [can.filtering, { route: "filtering", label: "Filtering logs" }],
    [can.training, { route: "training", label: "Staff training" }],
    [can.people, { route: "people", label: "People and roles" }],
    [can.keys, { route: "keys", label: "API keys" }],
  ];
  return items.filter(([ok]) => ok).map(([, item]) => item);
}

export const ROLE_LABELS: Record<Role, string> = {
  HEADTEACHER: "Headteacher", DSL: "DSL", DEPUTY_DSL: "Deputy DSL",
  ESAFETY_COORDINATOR: "E-safety co-ordinator", ICT_LEAD: "ICT lead", TECHNICIAN: "Technician",
  TEACHER: "Teacher", GOVERNOR: "Governor", SCHOOL_ADMIN: "School admin",
  LA_MODERATOR: "LA moderator", LA_ADMIN: "LA admin", INTEGRATOR: "Integrator",
};
