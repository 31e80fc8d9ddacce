// The headteacher's weekly capture review: what was moderated since the last review, the
// findings recorded against it, and the reviews so far.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { abilities } from "../roles";
import {
  Empty, ErrorMessage, Load, Pager, soon, useAction, useQuery, when, words,
} from "../ui";

interface Review {
  byName: string; at: string; periodFrom: string; findings: string; capturesSeen: string[];
}
interface Worklist {
  lastReview: Review | null; since: string; overdue: boolean; total: number;
  captures: { captureId: string; schoolId: string; capturedAt: string; personName: string | null;
    username: string; trigger: string; category: string | null; grade: string | null }[];
}

const REVIEW = "byName at periodFrom findings capturesSeen";
const WORKLIST = `query($s: String!) { reviewWorklist(schoolId: $s) { since overdue total
  lastReview { ${REVIEW} }
  captures { captureId schoolId capturedAt personName username trigger category grade } } }`;
const REVIEWS = `query($s: String!, $o: Int!) { weeklyReviews(schoolId: $s, offset: $o, limit: 10) {
  ${REVIEW} } }`;
const RECORD = `mutation($s: String!, $f: String!, $c: [String!]) {
  recordWeeklyReview(schoolId: $s, findings: $f, capturesSeen: $c) { at } }`;
const PAGE = 15;

export function WeeklyReviewPage({ me }: { me: Me }) {
  const can = abilities(me);
  const schoolId = me.schoolId;
  const worklist = useQuery<{ reviewWorklist: Worklist }>(WORKLIST, { s: schoolId });
  const [offset, setOffset] = useState(0);
  const [pastOffset, setPastOffset] = useState(0);
  const past = useQuery<{ weeklyReviews: Review[] }>(REVIEWS, { s: schoolId, o: pastOffset });
  const [findings, setFindings] = useState("");
  const [done, setDone] = useState(false);
  const action = useAction();
  const record = (ids: string[]) => (e: Event) => {
    e.preventDefault();
    void action.run(() => gql(RECORD, { s: schoolId, f: findings, c: ids })).then((ok) => {
      if (ok) { setFindings(""); setDone(true); soon(worklist.reload); soon(past.reload); }
    });
  };
  return (
    <section aria-labelledby="review-title">
      <h1 id="review-title">Weekly capture review</h1>
      <Load loaded={worklist} what="the captures to review">
        {({ reviewWorklist: w }) => (
          <>
            <p class={w.overdue ? "error" : "muted"}>
              {w.lastReview ? `Last reviewed ${when(w.lastReview.at)} by ${w.lastReview.byName}.`
                : "No review recorded yet."}{w.overdue && " A review is overdue."}{" "}
              Moderated since {when(w.since)}: {w.total}.</p>
            {w.captures.length === 0 ? <Empty>Nothing was moderated since the last review.</Empty> : (
              <>
                <table>
                  <caption class="sr-only">Captures moderated since the last review</caption>
                  <thead><tr><th scope="col">Captured</th><th scope="col">Who</th>
                    <th scope="col">Trigger</th><th scope="col">Category</th>
                    <th scope="col">Grade</th></tr></thead>
                  <tbody>{w.captures.slice(offset, offset + PAGE).map((c) => (
                    <tr key={c.captureId}>
                      <td>{when(c.capturedAt)}</td><td>{c.personName ?? c.username}</td>
                      <td><a href={`#/capture/${c.schoolId}/${c.captureId}`}>{c.trigger}</a></td>
                      <td>{words(c.category)}</td><td>{words(c.grade)}</td>
                    </tr>))}
                  </tbody>
                </table>
                <Pager offset={offset} limit={PAGE} total={w.captures.length} label="Captures"
                  onMove={setOffset} />
              </>
            )}
            {can.recordWeeklyReview && (
              <form class="stack" onSubmit={record(w.captures.map((c) => c.captureId))}>
                <h2>Record this week's review</h2>
                <label for="r-findings">Findings</label>
                <textarea id="r-findings" rows={3} required value={findings}
                  onInput={(e) => { setDone(false); setFindings((e.target as HTMLTextAreaElement).value); }} />
                <ErrorMessage message={action.error} />
                <button type="submit" disabled={action.busy || !findings.trim()}>Record review</button>
                <p class="status" role="status">{done ? "Review recorded." : ""}</p>
              </form>
            )}
          </>
        )}
      </Load>
      <h2>Reviews so far</h2>
      <Load loaded={past} what="past reviews">
        {({ weeklyReviews: list }) => list.length === 0 && pastOffset === 0
          ? <Empty>No reviews yet.</Empty> : (
            <>
              <table class="reviews">
                <caption class="sr-only">Weekly reviews</caption>
                <thead><tr><th scope="col">Recorded</th><th scope="col">By</th>
                  <th scope="col">Period from</th><th scope="col">Captures</th>
                  <th scope="col">Findings</th></tr></thead>
                <tbody>{list.map((r) => (
                  <tr key={r.at}><td>{when(r.at)}</td><td>{r.byName}</td><td>{when(r.periodFrom)}</td>
                    <td>{r.capturesSeen.length}</td><td>{r.findings}</td></tr>))}
                </tbody>
              </table>
              <nav class="pager" aria-label="Weekly review pages">
                <button type="button" disabled={pastOffset === 0}
                  onClick={() => setPastOffset(Math.max(0, pastOffset - 10))}>Newer</button>
                <button type="button" disabled={list.length < 10}
                  onClick={() => setPastOffset(pastOffset + 10)}>Older</button>
              </nav>
            </>
          )}
      </Load>
    </section>
  );
}
