// The DfE filtering and monitoring standards for one school: the named roles, the annual review
// of the provision, the log of checks, and the e-safety policy's versions.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { abilities } from "../roles";
import {
  Empty, ErrorMessage, Load, Pager, soon, useAction, useQuery, useSchool, words,
} from "../ui";
import { Choice } from "./incidents";

interface Check {
  checkId: string; checkedOn: string; checkedBy: string; whatTested: string; result: string;
  actions: string;
}
interface Review {
  reviewedOn: string; reviewedBy: string; participants: string[]; findings: string;
  actions: string; nextDue: string;
}
interface Policy {
  version: number; title: string; effectiveFrom: string; nextReview: string;
  namedRoles: { role: string; holder: string }[]; documentUrl: string | null;
}
interface Standards {
  holders: { responsibility: string; holder: string; assignedAt: string }[];
  missing: string[]; lastReview: Review | null; reviewOverdue: boolean; lastCheck: Check | null;
  policy: Policy | null; policyReviewOverdue: boolean;
}

const REVIEW = "reviewedOn reviewedBy participants findings actions nextDue";
const CHECK = "checkId checkedOn checkedBy whatTested result actions";
const STANDARDS = `query($s: String!) { filteringStandards(schoolId: $s) {
  holders { responsibility holder assignedAt } missing reviewOverdue policyReviewOverdue
  lastReview { ${REVIEW} } lastCheck { ${CHECK} }
  policy { version title effectiveFrom nextReview namedRoles { role holder } documentUrl } } }`;
const CHECKS = `query($s: String!, $o: Int!) { provisionChecks(schoolId: $s, offset: $o, limit: 10) {
  total items { ${CHECK} } } }`;
const POLICIES = `query($s: String!) { policyVersions(schoolId: $s) { version title effectiveFrom
  nextReview namedRoles { role holder } } }`;
const ASSIGN = "mutation($i: AssignResponsibilityInput!) { assignResponsibility(input: $i) }";
const RECORD_REVIEW = "mutation($i: RecordProvisionReviewInput!) { recordProvisionReview(input: $i) }";
const RECORD_CHECK = "mutation($i: RecordProvisionCheckInput!) { recordProvisionCheck(input: $i) }";
const PUBLISH = "mutation($i: PublishPolicyVersionInput!) { publishPolicyVersion(input: $i) }";

const RESPONSIBILITIES = ["SENIOR_LEADER", "GOVERNOR", "DSL", "IT_PROVIDER"];
const RESULTS = ["PASSED", "PARTLY", "FAILED"];
export const today = (): string => new Date().toISOString().slice(0, 10);

export function CompliancePage({ me }: { me: Me }) {
  const can = abilities(me);
  const { schoolId, picker } = useSchool(me.schoolId, can.isLa);
  return (
    <section aria-labelledby="compliance-title">
      <h1 id="compliance-title">Filtering and monitoring standards</h1>
      {picker}
      {schoolId && <School schoolId={schoolId} manage={can.manageCompliance}
        check={can.checkProvision} />}
    </section>
  );
}

