// The incident log (filters, pages) and one incident: its chronology and the lead's actions.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { abilities } from "../roles";
import { SanctionsPanel } from "./sanctions";
import {
  Empty, ErrorMessage, Load, type Loaded, Pager, soon, useAction, useQuery, useSchool, when, words,
} from "../ui";

interface Incident {
  incidentId: string; schoolId: string; occurredAt: string; reportedAt: string;
  description: string; cameToLight: string; reporterName: string; category: string | null;
  incidentType: string | null; cyberBullying: boolean; childProtection: boolean; status: string;
  assignee: string | null; assigneeName: string; referrals: string[]; outcome: string | null; url: string | null;
  involved: { kind: string; name: string }[];
  chronology?: { seq: number; at: string; byName: string; entry: string; detail: string }[];
}

const ROW = `incidentId schoolId occurredAt reportedAt description cameToLight reporterName
  category incidentType cyberBullying childProtection status assignee assigneeName referrals
  outcome url
  involved { kind name }`;
const LOG_LIMIT = 20;
export const LOG = `query($s: String!, $w: IncidentFilter, $o: Int!) {
  incidentLog(schoolId: $s, where: $w, offset: $o, limit: ${LOG_LIMIT}) { total items { ${ROW} } } }`;
const ONE = `query($s: String!, $i: String!) { incident(schoolId: $s, incidentId: $i) {
  ${ROW} chronology { seq at byName entry detail } } }`;
const TYPES = `query($s: String!) { incidentTypes(schoolId: $s) { audience key label } }`;
const STAFF = `query($s: String!) { people(schoolId: $s, kind: STAFF, limit: 200) {
  items { personId givenName familyName } } }`;

const STATUSES = ["REPORTED", "UNDER_REVIEW", "ACTION_TAKEN", "REFERRED", "CLOSED"];
const CATEGORIES = ["CONTENT", "CONTACT", "CONDUCT", "COMMERCE"];
const AGENCIES = ["POLICE", "LA", "CHILDRENS_SERVICES", "LADO"];

export function IncidentsPage({ me }: { me: Me }) {
  const { schoolId, picker } = useSchool(me.schoolId, abilities(me).isLa);
  const [status, setStatus] = useState("");
  const [category, setCategory] = useState("");
  const [offset, setOffset] = useState(0);
  const where = { status: status || null, category: category || null };
  const log = useQuery<LogPage>(LOG,
    schoolId ? { s: schoolId, w: where, o: offset } : null);
  return (
    <section aria-labelledby="incidents-title">
      <h1 id="incidents-title">Incident log</h1>
      {picker}
      <div class="toolbar">
        <Choice id="f-status" label="Status" value={status} options={STATUSES} any="Any status"
          onChange={(v) => { setStatus(v); setOffset(0); }} />
        <Choice id="f-category" label="Category" value={category} options={CATEGORIES}
          any="Any category" onChange={(v) => { setCategory(v); setOffset(0); }} />
      </div>
      <IncidentList loaded={log} offset={offset} onMove={setOffset} label="Incidents"
        empty="No incidents match." />
    </section>
  );
}

export type LogPage = { incidentLog: { total: number; items: Incident[] } };

/** A page of the log as a table linking to each incident, with its pager. */
export function IncidentList({ loaded, offset, onMove, label, empty }: {
  loaded: Loaded<LogPage>; offset: number; onMove: (offset: number) => void; label: string;
  empty: string;
}) {
  return (
    <Load loaded={loaded} what={label.toLowerCase()}>
      {({ incidentLog: page }) => page.items.length === 0 ? <Empty>{empty}</Empty> : (
        <>
          <table class="incidents">
            <caption class="sr-only">{label}</caption>
            <thead><tr><th scope="col">Occurred</th><th scope="col">What happened</th>
              <th scope="col">Status</th><th scope="col">Category</th>
              <th scope="col">Reported by</th></tr></thead>
            <tbody>{page.items.map((i) => (
              <tr key={i.incidentId}>
                <td>{when(i.occurredAt)}</td>
                <td><a href={`#/incident/${i.schoolId}/${i.incidentId}`}>{i.description}</a>
                  {i.childProtection && <span class="tag">Child protection</span>}
                  {i.cameToLight === "COMPLAINT" && <span class="tag">Complaint</span>}</td>
                <td>{words(i.status)}</td><td>{words(i.category)}</td>
                <td>{i.reporterName}</td>
              </tr>))}
            </tbody>
          </table>
          <Pager offset={offset} limit={LOG_LIMIT} total={page.total} label={label}
            onMove={onMove} />
        </>
      )}
    </Load>
  );
}

