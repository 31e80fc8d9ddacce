// Retention: the LA's period for each kind of record and which ones schools may set for
// themselves (the LA admin), a school's own periods where allowed (its head, DSL or admin), and
// the purge log of what retention removed, with "Run purge now" for the LA admin.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { abilities } from "../roles";
import {
  Empty, ErrorMessage, Load, Pager, soon, useAction, useQuery, useSchool, when, words,
} from "../ui";

interface Period { recordType: string; months: number; setBySchool: boolean; schoolMaySet: boolean }
interface Purge { recordId: string; fields: string[]; removedOn: string; reason: string;
  recordedAt: string }

const RETENTION = `query($s: String!) { retention(schoolId: $s) {
  periods { recordType months setBySchool schoolMaySet } } }`;
const POLICY = "mutation($i: SetRetentionPolicyInput!) { setRetentionPolicy(input: $i) }";
const OVERRIDE = "mutation($i: SetRetentionOverrideInput!) { setRetentionOverride(input: $i) }";
const LIMIT = 20;
const LOG = `query($k: RecordKeeper!, $s: String!, $o: Int!) { purgeLog(keeper: $k, schoolId: $s,
  offset: $o, limit: ${LIMIT}) { total items { recordId fields removedOn reason recordedAt } } }`;
const RUN = "mutation($k: RecordKeeper!) { runPurge(keeper: $k) { records checked } }";

const TYPES = ["SCREENSHOT", "CAPTURE_TEXT", "CAPTURE_METADATA", "INCIDENT_TEXT"];
const TYPE_LABELS: Record<string, string> = {
  SCREENSHOT: "Screenshots", CAPTURE_TEXT: "Text of captures",
  CAPTURE_METADATA: "Capture details", INCIDENT_TEXT: "Incident descriptions and notes",
};
const KEEPER_LABELS: Record<string, string> = { CAPTURE: "Captures", INCIDENT: "Incidents" };
const months = (n: number) => `${n} month${n === 1 ? "" : "s"}`
  + (n % 12 === 0 ? ` (${n / 12} year${n === 12 ? "" : "s"})` : "");
const order = (a: Period, b: Period) => TYPES.indexOf(a.recordType) - TYPES.indexOf(b.recordType);

export function RetentionPage({ me }: { me: Me }) {
  const can = abilities(me);
  const { schoolId, picker } = useSchool(me.schoolId, can.isLa);
  return (
    <section aria-labelledby="retention-title">
      <h1 id="retention-title">Retention and purges</h1>
      <p class="muted">How long each kind of record is kept; past that, the platform removes it
        and logs what it removed. Nothing is removed until the LA sets a policy.</p>
      {can.setRetentionPolicy && <LaPolicy laSchool={me.schoolId} />}
      {picker}
      {schoolId && <SchoolPeriods key={schoolId} schoolId={schoolId}
        override={can.overrideRetention} />}
      {schoolId && (can.capturePurgeLog || can.incidentPurgeLog) && (
        <PurgeLog key={`log-${schoolId}`} schoolId={schoolId} run={can.runPurge}
          keepers={[...(can.capturePurgeLog ? ["CAPTURE"] : []),
            ...(can.incidentPurgeLog ? ["INCIDENT"] : [])]} />)}
    </section>
  );
}

/** The LA admin's form: every record type's period, and whether schools may set their own. */
function LaPolicy({ laSchool }: { laSchool: string }) {
  const current = useQuery<{ retention: { periods: Period[] } }>(RETENTION, { s: laSchool });
  return (
    <>
      <h2>The LA's policy</h2>
      <Load loaded={current} what="the LA's policy">
        {({ retention }) => <PolicyForm periods={retention.periods}
          onDone={() => soon(current.reload)} />}
      </Load>
    </>
  );
}

