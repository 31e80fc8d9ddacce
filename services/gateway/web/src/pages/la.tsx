// The LA's view across schools: the overview, emerging risks, weekly reviews overdue, and who
// is behind on the DfE filtering and monitoring standards.
import { useState } from "preact/hooks";
import { BarChart } from "../charts";
import { Empty, Load, Pager, useQuery, when, words } from "../ui";

interface SchoolLine {
  schoolId: string; schoolName: string; capturesLast30Days: number; capturesTotal: number;
  backlog: number; oldestBacklogHours: number | null; slaBreaches: number; reviewDue: string | null;
  peopleNeedingSignature: number; flagged: boolean;
}
interface Risk { kind: string; value: string; schools: number; thisWeek: number }
interface Standing {
  schoolId: string; name: string; missing: string[]; reviewDue: string | null;
  reviewOverdue: boolean; lastCheckOn: string | null; policyReviewDue: string | null;
  policyReviewOverdue: boolean;
}

const LA = `{ laOverview { asOf backlog slaBreaches schools { schoolId schoolName capturesLast30Days
    capturesTotal backlog oldestBacklogHours slaBreaches reviewDue peopleNeedingSignature flagged } }
  emergingRisks { kind value schools thisWeek }
  overdueReviews { schoolId lastReviewAt }
  schools { schoolId name } }`;
const STANDARDS = `{ laFilteringStandards { schoolId name missing reviewDue reviewOverdue lastCheckOn
  policyReviewDue policyReviewOverdue } }`;

const PAGE = 25;

export function LaPage() {
  const la = useQuery<{
    laOverview: { asOf: string; backlog: number; slaBreaches: number; schools: SchoolLine[] };
    emergingRisks: Risk[]; overdueReviews: { schoolId: string; lastReviewAt: string | null }[];
    schools: { schoolId: string; name: string }[];
  }>(LA, {});
  const standards = useQuery<{ laFilteringStandards: Standing[] }>(STANDARDS, {});
  const [offset, setOffset] = useState(0);
  const [standingOffset, setStandingOffset] = useState(0);
  return (
    <section aria-labelledby="la-title">
      <h1 id="la-title">LA overview</h1>
      <Load loaded={la} what="the LA overview">
        {({ laOverview: o, emergingRisks: risks, overdueReviews: overdue, schools }) => {
          const name = (id: string) => schools.find((s) => s.schoolId === id)?.name ?? id;
          return (
            <>
              <p class="muted">As known {when(o.asOf)}: {o.backlog} captures awaiting moderation,{" "}
                {o.slaBreaches} alert deadlines missed.</p>
              {o.schools.length === 0 ? <Empty>No schools yet.</Empty> : (<>
                <table>
                  <caption>Schools</caption>
                  <thead><tr><th scope="col">School</th><th scope="col">Captures (30 days)</th>
                    <th scope="col">Awaiting moderation</th><th scope="col">Deadlines missed</th>
                    <th scope="col">Still to sign</th><th scope="col">Review due</th></tr></thead>
                  <tbody>{o.schools.slice(offset, offset + PAGE).map((s) => (
                    <tr key={s.schoolId} class={s.flagged ? "flagged" : undefined}>
                      <th scope="row">{s.schoolName}{s.flagged && <span class="tag">Needs attention</span>}</th>
                      <td>{s.capturesLast30Days}</td>
                      <td>{s.backlog}{s.oldestBacklogHours !== null
                        && ` (oldest ${Math.round(s.oldestBacklogHours)} h)`}</td>
                      <td>{s.slaBreaches}</td><td>{s.peopleNeedingSignature}</td>
                      <td>{s.reviewDue ?? "—"}</td>
                    </tr>))}
                  </tbody>
                </table>
                <Pager offset={offset} limit={PAGE} total={o.schools.length} label="Schools"
                  onMove={setOffset} /></>)}
              <BarChart id="la-captures" title="Most captures in the last 30 days (up to 15 schools)"
                data={[...o.schools].sort((a, b) => b.capturesLast30Days - a.capturesLast30Days)
                  .slice(0, 15).map((s) => ({ label: s.schoolName, value: s.capturesLast30Days }))} />
              <h2>Emerging risks</h2>
              {risks.length === 0 ? <Empty>Nothing is rising across schools this week.</Empty> : (
                <table>
                  <caption class="sr-only">Emerging risks</caption>
                  <thead><tr><th scope="col">Risk</th><th scope="col">Kind</th>
                    <th scope="col">Schools</th><th scope="col">This week</th></tr></thead>
                  <tbody>{risks.map((r) => (
                    <tr key={`${r.kind}:${r.value}`}><td>{r.kind === "category" ? words(r.value) : r.value}</td>
                      <td>{words(r.kind)}</td><td>{r.schools}</td><td>{r.thisWeek}</td></tr>))}
                  </tbody>
                </table>)}
              <h2>Weekly reviews overdue</h2>
              {overdue.length === 0 ? <Empty>Every school has reviewed in the last 7 days.</Empty> : (
                <ul aria-label="Weekly reviews overdue">{overdue.map((r) => <li key={r.schoolId}>{name(r.schoolId)}: {r.lastReviewAt
                  ? `last reviewed ${when(r.lastReviewAt)}` : "never reviewed"}</li>)}</ul>)}
            </>
          );
        }}
      </Load>
      <h2>Filtering and monitoring standards</h2>
      <Load loaded={standards} what="the schools' standing">
        {({ laFilteringStandards: rows }) => rows.length === 0 ? <Empty>No schools yet.</Empty> : (<>
          <table>
            <caption class="sr-only">Standing against the DfE standards</caption>
            <thead><tr><th scope="col">School</th><th scope="col">Roles not named</th>
              <th scope="col">Annual review due</th><th scope="col">Last check</th>
              <th scope="col">Policy review due</th></tr></thead>
            <tbody>{rows.slice(standingOffset, standingOffset + PAGE).map((s) => (
              <tr key={s.schoolId}>
                <th scope="row">{s.name}</th>
                <td>{s.missing.length ? s.missing.map(words).join(", ") : "none"}</td>
                <td class={s.reviewOverdue ? "error" : undefined}>{s.reviewDue ?? "never reviewed"}
                  {s.reviewOverdue && " (overdue)"}</td>
                <td>{s.lastCheckOn ?? "none"}</td>
                <td class={s.policyReviewOverdue ? "error" : undefined}>{s.policyReviewDue ?? "no policy"}
                  {s.policyReviewOverdue && " (overdue)"}</td>
              </tr>))}
            </tbody>
          </table>
          <Pager offset={standingOffset} limit={PAGE} total={rows.length} label="Standing"
            onMove={setStandingOffset} /></>)}
      </Load>
    </section>
  );
}
