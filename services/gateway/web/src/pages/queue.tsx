// LA moderators' cross-school queue, driven from the keyboard: j/k move, c claim, r release,
// 1-5 grade (claiming first when needed), x select for bulk false positives, Enter opens.
import { useEffect, useRef, useState } from "preact/hooks";
import { describe, gql, type Me } from "../api";
import { go } from "../router";
import { Empty, ErrorMessage, Load, Pager, useLaNames, useQuery, when, words } from "../ui";

export const GRADES = [
  { key: "1", grade: "FALSE_POSITIVE", label: "False positive", needsNotes: false },
  { key: "2", grade: "NO_FURTHER_ACTION", label: "No further action", needsNotes: false },
  { key: "3", grade: "CONCERN", label: "Concern", needsNotes: true },
  { key: "4", grade: "VIOLATION", label: "Violation", needsNotes: true },
  { key: "5", grade: "URGENT_CHILD_PROTECTION", label: "Urgent (child protection)", needsNotes: true },
] as const;

interface QueueItem {
  captureId: string; schoolId: string; capturedAt: string; machine: string; username: string;
  trigger: string; excerpt: string; category: string | null; severity: number | null;
  priority: string | null; claimedBy: string | null; claimedUntil: string | null;
}
interface QueuePage { total: number; items: QueueItem[] }

const QUEUE = `query($f: QueueFilter, $o: Int!, $l: Int!) {
  moderationQueue(filter: $f, offset: $o, limit: $l) { total items {
    captureId schoolId capturedAt machine username trigger excerpt category severity priority
    claimedBy claimedUntil } } }`;
const CLAIM = `mutation($s: String!, $c: String!) { claimCapture(schoolId: $s, captureId: $c) {
  captureId } }`;
const RELEASE = `mutation($s: String!, $c: String!) { releaseCapture(schoolId: $s, captureId: $c) }`;
const GRADE = `mutation($i: GradeInput!) { gradeCapture(input: $i) }`;
const BULK = `mutation($c: [CaptureRefInput!]!, $n: String!) {
  bulkGradeFalsePositives(captures: $c, notes: $n) { captureId ok reason } }`;
const SCHOOLS = "{ schools { schoolId name } }";

const LIMIT = 20;