function School({ schoolId, manage, check }: { schoolId: string; manage: boolean; check: boolean }) {
  const standards = useQuery<{ filteringStandards: Standards }>(STANDARDS, { s: schoolId });
  const [offset, setOffset] = useState(0);
  const checks = useQuery<{ provisionChecks: { total: number; items: Check[] } }>(CHECKS,
    { s: schoolId, o: offset });
  const policies = useQuery<{ policyVersions: Policy[] }>(POLICIES, { s: schoolId });
  const action = useAction();
  const [notice, setNotice] = useState("");
  const run = (query: string, input: Record<string, unknown>, said: string) =>
    action.run(() => gql(query, { i: { schoolId, ...input } })).then((ok) => {
      if (ok) { setNotice(said); soon(standards.reload); soon(checks.reload); soon(policies.reload); }
      return ok;
    });
  return (
    <>
      <ErrorMessage message={action.error} />
      <p class="status" role="status">{notice}</p>
      <Load loaded={standards} what="the school's standing">
        {({ filteringStandards: s }) => (
          <>
            <h2>Named roles</h2>
            <dl class="facts">
              {RESPONSIBILITIES.map((r) => {
                const held = s.holders.find((h) => h.responsibility === r);
                return <div key={r} data-role={r}><dt>{words(r)}</dt>
                  <dd>{held ? held.holder : <span class="error">not named</span>}</dd></div>;
              })}
            </dl>
            <h2>Annual review of the provision</h2>
            {s.lastReview ? (
              <p class={s.reviewOverdue ? "error" : undefined}>Last reviewed {s.lastReview.reviewedOn}:{" "}
                {s.lastReview.findings} Next due {s.lastReview.nextDue}
                {s.reviewOverdue ? " (overdue)." : "."}</p>
            ) : <p class="error">Never reviewed.</p>}
            <h2>Policy</h2>
            {s.policy ? (
              <p class={s.policyReviewOverdue ? "error" : undefined}>{s.policy.title}, version{" "}
                {s.policy.version}, in force from {s.policy.effectiveFrom}; review by{" "}
                {s.policy.nextReview}{s.policyReviewOverdue ? " (overdue)." : "."}</p>
            ) : <p class="error">No policy published.</p>}
          </>
        )}
      </Load>
      {manage && <AssignForm busy={action.busy} schoolId={schoolId}
        onAssign={(r, holder, personId) => run(ASSIGN, { responsibility: r, holder, personId },
          `${words(r)}: ${holder} named.`)} />}
      {manage && <ReviewForm busy={action.busy}
        onRecord={(input) => run(RECORD_REVIEW, input, "Annual review recorded.")} />}
      <h2>Check log</h2>
      {check && <CheckForm busy={action.busy}
        onRecord={(input) => run(RECORD_CHECK, input, "Check logged.")} />}
      <Load loaded={checks} what="the check log">
        {({ provisionChecks: page }) => page.items.length === 0 ? <Empty>No checks logged yet.</Empty> : (
          <>
            <table class="checks">
              <caption class="sr-only">Checks of the filtering and monitoring</caption>
              <thead><tr><th scope="col">Checked on</th><th scope="col">What was tested</th>
                <th scope="col">Result</th><th scope="col">Actions</th></tr></thead>
              <tbody>{page.items.map((c) => (
                <tr key={c.checkId}><td>{c.checkedOn}</td><td>{c.whatTested}</td>
                  <td>{words(c.result)}</td><td>{c.actions}</td></tr>))}
              </tbody>
            </table>
            <Pager offset={offset} limit={10} total={page.total} label="Checks" onMove={setOffset} />
          </>
        )}
      </Load>
      <h2>Policy versions</h2>
      <Load loaded={policies} what="policy versions">
        {({ policyVersions: list }) => list.length === 0 ? <Empty>No versions yet.</Empty> : (
          <table>
            <caption class="sr-only">Policy versions</caption>
            <thead><tr><th scope="col">Version</th><th scope="col">Title</th>
              <th scope="col">In force from</th><th scope="col">Review by</th>
              <th scope="col">Named roles</th></tr></thead>
            <tbody>{list.map((p) => (
              <tr key={p.version}><td>{p.version}</td><td>{p.title}</td><td>{p.effectiveFrom}</td>
                <td>{p.nextReview}</td>
                <td>{p.namedRoles.map((n) => `${n.role}: ${n.holder}`).join("; ") || "—"}</td></tr>))}
            </tbody>
          </table>)}
      </Load>
      {manage && <PolicyForm busy={action.busy}
        onPublish={(input) => run(PUBLISH, input, "Policy version published.")} />}
    </>
  );
}

type Submit = (input: Record<string, unknown>) => Promise<boolean>;
const value = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);

/** A labelled text or date input (`past`: no later than today). */
export function Field({ id, label, value: current, set, date, required, wide, past }: {
  id: string; label: string; value: string; set: (v: string) => void; date?: boolean;
  required?: boolean; wide?: boolean; past?: boolean;
}) {
  return (
    <span class={wide ? "field wide" : "field"}><label for={id}>{label}</label>
      <input id={id} type={date ? "date" : "text"} required={required}
        max={past ? today() : undefined} value={current} onInput={value(set)} /></span>
  );
}

