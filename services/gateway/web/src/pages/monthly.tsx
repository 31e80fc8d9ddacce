// The headteacher's monthly report: key figures, charts, names still to sign; the issued
// reports with their CSV/PDF files (behind the token: fetched, saved as blobs) and issuing one.
import { useEffect, useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { BarChart, type Datum } from "../charts";
import { download } from "../download";
import { abilities } from "../roles";
import {
  Empty, ErrorMessage, Load, Pager, soon, useAction, useQuery, useSchool, when, words,
} from "../ui";

export interface Count { key: string; count: number }
interface Turnaround { count: number; medianMinutes: number | null; maxMinutes: number | null }
interface PersonLine { personId: string; name: string; kind: string; missing: string[] }
interface Monthly {
  schoolName: string; month: string; asOf: string;
  captures: { received: number; moderated: number; byCategory: Count[]; bySeverity: Count[];
    byOutcome: Count[]; perDay: Count[] };
  turnaround: { receivedToGraded: Turnaround; raisedToAcknowledged: Turnaround };
  alerts: { raised: number; urgent: number; acknowledged: number; escalated: number;
    slaBreaches: number };
  violations: { captureId: string; grade: string; incidentId: string | null }[];
  incidents: { reported: number; byCategory: Count[]; byType: Count[]; bySource: Count[];
    referred: number; closed: number };
  actions: { total: number; byAction: Count[] };
  compliance: { needingSignature: PersonLine[]; suspended: PersonLine[]; byAccess: Count[] };
  openItems: { awaitingModeration: number; oldestAwaitingHours: number | null;
    unacknowledgedAlerts: number; openIncidents: number };
}
interface Issued {
  reportId: string; month: string; issuedAt: string; issuedBy: string; summary: Count[];
  csvUrl: string; pdfUrl: string;
}
interface Job { jobId: string; status: string; progress: number; step: string; error: string | null }

const COUNTS = "{ key count }";
const TURN = "{ count medianMinutes maxMinutes }";
const PEOPLE = "{ personId name kind missing }";
const MONTHLY = `query($s: String!, $m: String!) { monthlyReport(schoolId: $s, month: $m) {
  schoolName month asOf
  captures { received moderated byCategory ${COUNTS} bySeverity ${COUNTS} byOutcome ${COUNTS}
    perDay ${COUNTS} }
  turnaround { receivedToGraded ${TURN} raisedToAcknowledged ${TURN} }
  alerts { raised urgent acknowledged escalated slaBreaches }
  violations { captureId grade incidentId }
  incidents { reported byCategory ${COUNTS} byType ${COUNTS} bySource ${COUNTS} referred closed }
  actions { total byAction ${COUNTS} }
  compliance { needingSignature ${PEOPLE} suspended ${PEOPLE} byAccess ${COUNTS} }
  openItems { awaitingModeration oldestAwaitingHours unacknowledgedAlerts openIncidents } } }`;
const ISSUED = `query($s: String!) { issuedReports(schoolId: $s) { reportId month issuedAt issuedBy
  summary ${COUNTS} csvUrl pdfUrl } }`;
const ISSUE = `mutation($s: String!, $m: String!) { issueMonthlyReport(schoolId: $s, month: $m) {
  jobId status progress step error } }`;
const JOB = "query($j: String!) { reportJob(jobId: $j) { jobId status progress step error } }";

export const thisMonth = (): string => new Date().toISOString().slice(0, 7);
export const chartOf = (counts: Count[]): Datum[] =>
  counts.map((c) => ({ label: words(c.key), value: c.count }));

export function MonthlyPage({ me }: { me: Me }) {
  const can = abilities(me);
  const { schoolId, picker } = useSchool(me.schoolId, can.isLa);
  const [month, setMonth] = useState(thisMonth());
  const report = useQuery<{ monthlyReport: Monthly }>(MONTHLY,
    schoolId && /^\d{4}-\d{2}$/.test(month) ? { s: schoolId, m: month } : null);
  return (
    <section aria-labelledby="monthly-title">
      <h1 id="monthly-title">Monthly report</h1>
      {picker}
      <p class="toolbar"><span class="field">
        <label for="m-month">Month</label>
        <input id="m-month" type="month" value={month} max={thisMonth()}
          onChange={(e) => setMonth((e.target as HTMLInputElement).value)} />
      </span></p>
      {/^\d{4}-\d{2}$/.test(month) ? (
        <Load loaded={report} what="the monthly report">
          {({ monthlyReport: r }) => <Report report={r} />}
        </Load>) : <Empty>Choose a month.</Empty>}
      {schoolId && <IssuedReports schoolId={schoolId} month={month} canIssue={can.issueReport} />}
    </section>
  );
}

function minutes(t: Turnaround): string {
  if (t.count === 0 || t.medianMinutes === null) return "none yet";
  return `median ${Math.round(t.medianMinutes)} min, longest ${Math.round(t.maxMinutes ?? 0)} min (${t.count})`;
}

function Report({ report: r }: { report: Monthly }) {
  return (
    <div class="report">
      <p class="muted">{r.schoolName}, {r.month}; as known {when(r.asOf)}.</p>
      <h2>Key figures</h2>
      <dl class="figures" aria-label="Key figures">
        <Figure id="f-received" label="Captures received" value={r.captures.received} />
        <Figure id="f-moderated" label="Captures moderated" value={r.captures.moderated} />
        <Figure id="f-alerts" label="Alerts raised" value={r.alerts.raised} />
        <Figure id="f-urgent" label="Urgent alerts" value={r.alerts.urgent} />
        <Figure id="f-breaches" label="Alert deadlines missed" value={r.alerts.slaBreaches} />
        <Figure id="f-incidents" label="Incidents reported" value={r.incidents.reported} />
        <Figure id="f-referred" label="Incidents referred" value={r.incidents.referred} />
        <Figure id="f-closed" label="Incidents closed" value={r.incidents.closed} />
        <Figure id="f-actions" label="Sanction actions taken" value={r.actions.total} />
      </dl>
      <div class="charts">
        <BarChart id="c-days" title="Captures received per day"
          data={r.captures.perDay.map((c) => ({ label: c.key, value: c.count }))} />
        <BarChart id="c-categories" title="Captures by category" data={chartOf(r.captures.byCategory)} />
        <BarChart id="c-outcomes" title="Moderation outcomes" data={chartOf(r.captures.byOutcome)} />
        <BarChart id="c-incidents" title="Incidents by 4 C category"
          data={chartOf(r.incidents.byCategory)} />
        <BarChart id="c-types" title="Incidents by type" data={chartOf(r.incidents.byType)} />
        <BarChart id="c-access" title="Internet access" data={chartOf(r.compliance.byAccess)} />
      </div>
      <h2>Moderation turnaround</h2>
      <dl class="facts">
        <dt>Received to graded</dt><dd>{minutes(r.turnaround.receivedToGraded)}</dd>
        <dt>Alert raised to acknowledged</dt><dd>{minutes(r.turnaround.raisedToAcknowledged)}</dd>
      </dl>
      <h2>Open items</h2>
      <dl class="facts">
        <dt>Awaiting moderation</dt><dd>{r.openItems.awaitingModeration}
          {r.openItems.oldestAwaitingHours !== null
            && ` (oldest ${Math.round(r.openItems.oldestAwaitingHours)} h)`}</dd>
        <dt>Unacknowledged alerts</dt><dd>{r.openItems.unacknowledgedAlerts}</dd>
        <dt>Open incidents</dt><dd>{r.openItems.openIncidents}</dd>
      </dl>
      <h2>Violations and the incidents they opened</h2>
      {r.violations.length === 0 ? <Empty>No violations this month.</Empty> : (
        <ul>{r.violations.map((v) => <li key={v.captureId}>{words(v.grade)}:{" "}
          {v.incidentId ? "incident opened" : "no incident yet"}</li>)}</ul>)}
      <h2>Agreements still to sign</h2>
      <People people={r.compliance.needingSignature} what="needing a signature" />
      <h2>Internet access suspended</h2>
      <People people={r.compliance.suspended} what="suspended" />
    </div>
  );
}

function Figure({ id, label, value }: { id: string; label: string; value: number }) {
  return <div class="figure"><dt id={id}>{label}</dt><dd aria-labelledby={id}>{value}</dd></div>;
}

const PAGE = 20;

/** A long list of names, page by page. */
export function People({ people, what }: { people: PersonLine[]; what: string }) {
  const [offset, setOffset] = useState(0);
  if (people.length === 0) return <Empty>Nobody {what}.</Empty>;
  return (
    <>
      <ul class="people">{people.slice(offset, offset + PAGE).map((p) => (
        <li key={p.personId}>{p.name} ({words(p.kind)}){p.missing.length > 0
          && `: ${p.missing.map(words).join(", ")}`}</li>))}</ul>
      <Pager offset={offset} limit={PAGE} total={people.length} label={`People ${what}`}
        onMove={setOffset} />
    </>
  );
}

function IssuedReports({ schoolId, month, canIssue }: {
  schoolId: string; month: string; canIssue: boolean;
}) {
  const issued = useQuery<{ issuedReports: Issued[] }>(ISSUED, { s: schoolId });
  const action = useAction();
  const [job, setJob] = useState<Job | null>(null);
  const [offset, setOffset] = useState(0);
  // Follow the job until it is done or failed, then list the new report.
  useEffect(() => {
    if (!job || job.status === "done" || job.status === "failed") return;
    const timer = setTimeout(() => void gql<{ reportJob: Job }>(JOB, { j: job.jobId }).then(
      ({ reportJob }) => { setJob(reportJob); if (reportJob.status === "done") soon(issued.reload); },
      () => setTimeout(() => setJob({ ...job }), 1000)), 700);
    return () => clearTimeout(timer);
  }, [job]);
  const issue = () => void action.run(async () => {
    const { issueMonthlyReport } = await gql<{ issueMonthlyReport: Job }>(ISSUE,
      { s: schoolId, m: month });
    setJob(issueMonthlyReport);
  });
  const fetchFile = (url: string, name: string) => void action.run(() => download(url, name));
  return (
    <>
      <h2>Issued reports</h2>
      {canIssue && (
        <p class="toolbar">
          <button type="button" onClick={issue}
            disabled={action.busy || (job !== null && !["done", "failed"].includes(job.status))}>
            Issue the report for {month}</button>
          {job && (
            <span role="status">
              <label for="job-progress">{job.status === "failed" ? `Failed: ${job.error ?? job.step}`
                : job.status === "done" ? "Issued." : `Issuing: ${words(job.step)}`}</label>{" "}
              <progress id="job-progress" max={100} value={job.progress}>{job.progress}%</progress>
            </span>)}
        </p>)}
      <ErrorMessage message={action.error} />
      <Load loaded={issued} what="issued reports">
        {({ issuedReports: list }) => list.length === 0 ? <Empty>No report issued yet.</Empty> : (
          <>
            <table>
              <caption class="sr-only">Issued reports</caption>
              <thead><tr><th scope="col">Month</th><th scope="col">Issued</th>
                <th scope="col">Summary</th><th scope="col">Files</th></tr></thead>
              <tbody>{list.slice(offset, offset + 12).map((r) => (
                <tr key={r.reportId}>
                  <td>{r.month}</td><td>{when(r.issuedAt)}</td>
                  <td>{r.summary.map((c) => `${words(c.key)} ${c.count}`).join(", ")}</td>
                  <td class="files">
                    <button type="button" aria-label={`Download ${r.month} as CSV`}
                      onClick={() => fetchFile(r.csvUrl, `${r.reportId}.csv`)}>CSV</button>{" "}
                    <button type="button" aria-label={`Download ${r.month} as PDF`}
                      onClick={() => fetchFile(r.pdfUrl, `${r.reportId}.pdf`)}>PDF</button>
                  </td>
                </tr>))}
              </tbody>
            </table>
            <Pager offset={offset} limit={12} total={list.length} label="Issued reports"
              onMove={setOffset} />
          </>
        )}
      </Load>
    </>
  );
}
