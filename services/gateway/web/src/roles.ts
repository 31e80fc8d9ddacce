// What each role may do, mirrored from the services' rules so the UI never offers a control the
// user may not use (the services still decide: a FORBIDDEN answer is shown, not hidden).
import type { Me, Role } from "./api";

const LA_ROLES: Role[] = ["LA_MODERATOR", "LA_ADMIN"];
const SAFEGUARDING: Role[] = ["HEADTEACHER", "DSL", "DEPUTY_DSL"];
const SCHOOL_STAFF: Role[] = ["HEADTEACHER", "DSL", "DEPUTY_DSL", "ESAFETY_COORDINATOR",
  "ICT_LEAD", "TECHNICIAN", "TEACHER", "SCHOOL_ADMIN"];

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
