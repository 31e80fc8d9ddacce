// The audit trail of sensitive reads (who saw a screenshot, a child-protection incident, a
// person's history or a subject access bundle), page by page, filtered by person and kind; and
// a subject access request for the chosen person, its JSON/PDF fetched with the token.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { download } from "../download";
import { abilities } from "../roles";
import {
  Empty, ErrorMessage, Load, Pager, useAction, useQuery, useSchool, when, words,
} from "../ui";
import { Choice } from "./incidents";

interface Entry {
  eventId: string; schoolId: string; at: string; kind: string; recordId: string;
  subjects: string[]; action: string; viewerName: string; roles: string[];
}
interface Person { personId: string; givenName: string; familyName: string; kind: string }
interface Request { requestId: string; personId: string; jsonUrl: string; pdfUrl: string }

const LIMIT = 20;
const TRAIL = `query($s: String!, $p: String, $k: RecordKind, $o: Int!) {
  auditTrail(schoolId: $s, personId: $p, kind: $k, offset: $o, limit: ${LIMIT}) { total items {
    eventId schoolId at kind recordId subjects action viewerName roles } } }`;
const FIND = `query($s: String!, $q: String!) { people(schoolId: $s, search: $q, limit: 10) {
  items { personId givenName familyName kind } } }`;
const REQUEST = `mutation($s: String!, $p: String!) { requestSubjectAccess(schoolId: $s,
  personId: $p) { requestId personId jsonUrl pdfUrl } }`;
const KINDS = ["SCREENSHOT", "INCIDENT", "PERSON_HISTORY", "SUBJECT_ACCESS"];

const name = (p: Person) => `${p.givenName} ${p.familyName}`;

export function AuditPage({ me }: { me: Me }) {
  const can = abilities(me);
  const { schoolId, picker } = useSchool(me.schoolId, can.isLa);
  const [person, setPerson] = useState<Person | null>(null);
  const [kind, setKind] = useState("");
  const [offset, setOffset] = useState(0);
  const trail = useQuery<{ auditTrail: { total: number; items: Entry[] } }>(TRAIL, schoolId
    ? { s: schoolId, p: person?.personId ?? null, k: kind || null, o: offset } : null);
  const choose = (p: Person | null) => { setPerson(p); setOffset(0); };
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit trail</h1>
      <p class="muted">Every sensitive read: screenshots, child-protection incidents, people's
        histories and subject access bundles, newest first.</p>
      {picker}
      {schoolId && <PersonFinder schoolId={schoolId} chosen={person} onChoose={choose} />}
      <div class="toolbar">
        <Choice id="f-kind" label="Kind of record" value={kind} options={KINDS} any="Any kind"
          onChange={(v) => { setKind(v); setOffset(0); }} />
      </div>
      <Load loaded={trail} what="the audit trail">
        {({ auditTrail: page }) => page.items.length === 0
          ? <Empty>No sensitive reads match.</Empty> : (
            <>
              <table class="audit">
                <caption class="sr-only">Sensitive reads</caption>
                <thead><tr><th scope="col">When</th><th scope="col">Who</th>
                  <th scope="col">Record</th><th scope="col">What they did</th></tr></thead>
                <tbody>{page.items.map((e) => (
                  <tr key={e.eventId} data-kind={e.kind}>
                    <td>{when(e.at)}</td>
                    <td>{e.viewerName} <span class="muted">({e.roles.map(words).join(", ")})</span></td>
                    <td><Record entry={e} /></td>
                    <td>{e.action}</td>
                  </tr>))}
                </tbody>
              </table>
              <Pager offset={offset} limit={LIMIT} total={page.total} label="Audit trail"
                onMove={setOffset} />
            </>
          )}
      </Load>
      {person && schoolId && can.subjectAccess
        && <SubjectAccess key={person.personId} schoolId={schoolId} person={person} />}
    </section>
  );
}

function Record({ entry: e }: { entry: Entry }) {
  const path = e.kind === "INCIDENT" ? "incident" : e.kind === "SCREENSHOT" ? "capture" : null;
  const label = words(e.kind);
  return path ? <a href={`#/${path}/${e.schoolId}/${e.recordId}`}>{label}</a> : <>{label}</>;
}

/** Search the school's people by name and choose one (the trail's filter and the SAR's). */
function PersonFinder({ schoolId, chosen, onChoose }: {
  schoolId: string; chosen: Person | null; onChoose: (p: Person | null) => void;
}) {
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const found = useQuery<{ people: { items: Person[] } }>(FIND,
    query ? { s: schoolId, q: query } : null);
  if (chosen) {
    return (
      <p class="toolbar" role="status">
        <span>Person: <strong>{name(chosen)}</strong> ({words(chosen.kind)})</span>
        <button type="button" onClick={() => onChoose(null)}>Everyone</button>
      </p>
    );
  }
  return (
    <>
      <form class="toolbar" role="search" aria-label="Find a person"
        onSubmit={(e) => { e.preventDefault(); setQuery(text.trim()); }}>
        <span class="field">
          <label for="audit-person">Person</label>
          <input id="audit-person" value={text} placeholder="name"
            onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </span>
        <button type="submit" disabled={!text.trim()}>Find</button>
      </form>
      {query && (
        <Load loaded={found} what="people">
          {({ people }) => people.items.length === 0 ? <Empty>Nobody is called that.</Empty> : (
            <ul class="choices">
              {people.items.map((p) => (
                <li key={p.personId}>
                  <button type="button" onClick={() => onChoose(p)}>
                    Choose {name(p)}</button> <span class="muted">{words(p.kind)}</span>
                </li>))}
            </ul>
          )}
        </Load>
      )}
    </>
  );
}

function SubjectAccess({ schoolId, person }: { schoolId: string; person: Person }) {
  const action = useAction();
  const [request, setRequest] = useState<Request | null>(null);
  const ask = () => void action.run(async () => {
    const { requestSubjectAccess } = await gql<{ requestSubjectAccess: Request }>(REQUEST,
      { s: schoolId, p: person.personId });
    setRequest(requestSubjectAccess);
  });
  const fetchFile = (url: string, ext: string) => void action.run(() =>
    download(url, `subject-access-${request?.requestId ?? ""}.${ext}`));
  return (
    <section aria-labelledby="sar-title">
      <h2 id="sar-title">Subject access request for {name(person)}</h2>
      <p class="muted">Everything held about {name(person)}, other pupils redacted. Requesting
        and each download are recorded in this trail.</p>
      {!request ? (
        <button type="button" disabled={action.busy} onClick={ask}>
          {action.busy ? "Requesting…" : "Request subject access"}</button>
      ) : (
        <p class="toolbar">
          <span role="status">Request {request.requestId} is ready.</span>
          <button type="button" disabled={action.busy}
            onClick={() => fetchFile(request.jsonUrl, "json")}>Download JSON</button>
          <button type="button" disabled={action.busy}
            onClick={() => fetchFile(request.pdfUrl, "pdf")}>Download PDF</button>
        </p>
      )}
      <ErrorMessage message={action.error} />
    </section>
  );
}
