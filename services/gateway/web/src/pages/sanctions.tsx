// Sanctions: an incident's recommendations per person (take, skip with a reason, add with a
// reason), the parent-contact tasks, and the ICT lead's list of technical-support referrals.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { abilities } from "../roles";
import {
  Empty, ErrorMessage, Load, Pager, soon, useAction, useNames, useQuery, useSchool, when, words,
} from "../ui";

interface Action {
  action: string; label: string; effect: string; sanction: boolean; escalation: boolean;
  status: string; reason: string; notes: string; by: string | null; byName: string | null;
  at: string | null;
}
interface Recommendation {
  incidentId: string; personId: string; personName: string; audience: string;
  rowLabel: string; escalated: boolean; earlier: string[]; actions: Action[];
}
interface Task {
  taskId: string; incidentId: string; personId: string; personName: string; task: string;
  openedAt: string; done: boolean; notes: string;
}
interface Referral {
  incidentId: string; audience: string; personId: string | null; notes: string; by: string;
  at: string;
}

const RECOMMENDATIONS = `query($s: String!, $i: String!) {
  sanctionRecommendations(schoolId: $s, incidentId: $i) { incidentId personId personName audience
    rowLabel escalated earlier actions { action label effect sanction escalation status reason
    notes by byName at } } }`;
const MATRIX = `query($s: String!, $a: SanctionAudience!) { sanctionMatrix(schoolId: $s, audience: $a) {
  actions { key label } } }`;
const TASKS = `query($s: String!) { openSanctionTasks(schoolId: $s) { taskId incidentId personId
  personName task openedAt done notes } }`;
const REFERRALS = `query($s: String!) { ictReferrals(schoolId: $s) { incidentId audience personId
  notes by at } }`;
const TAKE = `mutation($s: String!, $i: String!, $p: String!, $a: String!, $n: String!, $u: Date) {
  takeSanctionAction(schoolId: $s, incidentId: $i, personId: $p, action: $a, notes: $n, until: $u) {
    events } }`;
const SKIP = `mutation($s: String!, $i: String!, $p: String!, $a: String!, $r: String!) {
  skipSanctionAction(schoolId: $s, incidentId: $i, personId: $p, action: $a, reason: $r) { events } }`;
const ADD = `mutation($s: String!, $i: String!, $p: String!, $a: String!, $r: String!) {
  addSanctionAction(schoolId: $s, incidentId: $i, personId: $p, action: $a, reason: $r) { events } }`;
const DONE = `mutation($s: String!, $p: String!, $t: String!, $n: String!) {
  completeSanctionTask(schoolId: $s, personId: $p, taskId: $t, notes: $n) { events } }`;

const PENDING = ["recommended", "added"];

/** On the incident page: the recommendations the user may see and act on, and their tasks. */
export function SanctionsPanel({ schoolId, incidentId }: { schoolId: string; incidentId: string }) {
  const recs = useQuery<{ sanctionRecommendations: Recommendation[] }>(RECOMMENDATIONS,
    { s: schoolId, i: incidentId });
  const tasks = useQuery<{ openSanctionTasks: Task[] }>(TASKS, { s: schoolId });
  const changed = () => { soon(recs.reload); soon(tasks.reload); };
  // Skipped and added actions carry who by id only: named from the school's staff.
  const named = useNames(schoolId, "STAFF", "a member of staff");
  return (
    <div class="sanctions">
      <h2>Sanctions</h2>
      <Load loaded={recs} what="sanction recommendations">
        {({ sanctionRecommendations: list }) => list.length === 0
          ? <Empty>No sanction recommendation for you here: the incident has no type yet, names
            nobody from the school, or its sanctions are for another role.</Empty>
          : <>{list.map((r) => <Person key={r.personId} schoolId={schoolId} rec={r}
            named={named} onDone={changed} />)}</>}
      </Load>
      <Load loaded={tasks} what="tasks">
        {({ openSanctionTasks: all }) => {
          const mine = all.filter((t) => t.incidentId === incidentId);
          return mine.length === 0 ? null
            : <Tasks schoolId={schoolId} tasks={mine} onDone={changed} />;
        }}
      </Load>
    </div>
  );
}