export function QueuePage({ me }: { me: Me }) {
  const [offset, setOffset] = useState(0);
  const [school, setSchool] = useState("");
  const schools = useQuery<{ schools: { schoolId: string; name: string }[] }>(SCHOOLS, {});
  const named = useLaNames(me.laId, true);
  const queue = useQuery<{ moderationQueue: QueuePage }>(QUEUE,
    { f: school ? { schoolId: school } : null, o: offset, l: LIMIT });
  const [index, setIndex] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [notes, setNotes] = useState("");
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);
  const rows = useRef<(HTMLLIElement | null)[]>([]);
  const notesBox = useRef<HTMLTextAreaElement>(null);
  // Graded here: hidden at once (the queue's read model catches up a moment later).
  const [gone, setGone] = useState<Set<string>>(new Set());
  const [claims, setClaims] = useState<Map<string, string | null>>(new Map());
  const items = (queue.data?.moderationQueue.items ?? []).filter((c) => !gone.has(c.captureId))
    .map((c) => claims.has(c.captureId) ? { ...c, claimedBy: claims.get(c.captureId) ?? null } : c);
  const claimed = (id: string, by: string | null) =>
    setClaims((m) => new Map(m).set(id, by));
  const current = items[Math.min(index, items.length - 1)];
  // Keyboard-driven: the first capture takes the focus once the queue has loaded.
  const wantFocus = useRef(true);

  // After a reload the row at the same position (the next capture) takes the focus.
  useEffect(() => {
    if (index >= items.length && items.length > 0) setIndex(items.length - 1);
    if (wantFocus.current && items.length > 0) {
      rows.current[Math.min(index, items.length - 1)]?.focus();
      wantFocus.current = false;
    }
  }, [queue.data, gone]);

  const act = async (work: () => Promise<string>, graded: string[] = []) => {
    setError(null);
    try {
      setStatus(await work());
      if (graded.length) setGone((g) => new Set([...g, ...graded]));
      wantFocus.current = true;
      queue.reload();
    } catch (err) {
      setError(describe(err));
    }
  };
  const claim = async (c: QueueItem) => {
    await gql(CLAIM, { s: c.schoolId, c: c.captureId });
    claimed(c.captureId, me.personId);
  };
  const grade = (c: QueueItem, g: (typeof GRADES)[number]) => {
    if (g.needsNotes && !notes.trim()) {
      setError(`A ${g.label.toLowerCase()} grade needs notes for the school: write them, then press ${g.key} again.`);
      notesBox.current?.focus();
      return;
    }
    void act(async () => {
      if (c.claimedBy !== me.personId) await claim(c);
      await gql(GRADE, { i: { schoolId: c.schoolId, captureId: c.captureId, grade: g.grade,
        notes: g.needsNotes ? notes : "" } });
      setNotes("");
      return `Graded ${c.trigger} as ${g.label}.`;
    }, [c.captureId]);
  };
  const bulk = () => {
    const refs = items.filter((c) => selected.has(c.captureId))
      .map((c) => ({ schoolId: c.schoolId, captureId: c.captureId }));
    void act(async () => {
      const { bulkGradeFalsePositives: results } = await gql<{
        bulkGradeFalsePositives: { captureId: string; ok: boolean; reason: string | null }[] }>(
        BULK, { c: refs, n: notes });
      setSelected(new Set());
      const failed = results.filter((r) => !r.ok);
      setGone((g) => new Set([...g, ...results.filter((r) => r.ok).map((r) => r.captureId)]));
      if (failed.length) setError(failed.map((r) => `${r.captureId}: ${r.reason}`).join("; "));
      return `${results.length - failed.length} graded false positive.`;
    });
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey || !current) return;
    const move = (to: number) => {
      const next = Math.max(0, Math.min(items.length - 1, to));
      setIndex(next);
      rows.current[next]?.focus();
    };
    const g = GRADES.find((x) => x.key === e.key);
    if (e.key === "j" || e.key === "ArrowDown") move(index + 1);
    else if (e.key === "k" || e.key === "ArrowUp") move(index - 1);
    else if (e.key === "c") void act(async () => { await claim(current); return `Claimed ${current.trigger}.`; });
    else if (e.key === "r") {
      void act(async () => {
        await gql(RELEASE, { s: current.schoolId, c: current.captureId });
        claimed(current.captureId, null);
        return `Released ${current.trigger}.`;
      });
    } else if (e.key === "x") toggle(current.captureId);
    else if (e.key === "n") notesBox.current?.focus();
    else if (e.key === "Enter") go("capture", current.schoolId, current.captureId);
    else if (g) grade(current, g);
    else return;
    e.preventDefault();
  };
  const toggle = (id: string) => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id); else next.add(id);
    return next;
  });
  const names = new Map((schools.data?.schools ?? []).map((s) => [s.schoolId, s.name]));

  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Moderation queue</h1>
      <details class="keys">
        <summary>Keyboard shortcuts</summary>
        <p>j / k next and previous, c claim, r release, x select for bulk,
          {GRADES.map((g) => ` ${g.key} ${g.label.toLowerCase()},`)} n notes, Enter open.</p>
      </details>
      <div class="toolbar">
        <label for="queue-school">School</label>
        <select id="queue-school" value={school}
          onChange={(e) => { setSchool((e.target as HTMLSelectElement).value); setOffset(0); }}>
          <option value="">All schools</option>
          {(schools.data?.schools ?? []).filter((s) => s.schoolId !== me.laId)
            .map((s) => <option key={s.schoolId} value={s.schoolId}>{s.name}</option>)}
        </select>
      </div>
      <label for="grade-notes">Notes for the school (needed for concern, violation and urgent)</label>
      <textarea id="grade-notes" ref={notesBox} rows={2} value={notes}
        onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => { if (e.key === "Escape") rows.current[index]?.focus(); }} />
      <p class="status" role="status" aria-live="polite">{status}</p>
      <ErrorMessage message={error} />
      <Load loaded={queue} what="the queue">
        {({ moderationQueue: page }) => items.length === 0
          ? <Empty>The queue is empty: every capture has been graded.</Empty>
          : (
            <>
              <p>{page.total} capture{page.total === 1 ? "" : "s"} waiting.{" "}
                <button type="button" disabled={selected.size === 0} onClick={bulk}>
                  Grade {selected.size} selected as false positive</button></p>
              <ul class="queue" aria-label="Captures to grade" onKeyDown={onKey}>
                {items.map((c, i) => (
                  <li key={c.captureId} ref={(el) => { rows.current[i] = el; }}
                    tabIndex={i === index ? 0 : -1} onFocus={() => setIndex(i)}
                    class={i === index ? "row current" : "row"} data-capture={c.captureId}
                    aria-label={`${c.trigger}, ${words(c.priority)} priority, ${names.get(c.schoolId) ?? c.schoolId}`}>
                    <input type="checkbox" aria-label={`Select ${c.trigger}`} tabIndex={-1}
                      checked={selected.has(c.captureId)} onChange={() => toggle(c.captureId)} />
                    <span class={`priority p-${(c.priority ?? "normal").toLowerCase()}`}>
                      {words(c.priority)}</span>
                    <span class="trigger">{c.trigger}</span>
                    <span>{words(c.category)} · severity {c.severity ?? "—"}</span>
                    <span>{names.get(c.schoolId) ?? c.schoolId} · {c.machine} · {c.username}</span>
                    <span>{when(c.capturedAt)}</span>
                    <span>{c.claimedBy ? (c.claimedBy === me.personId ? "Claimed by you"
                      : `Claimed by ${named(c.claimedBy)}`) : "Unclaimed"}</span>
                    <a href={`#/capture/${c.schoolId}/${c.captureId}`} tabIndex={-1}>Open</a>
                  </li>
                ))}
              </ul>
              <Pager offset={offset} limit={LIMIT} total={page.total} label="Queue"
                onMove={(o) => { setOffset(o); setIndex(0); }} />
            </>
          )}
      </Load>
    </section>
  );
}