export function Choice({ id, label, value, options, any, onChange }: {
  id: string; label: string; value: string; options: string[]; any?: string;
  onChange: (value: string) => void;
}) {
  return (
    <span class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {any !== undefined && <option value="">{any}</option>}
        {options.map((o) => <option key={o} value={o}>{words(o)}</option>)}
      </select>
    </span>
  );
}

export function IncidentPage({ me, schoolId, incidentId }: {
  me: Me; schoolId: string; incidentId: string;
}) {
  const one = useQuery<{ incident: Incident }>(ONE, { s: schoolId, i: incidentId });
  const manage = abilities(me).incidents;
  return (
    <section aria-labelledby="incident-title">
      <p><a href="#/incidents">Back to the incident log</a></p>
      <Load loaded={one} what="the incident">
        {({ incident: i }) => (
          <>
            <h1 id="incident-title">Incident: {i.description}</h1>
            <dl class="facts">
              <dt>Status</dt><dd>{words(i.status)}</dd>
              <dt>Occurred</dt><dd>{when(i.occurredAt)}</dd>
              <dt>Came to light</dt><dd>{words(i.cameToLight)}, reported by {i.reporterName}</dd>
              <dt>Classification</dt>
              <dd>{words(i.category)}{i.incidentType ? `, ${i.incidentType}` : ""}
                {i.cyberBullying ? ", cyber-bullying" : ""}{i.childProtection ? ", child protection" : ""}</dd>
              <dt>Assigned to</dt><dd>{i.assignee ? i.assigneeName || "someone no longer listed" : "nobody yet"}</dd>
              <dt>Referred to</dt><dd>{i.referrals.length ? i.referrals.map(words).join(", ") : "—"}</dd>
              <dt>Involved</dt><dd>{i.involved.length ? i.involved.map((p) => `${p.name} (${words(p.kind)})`).join(", ") : "—"}</dd>
              {i.outcome && <><dt>Outcome</dt><dd>{i.outcome}</dd></>}
            </dl>
            <h2>Chronology</h2>
            {(i.chronology ?? []).length === 0 ? <Empty>No entries.</Empty> : (
              <ol class="chronology">
                {(i.chronology ?? []).map((c) => (
                  <li key={c.seq}><strong>{words(c.entry)}</strong> {when(c.at)} by {c.byName}: {c.detail}</li>))}
              </ol>
            )}
            {manage && <SanctionsPanel schoolId={i.schoolId} incidentId={i.incidentId} />}
            {manage && i.status !== "CLOSED" && <Actions incident={i} onDone={one.reload} />}
          </>
        )}
      </Load>
    </section>
  );
}

const CLASSIFY = `mutation($i: ClassifyIncidentInput!) { classifyIncident(input: $i) { status } }`;
const ASSIGN = `mutation($s: String!, $i: String!, $a: String!) {
  assignIncident(schoolId: $s, incidentId: $i, assignee: $a) { status } }`;
const NOTE = `mutation($s: String!, $i: String!, $t: String!, $k: IncidentEntryKind!) {
  addIncidentNote(schoolId: $s, incidentId: $i, text: $t, kind: $k) { status } }`;
const STATUS = `mutation($s: String!, $i: String!, $st: IncidentStatus!, $r: String!) {
  changeIncidentStatus(schoolId: $s, incidentId: $i, status: $st, reason: $r) { status } }`;
const REFER = `mutation($s: String!, $i: String!, $a: ReferralAgency!, $r: String!) {
  referIncident(schoolId: $s, incidentId: $i, agency: $a, reference: $r) { status } }`;
const CLOSE = `mutation($s: String!, $i: String!, $o: String!) {
  closeIncident(schoolId: $s, incidentId: $i, outcome: $o) { status } }`;