function Person({ schoolId, rec, named, onDone }: {
  schoolId: string; rec: Recommendation; named: (id: string | null) => string; onDone: () => void;
}) {
  const action = useAction();
  const matrix = useQuery<{ sanctionMatrix: { actions: { key: string; label: string }[] } }>(MATRIX,
    { s: schoolId, a: rec.audience });
  const [added, setAdded] = useState("");
  const [addReason, setAddReason] = useState("");
  const base = { s: schoolId, i: rec.incidentId, p: rec.personId };
  const run = (query: string, vars: Record<string, unknown>, reset?: () => void) =>
    void action.run(() => gql(query, { ...base, ...vars })).then((ok) => {
      if (ok) { reset?.(); onDone(); }
    });
  const listed = new Set(rec.actions.map((a) => a.action));
  const more = (matrix.data?.sanctionMatrix.actions ?? []).filter((a) => !listed.has(a.key)
    || rec.actions.some((x) => x.action === a.key && x.status === "skipped"));
  const id = `san-${rec.personId}`;
  return (
    <section class="recommendation" aria-labelledby={id} data-person={rec.personId}>
      <h3 id={id}>{rec.personName} ({words(rec.audience)}): {rec.rowLabel}</h3>
      {rec.escalated && <p class="warn-text">Escalated: earlier warnings or sanctions within the
        school's window ({rec.earlier.length} earlier incident{rec.earlier.length === 1 ? "" : "s"}).</p>}
      <ErrorMessage message={action.error} />
      <table>
        <caption class="sr-only">Actions for {rec.personName}</caption>
        <thead><tr><th scope="col">Action</th><th scope="col">Status</th>
          <th scope="col">Record</th></tr></thead>
        <tbody>{rec.actions.map((a) => (
          <tr key={a.action} data-action={a.action}>
            <td>{a.label}{" "}{a.sanction && <span class="tag">Sanction</span>}
              {a.escalation && <span class="tag">Escalation</span>}</td>
            <td>{words(a.status)}{a.by && ` by ${a.byName ?? named(a.by)}`}{a.at && `, ${when(a.at)}`}
              {a.reason && <><br /><span class="muted">Reason: {a.reason}</span></>}
              {a.notes && <><br /><span class="muted">Notes: {a.notes}</span></>}</td>
            <td>{PENDING.includes(a.status)
              ? <Pending action={a} who={rec.personName} busy={action.busy}
                onTake={(n, u) => run(TAKE, { a: a.action, n, u })}
                onSkip={(r) => run(SKIP, { a: a.action, r })} />
              : "—"}</td>
          </tr>))}
        </tbody>
      </table>
      {more.length > 0 && (
        <form class="inline" aria-label={`Add an action for ${rec.personName}`} onSubmit={(e) => {
          e.preventDefault();
          run(ADD, { a: added, r: addReason }, () => { setAdded(""); setAddReason(""); });
        }}>
          <fieldset><legend>Add an action</legend>
            <span class="field"><label for={`${id}-add`}>Action</label>
              <select id={`${id}-add`} value={added}
                onChange={(e) => setAdded((e.target as HTMLSelectElement).value)}>
                <option value="">Choose an action</option>
                {more.map((a) => <option key={a.key} value={a.key}>{a.label}</option>)}
              </select></span>
            <span class="field"><label for={`${id}-add-reason`}>Reason</label>
              <input id={`${id}-add-reason`} required value={addReason}
                onInput={(e) => setAddReason((e.target as HTMLInputElement).value)} /></span>
            <button type="submit" disabled={action.busy || !added || !addReason.trim()}>Add action</button>
          </fieldset>
        </form>)}
    </section>
  );
}

function Pending({ action: a, who, busy, onTake, onSkip }: {
  action: Action; who: string; busy: boolean; onTake: (notes: string, until: string | null) => void;
  onSkip: (reason: string) => void;
}) {
  const [mode, setMode] = useState<"" | "take" | "skip">("");
  const [text, setText] = useState("");
  const [until, setUntil] = useState("");
  const id = `act-${a.action}-${who.replace(/\W+/g, "-")}`;
  if (!mode) {
    return (
      <span class="buttons">
        <button type="button" onClick={() => setMode("take")}
          aria-label={`Take: ${a.label} (${who})`}>Take</button>{" "}
        <button type="button" class="secondary" onClick={() => setMode("skip")}
          aria-label={`Skip: ${a.label} (${who})`}>Skip</button>
      </span>
    );
  }
  const skip = mode === "skip";
  const removal = a.effect === "REMOVE_ACCESS" && !skip;
  return (
    <form class="inline" aria-label={`${skip ? "Skip" : "Take"}: ${a.label}`} onSubmit={(e) => {
      e.preventDefault();
      if (skip) onSkip(text); else onTake(text, until || null);
    }}>
      <span class="field"><label for={`${id}-text`}>{skip ? "Reason for skipping" : "Notes"}</label>
        <input id={`${id}-text`} required={skip} value={text}
          onInput={(e) => setText((e.target as HTMLInputElement).value)} /></span>
      {removal && <span class="field"><label for={`${id}-until`}>Access back on</label>
        <input id={`${id}-until`} type="date" required value={until}
          onInput={(e) => setUntil((e.target as HTMLInputElement).value)} /></span>}
      <button type="submit" disabled={busy || (skip && !text.trim()) || (removal && !until)}>
        {skip ? "Skip action" : "Record as taken"}</button>{" "}
      <button type="button" class="secondary" onClick={() => { setMode(""); setText(""); }}>Cancel</button>
    </form>
  );
}

function Tasks({ schoolId, tasks, onDone }: { schoolId: string; tasks: Task[]; onDone: () => void }) {
  const action = useAction();
  const [notes, setNotes] = useState<Record<string, string>>({});
  return (
    <>
      <h3>Tasks</h3>
      <ErrorMessage message={action.error} />
      <ul class="tasks">{tasks.map((t) => (
        <li key={t.taskId} data-task={t.taskId}>
          <form class="inline" aria-label={`${words(t.task)}: ${t.personName}`} onSubmit={(e) => {
            e.preventDefault();
            void action.run(() => gql(DONE, { s: schoolId, p: t.personId, t: t.taskId,
              n: notes[t.taskId] ?? "" })).then((ok) => ok && onDone());
          }}>
            <span><strong>{words(t.task)}</strong>: {t.personName}, since {when(t.openedAt)}</span>
            <span class="field"><label for={`task-${t.taskId}`}>What was done</label>
              <input id={`task-${t.taskId}`} value={notes[t.taskId] ?? ""}
                onInput={(e) => setNotes({ ...notes, [t.taskId]: (e.target as HTMLInputElement).value })} />
            </span>
            <button type="submit" disabled={action.busy}>Mark done</button>
          </form>
        </li>))}
      </ul>
    </>
  );
}

/** The school's open sanction tasks and, for the technical staff, the ICT referrals. */
export function SanctionsPage({ me }: { me: Me }) {
  const can = abilities(me);
  const { schoolId, picker } = useSchool(me.schoolId, can.isLa);
  const tasks = useQuery<{ openSanctionTasks: Task[] }>(TASKS,
    can.sanctionTasks && schoolId ? { s: schoolId } : null);
  return (
    <section aria-labelledby="sanctions-title">
      <h1 id="sanctions-title">{can.sanctionTasks ? "Sanction tasks" : "ICT referrals"}</h1>
      {picker}
      {can.sanctionTasks && schoolId && (
        <Load loaded={tasks} what="open tasks">
          {({ openSanctionTasks: list }) => list.length === 0
            ? <Empty>No open tasks.</Empty>
            : <Tasks schoolId={schoolId} tasks={list} onDone={() => soon(tasks.reload)} />}
        </Load>)}
      {can.ictReferrals && schoolId && <Referrals schoolId={schoolId} />}
    </section>
  );
}

function Referrals({ schoolId }: { schoolId: string }) {
  const referrals = useQuery<{ ictReferrals: Referral[] }>(REFERRALS, { s: schoolId });
  const [offset, setOffset] = useState(0);
  // A pupil is named to the technical staff; staff are not (the service leaves the id out).
  const pupil = useNames(schoolId, "PUPIL", "a pupil");
  const name = (id: string | null) => id ? pupil(id) : "not named to you";
  return (
    <>
      <h2>Referrals to technical support</h2>
      <Load loaded={referrals} what="ICT referrals">
        {({ ictReferrals: list }) => list.length === 0 ? <Empty>No referrals.</Empty> : (
          <>
            <table>
              <caption class="sr-only">ICT referrals</caption>
              <thead><tr><th scope="col">When</th><th scope="col">Who</th>
                <th scope="col">Notes</th></tr></thead>
              <tbody>{list.slice(offset, offset + 20).map((r) => (
                <tr key={`${r.incidentId}-${r.at}`}><td>{when(r.at)}</td>
                  <td>{name(r.personId)} ({words(r.audience)})</td><td>{r.notes || "—"}</td></tr>))}
              </tbody>
            </table>
            <Pager offset={offset} limit={20} total={list.length} label="Referrals" onMove={setOffset} />
          </>
        )}
      </Load>
    </>
  );
}
