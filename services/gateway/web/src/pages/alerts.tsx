// The DSL's home: open alerts arrive live over the `alerts` subscription (no reload), each
// acknowledged once with a note; acknowledged ones are listed below, newest first.
import { useEffect, useState } from "preact/hooks";
import { describe, gql, subscriptions, type Me } from "../api";
import { abilities } from "../roles";
import { Empty, ErrorMessage, Load, Pager, soon, useQuery, useSchool, when, words } from "../ui";

interface Alert {
  alertId: string; captureId: string; grade: string; category: string; severity: number;
  urgent: boolean; notes: string; raisedAt: string; acknowledgeBy: string | null; status: string;
  acknowledgedByName: string | null; acknowledgedAt: string | null;
  acknowledgementNote: string | null; escalatedAt: string | null;
}

const FIELDS = `alertId captureId grade category severity urgent notes raisedAt acknowledgeBy
  status acknowledgedByName acknowledgedAt acknowledgementNote escalatedAt`;
const FEED = `subscription($s: String!) { alerts(schoolId: $s) { ${FIELDS} } }`;
const DONE = `query($s: String!, $o: Int!) { alerts(schoolId: $s, status: ACKNOWLEDGED, offset: $o,
  limit: 10) { total items { ${FIELDS} } } }`;
const CONCERNS = `query($s: String!, $o: Int!) { schoolConcerns(schoolId: $s, offset: $o,
  limit: 10) { total items { captureId schoolId trigger grade category gradedAt notes } } }`;
const ACK = `mutation($s: String!, $a: String!, $n: String!) {
  acknowledgeAlert(schoolId: $s, alertId: $a, note: $n) }`;

type Feed = "connecting" | "live" | "lost";
interface Concern {
  captureId: string; schoolId: string; trigger: string; grade: string; category: string | null;
  gradedAt: string | null; notes: string | null;
}