function Actions({ incident: i, onDone }: { incident: Incident; onDone: () => void }) {
  const staff = useQuery<{ people: { items: { personId: string; givenName: string;
    familyName: string }[] } }>(STAFF, { s: i.schoolId });
  const types = useQuery<{ incidentTypes: { audience: string; key: string; label: string }[] }>(
    TYPES, { s: i.schoolId });
  const action = useAction();
  const [category, setCategory] = useState(i.category ?? "CONTENT");
  const [type, setType] = useState(i.incidentType ?? "");
  const [cyber, setCyber] = useState(i.cyberBullying);
  const [cp, setCp] = useState(i.childProtection);
  const [assignee, setAssignee] = useState("");
  const [note, setNote] = useState("");
  const [kind, setKind] = useState("NOTE");
  const [status, setStatus] = useState("UNDER_REVIEW");
  const [reason, setReason] = useState("");
  const [agency, setAgency] = useState("POLICE");
  const [reference, setReference] = useState("");
  const [outcome, setOutcome] = useState("");
  const base = { s: i.schoolId, i: i.incidentId };
  const submit = (query: string, vars: Record<string, unknown>, reset?: () => void) =>
    (e: Event) => {
      e.preventDefault();
      void action.run(() => gql(query, vars)).then((ok) => { if (ok) { reset?.(); soon(onDone); } });
    };
  const text = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
  const people = staff.data?.people.items ?? [];
  return (
    <div class="actions">
      <h2>Actions</h2>
      <ErrorMessage message={action.error} />
      <Form title="Classify" onSubmit={submit(CLASSIFY, { i: { schoolId: i.schoolId,
        incidentId: i.incidentId, category, incidentType: type || null, cyberBullying: cyber,
        childProtection: cp } })} busy={action.busy}>
        <Choice id="c-category" label="Category (4 Cs)" value={category} options={CATEGORIES}
          onChange={setCategory} />
        <span class="field"><label for="c-type">Incident type</label>
          <select id="c-type" value={type} onChange={text(setType)}>
            <option value="">No type yet</option>
            {typeChoices(types.data?.incidentTypes ?? [], type).map((t) => (
              <option key={t.key} value={t.key} title={t.label}>{short(t.label)}</option>))}
          </select></span>
        <span class="field check"><input id="c-cyber" type="checkbox" checked={cyber}
          onChange={() => setCyber(!cyber)} /><label for="c-cyber">Cyber-bullying</label></span>
        <span class="field check"><input id="c-cp" type="checkbox" checked={cp}
          onChange={() => setCp(!cp)} /><label for="c-cp">Child protection</label></span>
      </Form>
      <Form title="Assign" onSubmit={submit(ASSIGN, { ...base, a: assignee })}
        busy={action.busy || !assignee}>
        <span class="field"><label for="a-who">Assign to</label>
          <select id="a-who" value={assignee} onChange={text(setAssignee)}>
            <option value="">Choose a member of staff</option>
            {people.map((p) => <option key={p.personId} value={p.personId}>
              {p.givenName} {p.familyName}</option>)}
          </select></span>
      </Form>
      <Form title="Add to the chronology" busy={action.busy || !note.trim()}
        onSubmit={submit(NOTE, { ...base, t: note, k: kind }, () => setNote(""))}>
        <Choice id="n-kind" label="Kind" value={kind} options={["NOTE", "DECISION", "ACTION"]}
          onChange={setKind} />
        <span class="field wide"><label for="n-text">Text</label>
          <textarea id="n-text" rows={2} value={note} onInput={text(setNote)} /></span>
      </Form>
      <Form title="Change status" busy={action.busy}
        onSubmit={submit(STATUS, { ...base, st: status, r: reason }, () => setReason(""))}>
        <Choice id="s-status" label="New status" value={status}
          options={["UNDER_REVIEW", "ACTION_TAKEN"]} onChange={setStatus} />
        <span class="field"><label for="s-reason">Reason</label>
          <input id="s-reason" value={reason} onInput={text(setReason)} /></span>
      </Form>
      <Form title="Refer" busy={action.busy}
        onSubmit={submit(REFER, { ...base, a: agency, r: reference }, () => setReference(""))}>
        <Choice id="r-agency" label="Agency" value={agency} options={AGENCIES} onChange={setAgency} />
        <span class="field"><label for="r-ref">Their reference</label>
          <input id="r-ref" value={reference} onInput={text(setReference)} /></span>
      </Form>
      <Form title="Close" busy={action.busy || !outcome.trim()}
        onSubmit={submit(CLOSE, { ...base, o: outcome })}>
        <span class="field wide"><label for="x-outcome">Outcome</label>
          <input id="x-outcome" value={outcome} onInput={text(setOutcome)} /></span>
      </Form>
    </div>
  );
}

function Form({ title, onSubmit, busy, children }: {
  title: string; onSubmit: (e: Event) => void; busy: boolean; children: ComponentChildren;
}) {
  return (
    <form class="inline" onSubmit={onSubmit} aria-label={title}>
      <fieldset><legend>{title}</legend>{children}
        <button type="submit" disabled={busy}>{title}</button></fieldset>
    </form>
  );
}

/** A matrix row's label is a sentence; the choice shows its start. */
function short(label: string): string {
  return label.length > 70 ? `${label.slice(0, 69)}…` : label;
}

/** One choice per type key (pupil and staff matrices may share one), the current one kept. */
function typeChoices(types: { key: string; label: string }[], current: string) {
  const unique = types.filter((t, n) => types.findIndex((x) => x.key === t.key) === n);
  return current && !unique.some((t) => t.key === current)
    ? [{ key: current, label: current }, ...unique] : unique;
}
