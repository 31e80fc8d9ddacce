// Filtering logs: the filtering product's summaries of the school's web requests, newest period
// first, blocked and allowed in total and by category. Read only: the product sends them.
import { useState } from "preact/hooks";
import type { Me } from "../api";
import { abilities } from "../roles";
import { Empty, Load, Pager, useQuery, useSchool, when } from "../ui";

interface Count { category: string; blocked: number; allowed: number }
interface Summary {
  summaryId: string; product: string; periodStart: string; periodEnd: string; blocked: number;
  allowed: number; categories: Count[]; receivedAt: string;
}

const LIMIT = 20;
const SUMMARIES = `query($s: String!, $o: Int!) { filteringSummaries(schoolId: $s, offset: $o,
  limit: ${LIMIT}) { total items { summaryId product periodStart periodEnd blocked allowed
  categories { category blocked allowed } receivedAt } } }`;

const day = (d: Date) => d.toLocaleDateString("en-GB",
  { day: "numeric", month: "short", year: "numeric" });

/** "22 Nov 2026" for a day's summary (its end is the next midnight), else "from to to". */
function period(startIso: string, endIso: string): string {
  const start = new Date(startIso);
  const end = new Date(endIso);
  const midnight = end.getHours() === 0 && end.getMinutes() === 0 && end.getSeconds() === 0;
  const last = midnight ? new Date(end.getTime() - 1) : end;
  return day(start) === day(last) ? day(start) : `${day(start)} to ${day(last)}`;
}

export function FilteringPage({ me }: { me: Me }) {
  const can = abilities(me);
  const { schoolId, picker } = useSchool(me.schoolId, can.isLa);
  const [offset, setOffset] = useState(0);
  const page = useQuery<{ filteringSummaries: { total: number; items: Summary[] } }>(SUMMARIES,
    schoolId ? { s: schoolId, o: offset } : null);
  return (
    <section aria-labelledby="filtering-title">
      <h1 id="filtering-title">Filtering logs</h1>
      <p class="muted">What the school's filtering product blocked and allowed, per period, as
        it reported it.</p>
      {picker}
      <Load loaded={page} what="filtering summaries">
        {({ filteringSummaries: found }) => found.items.length === 0
          ? <Empty>The filtering product has sent no summaries yet.</Empty> : (
            <>
              <Totals items={found.items} />
              <table class="filtering">
                <caption class="sr-only">Filtering summaries, newest period first</caption>
                <thead><tr><th scope="col">Period</th><th scope="col">Product</th>
                  <th scope="col">Blocked</th><th scope="col">Allowed</th>
                  <th scope="col">By category (blocked / allowed)</th></tr></thead>
                <tbody>{found.items.map((s) => (
                  <tr key={s.summaryId} data-summary={s.summaryId}>
                    <td>{period(s.periodStart, s.periodEnd)}
                      <br /><span class="muted">received {when(s.receivedAt)}</span></td>
                    <td>{s.product}</td><td>{s.blocked}</td><td>{s.allowed}</td>
                    <td>{s.categories.length === 0 ? "—" : (
                      <ul class="plain">{s.categories.map((c) => (
                        <li key={c.category}>{c.category}: {c.blocked} / {c.allowed}</li>))}
                      </ul>)}</td>
                  </tr>))}
                </tbody>
              </table>
              <Pager offset={offset} limit={LIMIT} total={found.total} label="Filtering summaries"
                onMove={setOffset} />
            </>
          )}
      </Load>
    </section>
  );
}

/** Blocked and allowed by category over the periods shown, most blocked first. */
function Totals({ items }: { items: Summary[] }) {
  const by = new Map<string, Count>();
  for (const s of items) {
    for (const c of s.categories) {
      const t = by.get(c.category) ?? { category: c.category, blocked: 0, allowed: 0 };
      by.set(c.category, { ...t, blocked: t.blocked + c.blocked, allowed: t.allowed + c.allowed });
    }
  }
  const rows = [...by.values()].sort((a, b) => b.blocked - a.blocked
    || a.category.localeCompare(b.category));
  if (rows.length === 0) return null;
  return (
    <>
      <h2>By category, over these periods</h2>
      <table class="categories">
        <caption class="sr-only">Blocked and allowed by category</caption>
        <thead><tr><th scope="col">Category</th><th scope="col">Blocked</th>
          <th scope="col">Allowed</th></tr></thead>
        <tbody>{rows.map((c) => (
          <tr key={c.category} data-category={c.category}>
            <td>{c.category}</td><td>{c.blocked}</td><td>{c.allowed}</td>
          </tr>))}
        </tbody>
      </table>
      <h2>Each period</h2>
    </>
  );
}