function PolicyForm({ periods, onDone }: { periods: Period[]; onDone: () => void }) {
  const found = (t: string) => periods.find((p) => p.recordType === t);
  const [values, setValues] = useState<Record<string, string>>(
    Object.fromEntries(TYPES.map((t) => [t, String(found(t)?.months ?? "")])));
  const [may, setMay] = useState<Record<string, boolean>>(
    Object.fromEntries(TYPES.map((t) => [t, found(t)?.schoolMaySet ?? false])));
  const [notice, setNotice] = useState("");
  const action = useAction();
  const complete = TYPES.every((t) => Number(values[t]) >= 1);
  const submit = (e: Event) => {
    e.preventDefault();
    setNotice("");
    void action.run(() => gql(POLICY, { i: {
      months: TYPES.map((t) => ({ recordType: t, months: Number(values[t]) })),
      schoolMaySet: TYPES.filter((t) => may[t]) } })).then((ok) => {
      if (ok) { setNotice("The LA's retention policy is saved."); onDone(); }
    });
  };
  return (
    <form aria-label="The LA's retention policy" onSubmit={submit}>
      {periods.length === 0 && <p class="error">No policy is set: nothing is purged.</p>}
      <table class="policy">
        <caption class="sr-only">The LA's retention periods</caption>
        <thead><tr><th scope="col">Record</th><th scope="col">Kept for (months)</th>
          <th scope="col">Schools may set their own</th></tr></thead>
        <tbody>{TYPES.map((t) => (
          <tr key={t} data-type={t}>
            <th scope="row"><label for={`la-${t}`}>{TYPE_LABELS[t]}</label></th>
            <td><input id={`la-${t}`} type="number" min={1} max={1200} required value={values[t]}
              onInput={(e) => setValues({ ...values, [t]: (e.target as HTMLInputElement).value })} /></td>
            <td><input id={`may-${t}`} type="checkbox" checked={may[t]}
              aria-label={`Schools may set their own period for ${TYPE_LABELS[t]?.toLowerCase()}`}
              onChange={(e) => setMay({ ...may, [t]: (e.target as HTMLInputElement).checked })} /></td>
          </tr>))}
        </tbody>
      </table>
      <button type="submit" disabled={action.busy || !complete}>Save the LA's policy</button>
      <ErrorMessage message={action.error} />
      <p class="status" role="status">{notice}</p>
    </form>
  );
}

function SchoolPeriods({ schoolId, override }: { schoolId: string; override: boolean }) {
  const current = useQuery<{ retention: { periods: Period[] } }>(RETENTION, { s: schoolId });
  return (
    <>
      <h2>Periods at this school</h2>
      <Load loaded={current} what="the school's retention periods">
        {({ retention: { periods } }) => periods.length === 0
          ? <Empty>The LA has set no retention policy yet: nothing is purged.</Empty> : (
            <>
              <table class="periods">
                <caption class="sr-only">Retention periods at the school</caption>
                <thead><tr><th scope="col">Record</th><th scope="col">Kept for</th>
                  <th scope="col">Set by</th></tr></thead>
                <tbody>{[...periods].sort(order).map((p) => (
                  <tr key={p.recordType} data-type={p.recordType}>
                    <td>{TYPE_LABELS[p.recordType] ?? words(p.recordType)}</td>
                    <td>{months(p.months)}</td>
                    <td>{p.setBySchool ? "The school" : "The LA"}
                      {p.schoolMaySet && !p.setBySchool ? " (the school may set its own)" : ""}</td>
                  </tr>))}
                </tbody>
              </table>
              {override && <OverrideForm schoolId={schoolId}
                allowed={periods.filter((p) => p.schoolMaySet)}
                onDone={() => soon(current.reload)} />}
            </>
          )}
      </Load>
    </>
  );
}

