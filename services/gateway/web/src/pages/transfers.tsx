// Record transfers: a leaver's safeguarding record sent to the LA school they join (DfE: within
// 5 school days), both schools listing it; the receiving school confirms receipt against the
// joiner. The safeguarding leads send and confirm; the LA admin oversees.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { abilities } from "../roles";
import {
  Empty, ErrorMessage, Load, Loading, soon, useAction, useQuery, useSchool, when,
} from "../ui";
import { Field } from "./compliance";

interface Transfer {
  transferId: string; schoolId: string; toSchoolId: string; personId: string; pupilName: string;
  note: string; sentAt: string; sentByName: string; dueOn: string; overdue: boolean;
  joinerId: string | null; receivedAt: string | null; receivedByName: string | null;
  incidents: { incidentId: string; summary: string }[];
}
interface School { schoolId: string; name: string }
interface Pupil { personId: string; givenName: string; familyName: string; leftOn: string | null }

const TRANSFERS = `query($s: String!) { recordTransfers(schoolId: $s) { transferId schoolId
  toSchoolId personId pupilName note sentAt sentByName dueOn overdue joinerId receivedAt
  receivedByName incidents { incidentId summary } } }`;
const PUPILS = `query($s: String!, $l: Boolean!) { people(schoolId: $s, kind: PUPIL,
  includeLeavers: $l, limit: 500) { items { personId givenName familyName leftOn } } }`;
const START = `mutation($s: String!, $p: String!, $to: String!, $n: String!) {
  startRecordTransfer(schoolId: $s, personId: $p, toSchoolId: $to, note: $n) {
    transferId dueOn incidents } }`;
const SCHOOLS = `query($s: String!) { transferSchools(schoolId: $s) { schoolId name } }`;
const CONFIRM = `mutation($s: String!, $t: String!, $p: String!) {
  confirmRecordTransfer(schoolId: $s, transferId: $t, personId: $p) { transferId } }`;

const name = (p: Pupil) => `${p.givenName} ${p.familyName}`;

export function TransfersPage({ me }: { me: Me }) {
  const can = abilities(me);
  const { schoolId, picker } = useSchool(me.schoolId, can.isLa);
  const list = useQuery<{ recordTransfers: Transfer[] }>(TRANSFERS, schoolId ? { s: schoolId } : null);
  const send = can.sendTransfers && !can.isLa;
  const schools = useQuery<{ transferSchools: School[] }>(SCHOOLS,
    send && schoolId ? { s: schoolId } : null);
  const all = useQuery<{ schools: School[] }>("{ schools { schoolId name } }", can.isLa ? {} : null);
  const others = schools.data?.transferSchools ?? all.data?.schools ?? [];
  const named = (id: string) => others.find((o) => o.schoolId === id)?.name ?? id;
  return (
    <section aria-labelledby="transfers-title">
      <h1 id="transfers-title">Record transfers</h1>
      <p class="muted">A leaver's safeguarding record, sent to the school they join within 5 school
        days; the receiving school confirms it has it.</p>
      {picker}
      <Load loaded={list} what="record transfers">
        {({ recordTransfers: rows }) => rows.length === 0
          ? <Empty>No records have been sent or received.</Empty>
          : <Table rows={rows} schoolId={schoolId ?? ""} named={named} />}
      </Load>
      {send && schoolId && list.data && list.data.recordTransfers
        .filter((t) => t.toSchoolId === schoolId && !t.receivedAt)
        .map((t) => <ConfirmForm key={t.transferId} schoolId={schoolId} transfer={t}
          from={named(t.schoolId)} onDone={() => soon(list.reload)} />)}
      {send && schoolId && (schools.error ? <ErrorMessage message={schools.error} />
        : !schools.data ? <Loading what="the LA's schools" />
        : <StartForm schoolId={schoolId} schools={others} onDone={() => soon(list.reload)}
          sent={(list.data?.recordTransfers ?? []).filter((t) => t.schoolId === schoolId)
            .map((t) => t.personId)} />)}
    </section>
  );
}

function Table({ rows, schoolId, named }: {
  rows: Transfer[]; schoolId: string; named: (id: string) => string;
}) {
  return (
    <table class="transfers">
      <caption class="sr-only">Records sent and received</caption>
      <thead><tr><th scope="col">Pupil</th><th scope="col">Sent to or from</th>
        <th scope="col">Sent</th><th scope="col">Due</th><th scope="col">Status</th>
        <th scope="col">Incidents</th></tr></thead>
      <tbody>{rows.map((t) => (
        <tr key={t.transferId} data-transfer={t.transferId}>
          <td>{t.pupilName}</td>
          <td>{t.schoolId === schoolId ? `Sent to ${named(t.toSchoolId)}`
            : `From ${named(t.schoolId)}`}
            {t.note && <><br /><span class="muted">{t.note}</span></>}</td>
          <td>{when(t.sentAt)} <span class="muted">by {t.sentByName}</span></td>
          <td>{t.dueOn}</td>
          <td>{t.receivedAt ? `Received ${when(t.receivedAt)} by ${t.receivedByName ?? "—"}`
            : t.overdue ? <strong class="error">Overdue: not yet received</strong>
            : "Awaiting receipt"}</td>
          <td>{t.incidents.length === 0 ? "None" : (
            <details><summary>{t.incidents.length} sent</summary>
              <ul>{t.incidents.map((i) => <li key={i.incidentId}>{i.summary}</li>)}</ul>
            </details>)}</td>
        </tr>))}
      </tbody>
    </table>
  );
}