function AssignForm({ schoolId, busy, onAssign }: {
  schoolId: string; busy: boolean;
  onAssign: (r: string, holder: string, personId: string | null) => Promise<boolean>;
}) {
  const staff = useQuery<{ people: { items: { personId: string; givenName: string;
    familyName: string }[] } }>(`query($s: String!) { people(schoolId: $s, kind: STAFF, limit: 500) {
    items { personId givenName familyName } } }`, { s: schoolId });
  const [responsibility, setResponsibility] = useState("SENIOR_LEADER");
  const [personId, setPersonId] = useState("");
  const [holder, setHolder] = useState("");
  const people = staff.data?.people.items ?? [];
  return (
    <form class="inline" aria-label="Name a role" onSubmit={(e) => {
      e.preventDefault();
      const p = people.find((x) => x.personId === personId);
      const name = p ? `${p.givenName} ${p.familyName}` : holder.trim();
      void onAssign(responsibility, name, p ? p.personId : null).then((ok) => ok && setHolder(""));
    }}>
      <fieldset><legend>Name a role</legend>
        <Choice id="n-role" label="Role" value={responsibility} options={RESPONSIBILITIES}
          onChange={setResponsibility} />
        <span class="field"><label for="n-person">Member of staff</label>
          <select id="n-person" value={personId} onChange={value(setPersonId)}>
            <option value="">Someone else (type the name)</option>
            {people.map((p) => <option key={p.personId} value={p.personId}>
              {p.givenName} {p.familyName}</option>)}
          </select></span>
        {!personId && <Field id="n-holder" label="Name or organisation" value={holder} set={setHolder} />}
        <button type="submit" disabled={busy || (!personId && !holder.trim())}>Name</button>
      </fieldset>
    </form>
  );
}

function ReviewForm({ busy, onRecord }: { busy: boolean; onRecord: Submit }) {
  const [reviewedOn, setReviewedOn] = useState(today());
  const [findings, setFindings] = useState("");
  const [participants, setParticipants] = useState("");
  const [actions, setActions] = useState("");
  return (
    <form class="inline" aria-label="Record the annual review" onSubmit={(e) => {
      e.preventDefault();
      void onRecord({ reviewedOn, findings, actions: actions || "none",
        participants: participants.split(",").map((p) => p.trim()).filter(Boolean) })
        .then((ok) => { if (ok) { setFindings(""); setActions(""); } });
    }}>
      <fieldset><legend>Record the annual review</legend>
        <Field id="v-on" label="Reviewed on" value={reviewedOn} set={setReviewedOn} date required past />
        <Field id="v-who" label="Who took part (comma separated)" value={participants} set={setParticipants} />
        <Field id="v-findings" label="Findings" value={findings} set={setFindings} required wide />
        <Field id="v-actions" label="Actions" value={actions} set={setActions} wide />
        <button type="submit" disabled={busy || !findings.trim()}>Record review</button>
      </fieldset>
    </form>
  );
}

function CheckForm({ busy, onRecord }: { busy: boolean; onRecord: Submit }) {
  const [checkedOn, setCheckedOn] = useState(today());
  const [whatTested, setWhatTested] = useState("");
  const [result, setResult] = useState("PASSED");
  const [actions, setActions] = useState("");
  return (
    <form class="inline" aria-label="Log a check" onSubmit={(e) => {
      e.preventDefault();
      void onRecord({ checkedOn, whatTested, result, actions: actions || "none" })
        .then((ok) => { if (ok) { setWhatTested(""); setActions(""); } });
    }}>
      <fieldset><legend>Log a check</legend>
        <Field id="k-on" label="Checked on" value={checkedOn} set={setCheckedOn} date required past />
        <Field id="k-what" label="What was tested" value={whatTested} set={setWhatTested} required wide />
        <Choice id="k-result" label="Result" value={result} options={RESULTS} onChange={setResult} />
        <Field id="k-actions" label="Actions" value={actions} set={setActions} />
        <button type="submit" disabled={busy || !whatTested.trim()}>Log check</button>
      </fieldset>
    </form>
  );
}

function PolicyForm({ busy, onPublish }: { busy: boolean; onPublish: Submit }) {
  const [title, setTitle] = useState("");
  const [effectiveFrom, setEffectiveFrom] = useState(today());
  const [nextReview, setNextReview] = useState("");
  return (
    <form class="inline" aria-label="Publish a policy version" onSubmit={(e) => {
      e.preventDefault();
      void onPublish({ title, effectiveFrom, nextReview }).then((ok) => ok && setTitle(""));
    }}>
      <fieldset><legend>Publish a policy version</legend>
        <Field id="p-title" label="Title" value={title} set={setTitle} required />
        <Field id="p-from" label="In force from" value={effectiveFrom} set={setEffectiveFrom} date required />
        <Field id="p-review" label="Review by" value={nextReview} set={setNextReview} date required />
        <button type="submit" disabled={busy || !title.trim() || !nextReview}>Publish</button>
      </fieldset>
    </form>
  );
}