function OverrideForm({ schoolId, allowed, onDone }: {
  schoolId: string; allowed: Period[]; onDone: () => void;
}) {
  const [chosen, setChosen] = useState("");
  const [value, setValue] = useState("");
  const [notice, setNotice] = useState("");
  const action = useAction();
  if (allowed.length === 0) {
    return <p class="muted">The LA does not let schools set their own periods.</p>;
  }
  const type = chosen || allowed[0]?.recordType || "";
  const label = TYPE_LABELS[type] ?? words(type);
  const set = (m: number | null) => {
    setNotice("");
    void action.run(() => gql(OVERRIDE, { i: { schoolId, recordType: type, months: m } }))
      .then((ok) => {
        if (!ok) return;
        setNotice(m === null ? `${label}: back to the LA's period.` : `${label}: kept for ${months(m)}.`);
        setValue("");
        onDone();
      });
  };
  return (
    <form class="inline" aria-label="The school's own period"
      onSubmit={(e) => { e.preventDefault(); set(Number(value)); }}>
      <fieldset><legend>The school's own period</legend>
        <span class="field"><label for="ov-type">Record</label>
          <select id="ov-type" value={type}
            onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
            {allowed.map((p) => <option key={p.recordType} value={p.recordType}>
              {TYPE_LABELS[p.recordType] ?? words(p.recordType)}</option>)}
          </select></span>
        <span class="field"><label for="ov-months">Kept for (months)</label>
          <input id="ov-months" type="number" min={1} max={1200} required value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)} /></span>
        <button type="submit" disabled={action.busy || !(Number(value) >= 1)}>Set</button>
        <button type="button" class="secondary" disabled={action.busy}
          onClick={() => set(null)}>Back to the LA's period</button>
      </fieldset>
      <ErrorMessage message={action.error} />
      <p class="status" role="status">{notice}</p>
    </form>
  );
}

function PurgeLog({ schoolId, keepers, run }: { schoolId: string; keepers: string[]; run: boolean }) {
  const [keeper, setKeeper] = useState(keepers[0] ?? "CAPTURE");
  const [offset, setOffset] = useState(0);
  const log = useQuery<{ purgeLog: { total: number; items: Purge[] } }>(LOG,
    { k: keeper, s: schoolId, o: offset });
  const action = useAction();
  const [notice, setNotice] = useState("");
  const purge = () => {
    setNotice("");
    void action.run(async () => {
      const { runPurge: done } = await gql<{ runPurge: { records: number; checked: number } }>(
        RUN, { k: keeper });
      setNotice(`${KEEPER_LABELS[keeper]}: ${done.checked} record${done.checked === 1 ? "" : "s"}`
        + ` due across the LA, ${done.records} purged.`);
      soon(log.reload);
    });
  };
  return (
    <>
      <h2>Purge log</h2>
      <div class="toolbar">
        {keepers.length > 1 && <span class="field"><label for="keeper">Records</label>
          <select id="keeper" value={keeper} onChange={(e) => {
            setKeeper((e.target as HTMLSelectElement).value); setOffset(0);
          }}>
            {keepers.map((k) => <option key={k} value={k}>{KEEPER_LABELS[k]}</option>)}
          </select></span>}
        {run && <button type="button" disabled={action.busy} onClick={purge}>
          {action.busy ? "Purging…" : "Run purge now"}</button>}
      </div>
      <ErrorMessage message={action.error} />
      <p class="status" role="status">{notice}</p>
      <Load loaded={log} what="the purge log">
        {({ purgeLog: page }) => page.items.length === 0
          ? <Empty>Nothing has been purged here.</Empty> : (
            <>
              <table class="purges">
                <caption class="sr-only">What retention removed</caption>
                <thead><tr><th scope="col">Removed on</th><th scope="col">Record</th>
                  <th scope="col">What was removed</th><th scope="col">Why</th>
                  <th scope="col">Logged</th></tr></thead>
                <tbody>{page.items.map((p) => (
                  <tr key={`${p.recordId}-${p.recordedAt}`}>
                    <td>{p.removedOn}</td><td>{p.recordId}</td>
                    <td>{p.fields.map(words).join(", ")}</td><td>{p.reason}</td>
                    <td>{when(p.recordedAt)}</td>
                  </tr>))}
                </tbody>
              </table>
              <Pager offset={offset} limit={LIMIT} total={page.total} label="Purge log"
                onMove={setOffset} />
            </>
          )}
      </Load>
    </>
  );
}
