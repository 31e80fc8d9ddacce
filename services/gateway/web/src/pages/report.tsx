// Any member of staff reports an incident; it goes to the school's log for the DSL.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { abilities } from "../roles";
import { ErrorMessage, useAction, useSchool } from "../ui";
import { Choice } from "./incidents";

const REPORT = `mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { incidentId status } }`;
const SOURCES = ["STAFF", "PUPIL", "PARENT", "COMPLAINT"];

function nowLocal(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

export function ReportPage({ me }: { me: Me }) {
  const { schoolId, picker } = useSchool(me.schoolId, abilities(me).isLa);
  const [occurred, setOccurred] = useState(nowLocal());
  const [description, setDescription] = useState("");
  const [source, setSource] = useState("STAFF");
  const [url, setUrl] = useState("");
  const [involved, setInvolved] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(null);
    const people = involved.split(",").map((n) => n.trim()).filter(Boolean)
      .map((name) => ({ kind: "PUPIL", name }));
    void action.run(async () => {
      await gql(REPORT, { i: { schoolId, occurredAt: new Date(occurred).toISOString(),
        description, cameToLight: source, url: url || null, involved: people } });
      setDone("Thank you: the incident is in the school's log and the DSL can see it.");
      setDescription(""); setUrl(""); setInvolved("");
    });
  };
  return (
    <section aria-labelledby="report-title">
      <h1 id="report-title">Report an incident</h1>
      {picker}
      {done && <p class="notice" role="status">{done}</p>}
      <form class="stack" onSubmit={submit}>
        <label for="r-when">When it happened</label>
        <input id="r-when" type="datetime-local" required value={occurred}
          onInput={(e) => setOccurred((e.target as HTMLInputElement).value)} />
        <label for="r-what">What happened</label>
        <textarea id="r-what" required rows={5} value={description}
          onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
        <Choice id="r-source" label="How it came to light" value={source} options={SOURCES}
          onChange={setSource} />
        <label for="r-url">Web address involved (if any)</label>
        <input id="r-url" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
        <label for="r-who">Pupils involved (names, separated by commas)</label>
        <input id="r-who" value={involved}
          onInput={(e) => setInvolved((e.target as HTMLInputElement).value)} />
        <ErrorMessage message={action.error} />
        <button type="submit" disabled={action.busy || !schoolId}>
          {action.busy ? "Sending…" : "Report incident"}</button>
      </form>
    </section>
  );
}
