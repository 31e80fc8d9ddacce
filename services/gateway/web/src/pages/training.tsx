// Staff training: where each member of staff stands (overdue first, with the reason), and a
// completed induction or refresher recorded by the school's leaders.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { abilities } from "../roles";
import { Empty, ErrorMessage, Load, soon, useAction, useQuery, useSchool, words } from "../ui";
import { Field, today } from "./compliance";
import { Choice } from "./incidents";

interface Row {
  personId: string; name: string; lastInduction: string | null; lastRefresher: string | null;
  dueOn: string | null; overdue: boolean; reason: string | null;
}
const STATUS = `query($s: String!, $o: Boolean!) { trainingStatus(schoolId: $s, overdueOnly: $o) {
  personId name lastInduction lastRefresher dueOn overdue reason } }`;
const RECORD = "mutation($i: RecordTrainingInput!) { recordTraining(input: $i) }";
const KINDS = ["INDUCTION", "REFRESHER"];

export function TrainingPage({ me }: { me: Me }) {
  const can = abilities(me);
  const { schoolId, picker } = useSchool(me.schoolId, can.isLa);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const status = useQuery<{ trainingStatus: Row[] }>(STATUS,
    schoolId ? { s: schoolId, o: overdueOnly } : null);
  return (
    <section aria-labelledby="training-title">
      <h1 id="training-title">Staff training</h1>
      {picker}
      <p class="field check">
        <input id="overdue-only" type="checkbox" checked={overdueOnly}
          onChange={(e) => setOverdueOnly((e.target as HTMLInputElement).checked)} />
        <label for="overdue-only">Overdue only</label>
      </p>
      <Load loaded={status} what="staff training">
        {({ trainingStatus: rows }) => (
          <>
            {rows.length === 0 ? <Empty>{overdueOnly ? "Nobody is overdue."
              : "No current staff are listed."}</Empty> : (
              <table class="training">
                <caption class="sr-only">Staff training</caption>
                <thead><tr><th scope="col">Name</th><th scope="col">Induction</th>
                  <th scope="col">Refresher</th><th scope="col">Due</th>
                  <th scope="col">Standing</th></tr></thead>
                <tbody>{rows.map((r) => (
                  <tr key={r.personId} data-person={r.personId}>
                    <td>{r.name}</td><td>{r.lastInduction ?? "—"}</td>
                    <td>{r.lastRefresher ?? "—"}</td><td>{r.dueOn ?? "now"}</td>
                    <td>{r.overdue ? <strong class="error">Overdue{r.reason ? `: ${r.reason}` : ""}
                    </strong> : "Up to date"}</td>
                  </tr>))}
                </tbody>
              </table>
            )}
            {can.recordTraining && schoolId && rows.length > 0
              && <RecordForm schoolId={schoolId} staff={rows} onDone={() => soon(status.reload)} />}
          </>
        )}
      </Load>
    </section>
  );
}

function RecordForm({ schoolId, staff, onDone }: {
  schoolId: string; staff: Row[]; onDone: () => void;
}) {
  const [personId, setPersonId] = useState("");
  const [kind, setKind] = useState("INDUCTION");
  const [completedOn, setCompletedOn] = useState(today());
  const [provider, setProvider] = useState("");
  const [evidence, setEvidence] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const who = personId || staff[0]?.personId || "";
  const submit = (e: Event) => {
    e.preventDefault();
    setNotice(null);
    void action.run(() => gql(RECORD, { i: { schoolId, personId: who, kind, completedOn,
      provider, evidence: evidence || null } })).then((ok) => {
      if (!ok) return;
      const name = staff.find((s) => s.personId === who)?.name ?? "";
      setNotice(`${words(kind)} recorded for ${name}.`);
      setProvider("");
      setEvidence("");
      onDone();
    });
  };
  return (
    <form class="inline" aria-label="Record training" onSubmit={submit}>
      <fieldset><legend>Record training</legend>
        <span class="field"><label for="t-who">Member of staff</label>
          <select id="t-who" value={who}
            onChange={(e) => setPersonId((e.target as HTMLSelectElement).value)}>
            {staff.map((s) => <option key={s.personId} value={s.personId}>{s.name}</option>)}
          </select></span>
        <Choice id="t-kind" label="Training" value={kind} options={KINDS} onChange={setKind} />
        <Field id="t-on" label="Completed on" value={completedOn} set={setCompletedOn} date
          required past />
        <Field id="t-provider" label="Provider" value={provider} set={setProvider} required />
        <Field id="t-evidence" label="Evidence" value={evidence} set={setEvidence} />
        <button type="submit" disabled={action.busy || !provider.trim() || !who}>Record</button>
      </fieldset>
      <ErrorMessage message={action.error} />
      <p class="status" role="status">{notice ?? ""}</p>
    </form>
  );
}
