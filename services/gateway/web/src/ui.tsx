// Small shared pieces: data loading with loading/error states, pagination, school choice.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, describe, gql } from "./api";

const FINAL = ["forbidden", "not_found", "invalid", "unauthenticated"];

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  /** worth trying again: not for forbidden, not found or bad input */
  retry: boolean;
  loading: boolean;
  reload: () => void;
}

/** Run a query whenever its variables change; `reload` runs it again (after a mutation). */
export function useQuery<T>(query: string, variables: Record<string, unknown> | null): Loaded<T> {
  const [state, setState] = useState<{
    data: T | null; error: string | null; retry: boolean; loading: boolean;
  }>({ data: null, error: null, retry: false, loading: variables !== null });
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (variables === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    gql<T>(query, variables).then(
      (data) => live && setState({ data, error: null, retry: false, loading: false }),
      (err: unknown) => live && setState({ data: null, error: describe(err), loading: false,
        retry: !(err instanceof ApiError && FINAL.includes(err.code)) }));
    return () => { live = false; };
  }, [query, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** A mutation runner that keeps its own busy flag and error message. */
export function useAction(): {
  busy: boolean; error: string | null; run: (work: () => Promise<unknown>) => Promise<boolean>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (err) {
      setError(describe(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(null) };
}

export function Loading({ what }: { what: string }) {
  return <p class="loading" role="status" aria-live="polite">Loading {what}…</p>;
}

export function ErrorMessage({ message }: { message: string | null }) {
  return message ? <p class="error" role="alert">{message}</p> : null;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Shows loading, error or the content; `empty` when there is nothing to list. */
export function Load<T>({ loaded, what, children }: {
  loaded: Loaded<T>; what: string; children: (data: T) => ComponentChildren;
}) {
  if (loaded.error) {
    return <div><ErrorMessage message={loaded.error} />
      {loaded.retry && <button type="button" onClick={loaded.reload}>Try again</button>}</div>;
  }
  if (loaded.data === null) return <Loading what={what} />;
  return <>{children(loaded.data)}</>;
}

export function Pager({ offset, limit, total, onMove, label }: {
  offset: number; limit: number; total: number; onMove: (offset: number) => void; label: string;
}) {
  if (total <= limit && offset === 0) return null;
  const last = Math.min(offset + limit, total);
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={offset === 0}
        onClick={() => onMove(Math.max(0, offset - limit))}>Previous</button>
      <span>{total === 0 ? "none" : `${offset + 1}–${last} of ${total}`}</span>
      <button type="button" disabled={last >= total}
        onClick={() => onMove(offset + limit)}>Next</button>
    </nav>
  );
}

interface School { schoolId: string; name: string }

const SCHOOLS = "{ schools { schoolId name } }";

/** LA staff choose the school a page is about; school staff are always in their own. */
export function useSchool(own: string, isLa: boolean): {
  schoolId: string | null; picker: ComponentChildren;
} {
  const schools = useQuery<{ schools: School[] }>(SCHOOLS, isLa ? {} : null);
  const [chosen, setChosen] = useState<string | null>(null);
  if (!isLa) return { schoolId: own, picker: null };
  const list = (schools.data?.schools ?? []).filter((s) => s.schoolId !== own);
  const schoolId = chosen ?? list[0]?.schoolId ?? null;
  const picker = schools.error ? <ErrorMessage message={schools.error} />
    : !schools.data ? <Loading what="schools" />
    : (
      <p>
        <label for="school">School </label>
        <select id="school" value={schoolId ?? ""}
          onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
          {list.map((s) => <option key={s.schoolId} value={s.schoolId}>{s.name}</option>)}
        </select>
      </p>
    );
  return { schoolId, picker };
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString("en-GB", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function words(value: string | null | undefined): string {
  if (!value) return "—";
  const text = value.replace(/_/g, " ").toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Reload now and a few times more: read models apply a command's events a moment later. */
export function soon(reload: () => void): void {
  reload();
  for (const ms of [800, 2500, 6000]) setTimeout(reload, ms);
}

const NAMES = `query($s: String!, $k: PersonKind!) { people(schoolId: $s, kind: $k, limit: 500) {
  items { personId givenName familyName } } }`;

/** Names instead of person ids, from the directory (when the user may list those people). */
export function useNames(schoolId: string | null, kind: "STAFF" | "LA_STAFF" | "PUPIL",
  fallback: string): (id: string | null | undefined) => string {
  const people = useQuery<{ people: { items: { personId: string; givenName: string;
    familyName: string }[] } }>(NAMES, schoolId ? { s: schoolId, k: kind } : null);
  return (id) => {
    if (!id) return "—";
    const p = people.data?.people.items.find((x) => x.personId === id);
    return p ? `${p.givenName} ${p.familyName}` : fallback;
  };
}

/** The LA's staff (the moderators) by name for LA users; school staff may not list them and
 * read "an LA moderator". */
export function useLaNames(laId: string, isLa: boolean): (id: string | null | undefined) => string {
  return useNames(isLa ? laId : null, "LA_STAFF", isLa ? "a member of LA staff" : "an LA moderator");
}
