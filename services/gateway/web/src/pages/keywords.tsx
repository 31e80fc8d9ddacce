// The keyword library: LA moderators add, retire, import and export the LA's phrases; a
// school's safeguarding leads exclude LA phrases or add their own, always with a reason.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { save } from "../download";
import { abilities } from "../roles";
import { Empty, ErrorMessage, Load, Pager, soon, useAction, useQuery, words } from "../ui";
import { Choice } from "./incidents";

interface Phrase {
  phrase: string; category: string; severity: number; source: string;
  excludedReason: string | null;
}
interface ImportReport {
  added: number; unchanged: number; phrases: number;
  rejected: { row: number; phrase: string | null; field: string | null; reason: string }[];
}

const PHRASES = `query($s: String) { keywordPhrases(schoolId: $s) { phrase category severity source
  excludedReason } }`;
const CSV = "query($s: String) { keywordLibraryCsv(schoolId: $s) }";
const ADD = `mutation($p: [PhraseInput!]!) { addLibraryPhrases(phrases: $p) }`;
const RETIRE = "mutation($p: String!) { removeLibraryPhrase(phrase: $p) }";
const IMPORT = `mutation($c: String!) { importKeywordLibrary(csv: $c) { added unchanged phrases
  rejected { row phrase field reason } } }`;
const ADD_OWN = `mutation($s: String!, $p: String!, $c: Category!, $v: Int!, $r: String!) {
  addSchoolPhrase(schoolId: $s, phrase: $p, category: $c, severity: $v, reason: $r) }`;
const EXCLUDE = `mutation($s: String!, $p: String!, $r: String!) {
  excludeSchoolPhrase(schoolId: $s, phrase: $p, reason: $r) }`;

const CATEGORIES = ["BULLYING", "GROOMING_CSE", "SEXUAL_CONTENT", "SELF_HARM", "SUICIDE",
  "EXTREMISM", "DRUGS", "GAMBLING", "VIOLENCE", "DISCRIMINATION", "WEAPONS", "UNMODERATED_CHAT",
  "GAMING", "UNCLASSIFIED"];
const SEVERITIES = ["1", "2", "3", "4", "5"];
const PAGE = 25;

export function KeywordsPage({ me }: { me: Me }) {
  const can = abilities(me);
  // LA staff keep the LA's library (and may look at a school's exclusions); a school sees it
  // with its own exclusions and phrases.
  const schools = useQuery<{ schools: { schoolId: string; name: string }[] }>(
    "{ schools { schoolId name } }", can.isLa ? {} : null);
  const [viewed, setViewed] = useState("");
  const schoolId = can.isLa ? viewed || null : me.schoolId;
  const phrases = useQuery<{ keywordPhrases: Phrase[] }>(PHRASES, { s: schoolId });
  const [filter, setFilter] = useState("");
  const [offset, setOffset] = useState(0);
  const [excluding, setExcluding] = useState<string | null>(null);
  const action = useAction();
  const [notice, setNotice] = useState("");
  const run = (query: string, vars: Record<string, unknown>, said: string) =>
    action.run(() => gql(query, vars)).then((ok) => {
      if (ok) { setNotice(said); soon(phrases.reload); }
      return ok;
    });
  const exportCsv = () => void action.run(async () => {
    const { keywordLibraryCsv } = await gql<{ keywordLibraryCsv: string }>(CSV, { s: schoolId });
    save(keywordLibraryCsv, `keyword-library${schoolId ? `-${schoolId}` : ""}.csv`);
  });
  return (
    <section aria-labelledby="keywords-title">
      <h1 id="keywords-title">Keyword library</h1>
      <p class="muted">{can.isLa ? "The LA's phrases, used for every school's captures."
        : "The LA's phrases as your school uses them: exclude one, or add your own, with a reason."}</p>
      <ErrorMessage message={action.error} />
      <p class="status" role="status">{notice}</p>
      {can.editLibrary && <AddForm schoolId={null} busy={action.busy}
        onAdd={(p, c, v) => run(ADD, { p: [{ phrase: p, category: c, severity: v }] },
          `Added “${p}”.`)} />}
      {!can.isLa && can.editSchoolKeywords && <AddForm schoolId={schoolId} busy={action.busy}
        onAdd={(p, c, v, r) => run(ADD_OWN, { s: schoolId, p, c, v, r: r ?? "" },
          `Added “${p}” for your school.`)} />}
      <div class="toolbar">
        {can.isLa && <span class="field"><label for="k-school">Exclusions of</label>
          <select id="k-school" value={viewed}
            onChange={(e) => { setViewed((e.target as HTMLSelectElement).value); setOffset(0); }}>
            <option value="">No school: the LA library</option>
            {(schools.data?.schools ?? []).filter((x) => x.schoolId !== me.laId).map((x) => (
              <option key={x.schoolId} value={x.schoolId}>{x.name}</option>))}
          </select></span>}
        <span class="field"><label for="k-filter">Find a phrase</label>
          <input id="k-filter" type="search" value={filter}
            onInput={(e) => { setFilter((e.target as HTMLInputElement).value); setOffset(0); }} /></span>
        <button type="button" onClick={exportCsv} disabled={action.busy}>Export CSV</button>
      </div>
      {can.editLibrary && <ImportForm busy={action.busy}
        onImport={(csv) => action.run(async () => {
          const { importKeywordLibrary: r } = await gql<{ importKeywordLibrary: ImportReport }>(
            IMPORT, { c: csv });
          setNotice(`Imported: ${r.added} added or changed, ${r.unchanged} unchanged, `
            + `${r.rejected.length} rejected; ${r.phrases} phrases in the library.`
            + r.rejected.map((x) => ` Row ${x.row}: ${x.reason}.`).join(""));
          soon(phrases.reload);
        })} />}
      <Load loaded={phrases} what="the keyword library">
        {({ keywordPhrases: all }) => {
          const shown = all.filter((p) => p.phrase.includes(filter.trim().toLowerCase()));
          if (shown.length === 0) return <Empty>No phrase matches.</Empty>;
          return (
            <>
              <table class="phrases">
                <caption class="sr-only">Phrases</caption>
                <thead><tr><th scope="col">Phrase</th><th scope="col">Category</th>
                  <th scope="col">Severity</th><th scope="col">Source</th>
                  <th scope="col">Status</th>
                  {(can.editLibrary || can.editSchoolKeywords) && <th scope="col">Change</th>}</tr></thead>
                <tbody>{shown.slice(offset, offset + PAGE).map((p) => (
                  <tr key={`${p.source}:${p.phrase}`} data-phrase={p.phrase}>
                    <td>{p.phrase}</td><td>{words(p.category)}</td><td>{p.severity}</td>
                    <td>{p.source === "la" ? "LA" : "School"}</td>
                    <td>{p.excludedReason ? `Excluded: ${p.excludedReason}` : "In use"}</td>
                    {can.editLibrary && <td>{p.source === "la" && <button type="button" class="secondary"
                      disabled={action.busy} aria-label={`Retire “${p.phrase}”`}
                      onClick={() => void run(RETIRE, { p: p.phrase }, `Retired “${p.phrase}”.`)}>
                      Retire</button>}</td>}
                    {!can.isLa && can.editSchoolKeywords && <td>
                      {p.source === "la" && !p.excludedReason && (excluding === p.phrase
                        ? <ExcludeForm phrase={p.phrase} busy={action.busy}
                          onCancel={() => setExcluding(null)}
                          onExclude={(r) => void run(EXCLUDE, { s: schoolId, p: p.phrase, r },
                            `Excluded “${p.phrase}” for your school.`).then((ok) => ok && setExcluding(null))} />
                        : <button type="button" class="secondary" aria-label={`Exclude “${p.phrase}”`}
                          onClick={() => setExcluding(p.phrase)}>Exclude</button>)}</td>}
                  </tr>))}
                </tbody>
              </table>
              <Pager offset={offset} limit={PAGE} total={shown.length} label="Phrases" onMove={setOffset} />
            </>
          );
        }}
      </Load>
    </section>
  );
}

