// The termly review of the e-safety log: the term's incidents (for those who may read the log),
// the findings recorded for it, and the reviews of earlier terms.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { abilities } from "../roles";
import {
  Empty, ErrorMessage, Load, Pager, soon, useAction, useQuery, useSchool, when, words,
} from "../ui";
import { TermChoice, termOf } from "./governors";

interface Review { term: string; reviewerName: string; findings: string; recordedAt: string }

const REVIEWS = `query($s: String!) { termlyReviews(schoolId: $s) { term reviewerName findings
  recordedAt } }`;
const LOG = `query($s: String!, $t: String!, $o: Int!) { incidentLog(schoolId: $s,
  where: { term: $t }, offset: $o, limit: 15) { total items { incidentId schoolId occurredAt
  description status category } } }`;
const RECORD = `mutation($s: String!, $t: String!, $f: String!) {
  recordTermlyReview(schoolId: $s, term: $t, findings: $f) { term } }`;

export function TermlyPage({ me }: { me: Me }) {
  const can = abilities(me);
  const { schoolId, picker } = useSchool(me.schoolId, can.isLa);
  const [term, setTerm] = useState(termOf(new Date()));
  const [offset, setOffset] = useState(0);
  const reviews = useQuery<{ termlyReviews: Review[] }>(REVIEWS, schoolId ? { s: schoolId } : null);
  const log = useQuery<{ incidentLog: { total: number; items: {
    incidentId: string; schoolId: string; occurredAt: string; description: string; status: string;
    category: string | null }[] } }>(LOG, can.incidents && schoolId ? { s: schoolId, t: term, o: offset } : null);
  const [findings, setFindings] = useState("");
  const action = useAction();
  const [done, setDone] = useState("");
  const record = (e: Event) => {
    e.preventDefault();
    void action.run(() => gql(RECORD, { s: schoolId, t: term, f: findings })).then((ok) => {
      if (ok) { setFindings(""); setDone(`Review of ${words(term.replace("-", " "))} recorded.`);
        soon(reviews.reload); }
    });
  };
  return (
    <section aria-labelledby="termly-title">
      <h1 id="termly-title">Termly review of the e-safety log</h1>
      {picker}
      <TermChoice id="t-term" value={term} onChange={(t) => { setTerm(t); setOffset(0); }} />
      {can.incidents && (
        <>
          <h2>Incidents this term</h2>
          <Load loaded={log} what="the term's incidents">
            {({ incidentLog: page }) => page.items.length === 0
              ? <Empty>No incidents logged this term.</Empty> : (
                <>
                  <table>
                    <caption class="sr-only">Incidents of the term</caption>
                    <thead><tr><th scope="col">Occurred</th><th scope="col">What happened</th>
                      <th scope="col">Category</th><th scope="col">Status</th></tr></thead>
                    <tbody>{page.items.map((i) => (
                      <tr key={i.incidentId}><td>{when(i.occurredAt)}</td>
                        <td><a href={`#/incident/${i.schoolId}/${i.incidentId}`}>{i.description}</a></td>
                        <td>{words(i.category)}</td><td>{words(i.status)}</td></tr>))}
                    </tbody>
                  </table>
                  <Pager offset={offset} limit={15} total={page.total} label="Incidents"
                    onMove={setOffset} />
                </>
              )}
          </Load>
        </>)}
      {can.recordTermlyReview && schoolId && (
        <form class="stack" onSubmit={record}>
          <h2>Record the review of {words(term.replace("-", " "))}</h2>
          <label for="t-findings">Findings</label>
          <textarea id="t-findings" rows={3} required value={findings}
            onInput={(e) => { setDone(""); setFindings((e.target as HTMLTextAreaElement).value); }} />
          <ErrorMessage message={action.error} />
          <button type="submit" disabled={action.busy || !findings.trim()}>Record termly review</button>
          <p class="status" role="status">{done}</p>
        </form>)}
      <h2>Reviews recorded</h2>
      <Load loaded={reviews} what="termly reviews">
        {({ termlyReviews: list }) => list.length === 0 ? <Empty>No termly review yet.</Empty> : (
          <table>
            <caption class="sr-only">Termly reviews</caption>
            <thead><tr><th scope="col">Term</th><th scope="col">Reviewed by</th>
              <th scope="col">Recorded</th><th scope="col">Findings</th></tr></thead>
            <tbody>{list.map((r) => (
              <tr key={`${r.term}-${r.recordedAt}`}><td>{words(r.term.replace("-", " "))}</td>
                <td>{r.reviewerName}</td><td>{when(r.recordedAt)}</td><td>{r.findings}</td></tr>))}
            </tbody>
          </table>)}
      </Load>
    </section>
  );
}