function ConfirmForm({ schoolId, transfer, from, onDone }: {
  schoolId: string; transfer: Transfer; from: string; onDone: () => void;
}) {
  const pupils = useQuery<{ people: { items: Pupil[] } }>(PUPILS, { s: schoolId, l: false });
  const [chosen, setChosen] = useState("");
  const action = useAction();
  const list = pupils.data?.people.items ?? [];
  const joiner = chosen || list.find((p) => name(p) === transfer.pupilName)?.personId
    || list[0]?.personId || "";
  const id = `joiner-${transfer.transferId}`;
  const label = `Confirm receipt of ${transfer.pupilName}'s record`;
  return (
    <form class="inline" aria-label={label} onSubmit={(e) => {
      e.preventDefault();
      void action.run(() => gql(CONFIRM, { s: schoolId, t: transfer.transferId, p: joiner }))
        .then((ok) => ok && onDone());
    }}>
      <fieldset><legend>{label} (from {from})</legend>
        {pupils.error ? <ErrorMessage message={pupils.error} /> : (
          <span class="field"><label for={id}>The joiner at this school</label>
            <select id={id} value={joiner}
              onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
              {list.map((p) => <option key={p.personId} value={p.personId}>{name(p)}</option>)}
            </select></span>)}
        <button type="submit" disabled={action.busy || !joiner}>Confirm receipt</button>
      </fieldset>
      <ErrorMessage message={action.error} />
    </form>
  );
}

function StartForm({ schoolId, schools, sent, onDone }: {
  schoolId: string; schools: School[]; sent: string[]; onDone: () => void;
}) {
  const pupils = useQuery<{ people: { items: Pupil[] } }>(PUPILS, { s: schoolId, l: true });
  const [chosen, setChosen] = useState("");
  const [to, setTo] = useState("");
  const [note, setNote] = useState("");
  const [notice, setNotice] = useState("");
  const action = useAction();
  const leavers = (pupils.data?.people.items ?? []).filter((p) => p.leftOn);
  const who = chosen || leavers[0]?.personId || "";
  const target = to || schools[0]?.schoolId || "";
  const targetName = schools.find((o) => o.schoolId === target)?.name ?? target;
  const submit = (e: Event) => {
    e.preventDefault();
    setNotice("");
    const pupil = leavers.find((p) => p.personId === who);
    void action.run(async () => {
      const { startRecordTransfer: sent } = await gql<{ startRecordTransfer: {
        transferId: string; dueOn: string; incidents: number } }>(START,
        { s: schoolId, p: who, to: target, n: note });
      setNotice(`${pupil ? name(pupil) : "The pupil"}'s record sent to ${targetName} with `
        + `${sent.incidents} incident${sent.incidents === 1 ? "" : "s"}; receipt due by ${sent.dueOn}.`);
      setNote("");
      onDone();
    });
  };
  if (pupils.error) return <ErrorMessage message={pupils.error} />;
  if (!pupils.data) return <Loading what="leavers" />;
  if (leavers.length === 0) {
    return <Empty>No pupil has left the school, so there is no record to send (the school's
      admin or headteacher records leavers in People and roles).</Empty>;
  }
  return (
    <form class="inline" aria-label="Send a leaver's record" onSubmit={submit}>
      <fieldset><legend>Send a leaver's record</legend>
        <span class="field"><label for="tr-pupil">Leaver</label>
          <select id="tr-pupil" value={who}
            onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
            {leavers.map((p) => <option key={p.personId} value={p.personId}>
              {name(p)} (left {p.leftOn}{sent.includes(p.personId) ? ", record sent" : ""})
            </option>)}
          </select></span>
        <span class="field"><label for="tr-to">Receiving school</label>
          <select id="tr-to" value={target}
            onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
            {schools.map((o) => <option key={o.schoolId} value={o.schoolId}>{o.name}</option>)}
          </select></span>
        <Field id="tr-note" label="Note for the receiving DSL" value={note} set={setNote} wide />
        <button type="submit" disabled={action.busy || !who || !target}>Send record</button>
      </fieldset>
      <ErrorMessage message={action.error} />
      <p class="status" role="status">{notice}</p>
    </form>
  );
}
