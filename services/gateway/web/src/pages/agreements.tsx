// The agreements register: who has not signed (with paper forms recorded here) and every
// person's internet-access status.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { abilities } from "../roles";
import { Empty, ErrorMessage, Load, Pager, soon, useAction, useQuery, useSchool, words }
  from "../ui";
import { Choice } from "./incidents";

interface Outstanding {
  personId: string; name: string; kind: string; audience: string; templateId: string;
  signedVersion: number | null; latestVersion: number;
}
interface RegisterRow {
  personId: string; name: string; kind: string; yearGroup: number | null; status: string;
  reason: string | null; signed: { audience: string; version: number; signedOn: string }[];
}

const OUTSTANDING = `query($s: String!) { outstandingSignatures(schoolId: $s) {
  personId name kind audience templateId signedVersion latestVersion } }`;
const REGISTER = `query($s: String!, $w: AccessRegisterFilter, $o: Int!, $l: Int!) {
  accessRegister(schoolId: $s, where: $w, offset: $o, limit: $l) { total items {
    personId name kind yearGroup status reason signed { audience version signedOn } } } }`;
const SIGN = `mutation($i: SignAgreementInput!) { signAgreement(input: $i) { personId status } }`;
const STATUSES = ["NONE", "GRANTED", "SUSPENDED", "REVOKED"];
const PAGE = 25;

export function AgreementsPage({ me }: { me: Me }) {
  const can = abilities(me);
  const { schoolId, picker } = useSchool(me.schoolId, can.isLa);
  const outstanding = useQuery<{ outstandingSignatures: Outstanding[] }>(OUTSTANDING,
    schoolId ? { s: schoolId } : null);
  const [status, setStatus] = useState("");
  const [offset, setOffset] = useState(0);
  const register = useQuery<{ accessRegister: { total: number; items: RegisterRow[] } }>(
    REGISTER, schoolId ? { s: schoolId, w: status ? { status } : null, o: offset, l: PAGE }
      : null);
  const signed = () => { soon(outstanding.reload); soon(register.reload); };
  return (
    <section aria-labelledby="agreements-title">
      <h1 id="agreements-title">Agreements register</h1>
      {picker}
      <h2>Not signed yet</h2>
      <Load loaded={outstanding} what="outstanding signatures">
        {({ outstandingSignatures: rows }) => rows.length === 0
          ? <Empty>Everyone has signed the latest agreements.</Empty> : (
            <table>
              <caption class="sr-only">People who must sign</caption>
              <thead><tr><th scope="col">Name</th><th scope="col">Agreement</th>
                <th scope="col">Signed version</th><th scope="col">Latest</th>
                {can.recordPaper && <th scope="col">Paper form</th>}</tr></thead>
              <tbody>{rows.map((r) => (
                <tr key={`${r.personId}-${r.templateId}`}>
                  <td>{r.name} <span class="muted">({words(r.kind)})</span></td>
                  <td>{words(r.audience)}</td><td>{r.signedVersion ?? "none"}</td>
                  <td>{r.latestVersion}</td>
                  {can.recordPaper && <td><PaperForm row={r} schoolId={schoolId ?? ""}
                    onDone={signed} /></td>}
                </tr>))}
              </tbody>
            </table>
          )}
      </Load>
      <h2>Internet access</h2>
      <div class="toolbar">
        <Choice id="reg-status" label="Access" value={status} options={STATUSES} any="Any"
          onChange={(v) => { setStatus(v); setOffset(0); }} />
      </div>
      <Load loaded={register} what="the register">
        {({ accessRegister: { total, items: rows } }) => rows.length === 0
          ? <Empty>Nobody matches.</Empty> : (
          <>
            <table>
              <caption class="sr-only">Internet-access register</caption>
              <thead><tr><th scope="col">Name</th><th scope="col">Kind</th>
                <th scope="col">Access</th><th scope="col">Reason</th>
                <th scope="col">Agreements held</th></tr></thead>
              <tbody>{rows.map((r) => (
                <tr key={r.personId}>
                  <td>{r.name}</td><td>{words(r.kind)}{r.yearGroup !== null ? `, year ${r.yearGroup}` : ""}</td>
                  <td><span class={`access a-${r.status.toLowerCase()}`}>{words(r.status)}</span></td>
                  <td>{r.reason ?? "—"}</td>
                  <td>{r.signed.length ? r.signed.map((s) => `${words(s.audience)} v${s.version}`).join(", ") : "—"}</td>
                </tr>))}
              </tbody>
            </table>
            <Pager offset={offset} limit={PAGE} total={total} label="Register"
              onMove={setOffset} />
          </>
        )}
      </Load>
    </section>
  );
}

const GUARDIANS = `query($s: String!, $p: String!) { person(schoolId: $s, personId: $p) {
  guardians { personId name relationship } } }`;
const CONSENTS = ["PARENT_CONSENT", "PHOTO_CONSENT"];

function PaperForm({ row, schoolId, onDone }: {
  row: Outstanding; schoolId: string; onDone: () => void;
}) {
  const [on, setOn] = useState(new Date().toISOString().slice(0, 10));
  // A consent is signed by a parent/carer on the pupil's behalf.
  const consent = CONSENTS.includes(row.audience);
  const guardians = useQuery<{ person: { guardians: { personId: string; name: string;
    relationship: string }[] } }>(GUARDIANS, consent ? { s: schoolId, p: row.personId } : null);
  const [signer, setSigner] = useState("");
  const parents = guardians.data?.person.guardians ?? [];
  const by = consent ? signer || parents[0]?.personId || "" : row.personId;
  const action = useAction();
  const id = `paper-${row.personId}-${row.templateId}`;
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(() => gql(SIGN, { i: { schoolId, personId: by,
      onBehalfOf: consent ? row.personId : null, templateId: row.templateId,
      version: row.latestVersion, method: "PAPER", signedOn: on } }))
      .then((ok) => ok && onDone());
  };
  if (consent && guardians.data && parents.length === 0) {
    return <span class="muted">No parent or carer is linked to sign.</span>;
  }
  return (
    <form class="paper" onSubmit={submit}>
      {consent && (
        <>
          <label for={`${id}-by`}>Signed by</label>
          <select id={`${id}-by`} value={by}
            onChange={(e) => setSigner((e.target as HTMLSelectElement).value)}>
            {parents.map((p) => <option key={p.personId} value={p.personId}>
              {p.name} ({p.relationship})</option>)}
          </select>
        </>
      )}
      <label for={id}>Signed on</label>
      <input id={id} type="date" required value={on}
        onInput={(e) => setOn((e.target as HTMLInputElement).value)} />
      <button type="submit" disabled={action.busy || !by}
        aria-label={`Record paper signature for ${row.name}`}>Record</button>
      <ErrorMessage message={action.error} />
    </form>
  );
}