function AddForm({ schoolId, busy, onAdd }: {
  schoolId: string | null; busy: boolean;
  onAdd: (phrase: string, category: string, severity: number, reason?: string) => Promise<boolean>;
}) {
  const [phrase, setPhrase] = useState("");
  const [category, setCategory] = useState("BULLYING");
  const [severity, setSeverity] = useState("3");
  const [reason, setReason] = useState("");
  const own = schoolId !== null;
  return (
    <form class="inline" aria-label={own ? "Add a school phrase" : "Add a phrase"} onSubmit={(e) => {
      e.preventDefault();
      void onAdd(phrase.trim(), category, Number(severity), reason).then((ok) => {
        if (ok) { setPhrase(""); setReason(""); }
      });
    }}>
      <fieldset><legend>{own ? "Add a phrase for your school" : "Add a phrase"}</legend>
        <span class="field"><label for="a-phrase">Phrase</label>
          <input id="a-phrase" required minLength={2} maxLength={100} value={phrase}
            onInput={(e) => setPhrase((e.target as HTMLInputElement).value)} /></span>
        <Choice id="a-category" label="Category" value={category} options={CATEGORIES}
          onChange={setCategory} />
        <Choice id="a-severity" label="Severity (1–5)" value={severity} options={SEVERITIES}
          onChange={setSeverity} />
        {own && <span class="field"><label for="a-reason">Reason</label>
          <input id="a-reason" required value={reason}
            onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></span>}
        <button type="submit" disabled={busy || phrase.trim().length < 2 || (own && !reason.trim())}>
          Add phrase</button>
      </fieldset>
    </form>
  );
}

function ExcludeForm({ phrase, busy, onExclude, onCancel }: {
  phrase: string; busy: boolean; onExclude: (reason: string) => void; onCancel: () => void;
}) {
  const [reason, setReason] = useState("");
  return (
    <form class="inline" aria-label={`Exclude “${phrase}”`}
      onSubmit={(e) => { e.preventDefault(); onExclude(reason); }}>
      <span class="field"><label for="x-reason">Reason for excluding</label>
        <input id="x-reason" required value={reason}
          onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></span>
      <button type="submit" disabled={busy || !reason.trim()}>Exclude phrase</button>{" "}
      <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
    </form>
  );
}

function ImportForm({ busy, onImport }: { busy: boolean; onImport: (csv: string) => Promise<unknown> }) {
  const [file, setFile] = useState<File | null>(null);
  return (
    <form class="inline" aria-label="Import phrases from CSV" onSubmit={(e) => {
      e.preventDefault();
      if (file) void file.text().then(onImport);
    }}>
      <fieldset><legend>Import from CSV (columns phrase, category, severity)</legend>
        <span class="field"><label for="i-file">CSV file</label>
          <input id="i-file" type="file" accept=".csv,text/csv"
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} /></span>
        <button type="submit" disabled={busy || !file}>Import</button>
      </fieldset>
    </form>
  );
}
