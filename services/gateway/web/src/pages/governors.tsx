// The governors' termly report: aggregates only (no names), this term against the last, read
// only. Governors see it for their own school.
import { useState } from "preact/hooks";
import type { Me } from "../api";
import { BarChart, PairChart } from "../charts";
import { Load, useQuery, when, words } from "../ui";
import { chartOf, type Count } from "./monthly";

interface TermFigures {
  incidentsReported: number; incidentsByCategory: Count[]; incidentsOpen: number;
  incidentsReferred: number; capturesReceived: number; capturesByCategory: Count[];
  capturesByOutcome: Count[]; alertsRaised: number; urgentAlerts: number; slaBreaches: number;
  actionsTaken: number; peopleNeedingSignature: number; accessSuspended: number;
  logReviewed: boolean;
}
interface Governors {
  schoolName: string; term: string; previousTerm: string; asOf: string;
  thisTerm: TermFigures; lastTerm: TermFigures;
  trends: { figure: string; thisTerm: number; previousTerm: number; change: number }[];
}

const FIGURES = `incidentsReported incidentsByCategory { key count } incidentsOpen incidentsReferred
  capturesReceived capturesByCategory { key count } capturesByOutcome { key count } alertsRaised
  urgentAlerts slaBreaches actionsTaken peopleNeedingSignature accessSuspended logReviewed`;
const REPORT = `query($s: String!, $t: String!) { governorsReport(schoolId: $s, term: $t) {
  schoolName term previousTerm asOf thisTerm { ${FIGURES} } lastTerm { ${FIGURES} }
  trends { figure thisTerm previousTerm change } } }`;

const SEASONS = ["spring", "summer", "autumn"];

/** The term (autumn Sep–Dec, spring Jan–Mar, summer Apr–Aug) a date falls in. */
export function termOf(at: Date): string {
  const m = at.getUTCMonth() + 1;
  return `${at.getUTCFullYear()}-${m >= 9 ? "autumn" : m >= 4 ? "summer" : "spring"}`;
}

export function recentTerms(count: number): string[] {
  const terms = [termOf(new Date())];
  while (terms.length < count) {
    const [year, season] = (terms[terms.length - 1] ?? "").split("-");
    const i = SEASONS.indexOf(season ?? "");
    terms.push(i === 0 ? `${Number(year) - 1}-autumn` : `${year}-${SEASONS[i - 1]}`);
  }
  return terms;
}

export function TermChoice({ id, value, onChange }: {
  id: string; value: string; onChange: (term: string) => void;
}) {
  return (
    <p class="toolbar"><span class="field">
      <label for={id}>Term</label>
      <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {recentTerms(6).map((t) => <option key={t} value={t}>{words(t.replace("-", " "))}</option>)}
      </select>
    </span></p>
  );
}

export function GovernorsPage({ me }: { me: Me }) {
  const [term, setTerm] = useState(termOf(new Date()));
  const report = useQuery<{ governorsReport: Governors }>(REPORT, { s: me.schoolId, t: term });
  return (
    <section aria-labelledby="governors-title">
      <h1 id="governors-title">Governors' termly report</h1>
      <TermChoice id="g-term" value={term} onChange={setTerm} />
      <Load loaded={report} what="the governors' report">
        {({ governorsReport: r }) => (
          <>
            <p class="muted">{r.schoolName}, {words(r.term.replace("-", " "))} against{" "}
              {words(r.previousTerm.replace("-", " "))}; as known {when(r.asOf)}. Figures only:
              no pupil or member of staff is named.</p>
            <table class="trends">
              <caption>This term against last term</caption>
              <thead><tr><th scope="col">Figure</th><th scope="col">This term</th>
                <th scope="col">Last term</th><th scope="col">Change</th></tr></thead>
              <tbody>{r.trends.map((t) => (
                <tr key={t.figure} data-figure={t.figure}><th scope="row">{words(t.figure)}</th>
                  <td>{t.thisTerm}</td><td>{t.previousTerm}</td>
                  <td>{t.change > 0 ? `+${t.change}` : t.change}</td></tr>))}
              </tbody>
            </table>
            <p>The e-safety log was {r.thisTerm.logReviewed ? "" : "not yet "}reviewed this term.</p>
            <div class="charts">
              <PairChart id="g-trends" title="This term and last term" names={["This term", "Last term"]}
                data={r.trends.map((t) => ({ label: words(t.figure), a: t.thisTerm, b: t.previousTerm }))} />
              <BarChart id="g-incidents" title="Incidents by 4 C category this term"
                data={chartOf(r.thisTerm.incidentsByCategory)} />
              <BarChart id="g-captures" title="Captures by category this term"
                data={chartOf(r.thisTerm.capturesByCategory)} />
            </div>
          </>
        )}
      </Load>
    </section>
  );
}