export function AlertsPage({ me }: { me: Me }) {
  const can = abilities(me);
  const { schoolId, picker } = useSchool(me.schoolId, can.isLa);
  const [open, setOpen] = useState<Alert[]>([]);
  const [feed, setFeed] = useState<Feed>("connecting");
  const [feedError, setFeedError] = useState<string | null>(null);
  const [offset, setOffset] = useState(0);
  const done = useQuery<{ alerts: { total: number; items: Alert[] } }>(DONE,
    schoolId ? { s: schoolId, o: offset } : null);

  const [concernsFrom, setConcernsFrom] = useState(0);
  const concerns = useQuery<{ schoolConcerns: { total: number; items: Concern[] } }>(CONCERNS,
    schoolId ? { s: schoolId, o: concernsFrom } : null);
  useEffect(() => {
    if (!schoolId) return;
    setOpen([]);
    setFeed("connecting");
    setFeedError(null);
    const client = subscriptions();
    const stopOpened = client.on("connected", () => setFeed("live"));
    const stopClosed = client.on("closed", () => setFeed("lost"));
    const stop = client.subscribe<{ alerts: Alert }>({ query: FEED, variables: { s: schoolId } }, {
      next: ({ data, errors }) => {
        if (errors?.length) { setFeedError(errors.map((e) => e.message).join("; ")); return; }
        const alert = data?.alerts;
        if (!alert) return;
        setFeed("live");
        soon(concerns.reload);  // a new alert means a newly escalated capture
        setOpen((list) => list.some((a) => a.alertId === alert.alertId) ? list
          : [alert, ...list].sort((a, b) => b.raisedAt.localeCompare(a.raisedAt)));
      },
      error: (err) => { setFeed("lost"); setFeedError(describe(err)); },
      complete: () => undefined,
    });
    return () => { stop(); stopOpened(); stopClosed(); };
  }, [schoolId]);

  const acknowledged = (alertId: string) => {
    setOpen((list) => list.filter((a) => a.alertId !== alertId));
    soon(done.reload);
  };
  const waiting = open.filter((a) => a.status === "OPEN");
  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      {picker}
      <p class={`feed feed-${feed}`} role="status">
        {feed === "live" ? "Live: new alerts appear here as they are raised."
          : feed === "connecting" ? "Connecting to the live alert feed…"
          : "The live feed is disconnected; reconnecting…"}
      </p>
      <ErrorMessage message={feedError} />
      <h2>Waiting for acknowledgement</h2>
      {waiting.length === 0 ? <Empty>No open alerts.</Empty> : (
        <ul class="alerts" aria-live="polite">
          {waiting.map((a) => (
            <AlertCard key={a.alertId} alert={a} schoolId={schoolId ?? ""} canAck={can.alerts}
              onDone={() => acknowledged(a.alertId)} />
          ))}
        </ul>
      )}
      <h2>Escalated captures</h2>
      <Load loaded={concerns} what="escalated captures">
        {({ schoolConcerns: page }) => page.items.length === 0
          ? <Empty>No captures have been escalated to the school.</Empty> : (
            <>
              <table>
                <caption class="sr-only">Escalated captures</caption>
                <thead><tr><th scope="col">Capture</th><th scope="col">Grade</th>
                  <th scope="col">Category</th><th scope="col">Graded</th>
                  <th scope="col">Moderator's notes</th></tr></thead>
                <tbody>{page.items.map((c) => (
                  <tr key={c.captureId}>
                    <td><a href={`#/capture/${c.schoolId}/${c.captureId}`}>{c.trigger}</a></td>
                    <td>{words(c.grade)}</td><td>{words(c.category)}</td>
                    <td>{when(c.gradedAt)}</td><td>{c.notes || "—"}</td></tr>))}
                </tbody>
              </table>
              <Pager offset={concernsFrom} limit={10} total={page.total}
                label="Escalated captures" onMove={setConcernsFrom} />
            </>
          )}
      </Load>
      <h2>Acknowledged</h2>
      <Load loaded={done} what="acknowledged alerts">
        {({ alerts }) => alerts.items.length === 0 ? <Empty>None yet.</Empty> : (
          <>
            <table>
              <caption class="sr-only">Acknowledged alerts</caption>
              <thead><tr><th scope="col">Raised</th><th scope="col">Grade</th>
                <th scope="col">Category</th><th scope="col">Acknowledged</th><th scope="col">Note</th></tr></thead>
              <tbody>{alerts.items.map((a) => (
                <tr key={a.alertId}><td>{when(a.raisedAt)}</td><td>{words(a.grade)}</td>
                  <td>{words(a.category)}</td>
                  <td>{a.acknowledgedByName}, {when(a.acknowledgedAt)}</td>
                  <td>{a.acknowledgementNote || "—"}</td></tr>))}
              </tbody>
            </table>
            <Pager offset={offset} limit={10} total={alerts.total} label="Acknowledged alerts"
              onMove={setOffset} />
          </>
        )}
      </Load>
    </section>
  );
}

function AlertCard({ alert: a, schoolId, canAck, onDone }: {
  alert: Alert; schoolId: string; canAck: boolean; onDone: () => void;
}) {
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ack = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await gql(ACK, { s: schoolId, a: a.alertId, n: note });
      onDone();
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  };
  const id = `ack-${a.alertId}`;
  return (
    <li class={a.urgent ? "alert urgent" : "alert"} data-alert={a.alertId} data-capture={a.captureId}>
      <h3>{a.urgent ? "Urgent: " : ""}{words(a.grade)} — {words(a.category)}</h3>
      <p>Raised {when(a.raisedAt)}; severity {a.severity}.
        {a.acknowledgeBy && ` Acknowledge by ${when(a.acknowledgeBy)}.`}
        {a.escalatedAt && ` Escalated ${when(a.escalatedAt)}.`}</p>
      <p class="notes">Moderator's notes: {a.notes || "—"}</p>
      {canAck && (
        <form onSubmit={ack}>
          <label for={id}>What was done</label>
          <input id={id} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={busy}>{busy ? "Acknowledging…" : "Acknowledge"}</button>
        </form>
      )}
      <ErrorMessage message={error} />
    </li>
  );
}
