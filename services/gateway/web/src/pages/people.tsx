// People and roles: search a school's people page by page; give or take away roles.
import { useState } from "preact/hooks";
import { gql, type Me, type Role } from "../api";
import { abilities, ROLE_LABELS } from "../roles";
import { Empty, ErrorMessage, Load, Pager, soon, useAction, useQuery, useSchool, words } from "../ui";

interface Person {
  personId: string; givenName: string; familyName: string; kind: string;
  yearGroup: number | null; roles: Role[]; username: string | null;
}
const PEOPLE = `query($s: String!, $q: String, $o: Int!) { people(schoolId: $s, search: $q,
  offset: $o, limit: 25) { total items { personId givenName familyName kind yearGroup roles
  username } } }`;
const ASSIGN = `mutation($s: String!, $p: String!, $r: Role!) {
  assignRole(schoolId: $s, personId: $p, role: $r) { personId } }`;
const REMOVE = `mutation($s: String!, $p: String!, $r: Role!) {
  removeRole(schoolId: $s, personId: $p, role: $r) { personId } }`;
// Roles a school gives its people (LA roles are given by the LA admin at the LA).
const SCHOOL_ROLES: Role[] = ["HEADTEACHER", "DSL", "DEPUTY_DSL", "ESAFETY_COORDINATOR",
  "ICT_LEAD", "TECHNICIAN", "TEACHER", "GOVERNOR", "SCHOOL_ADMIN"];

export function PeoplePage({ me }: { me: Me }) {
  const { schoolId, picker } = useSchool(me.schoolId, abilities(me).isLa);
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [offset, setOffset] = useState(0);
  const people = useQuery<{ people: { total: number; items: Person[] } }>(PEOPLE,
    schoolId ? { s: schoolId, q: query || null, o: offset } : null);
  const action = useAction();
  const change = (query: string, p: Person, role: Role) => void action.run(async () => {
    await gql(query, { s: schoolId, p: p.personId, r: role });
    soon(people.reload);
  });
  return (
    <section aria-labelledby="people-title">
      <h1 id="people-title">People and roles</h1>
      {picker}
      <form class="toolbar" role="search" onSubmit={(e) => { e.preventDefault(); setQuery(search); setOffset(0); }}>
        <label for="p-search">Search by name</label>
        <input id="p-search" type="search" value={search}
          onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        <button type="submit">Search</button>
      </form>
      <ErrorMessage message={action.error} />
      <Load loaded={people} what="people">
        {({ people: page }) => page.items.length === 0 ? <Empty>Nobody matches.</Empty> : (
          <>
            <table>
              <caption class="sr-only">People</caption>
              <thead><tr><th scope="col">Name</th><th scope="col">Kind</th>
                <th scope="col">Login</th><th scope="col">Roles</th><th scope="col">Give a role</th></tr></thead>
              <tbody>{page.items.map((p) => (
                <tr key={p.personId}>
                  <td>{p.givenName} {p.familyName}</td>
                  <td>{words(p.kind)}{p.yearGroup !== null ? `, year ${p.yearGroup}` : ""}</td>
                  <td>{p.username ?? "—"}</td>
                  <td>{p.roles.length === 0 ? "—" : p.roles.map((r) => (
                    <span class="tag" key={r}>{ROLE_LABELS[r]}{" "}
                      <button type="button" class="link" disabled={action.busy}
                        aria-label={`Remove ${ROLE_LABELS[r]} from ${p.givenName} ${p.familyName}`}
                        onClick={() => change(REMOVE, p, r)}>×</button></span>))}</td>
                  <td>{p.kind === "STAFF" || p.kind === "GOVERNOR" ? (
                    <select aria-label={`Give ${p.givenName} ${p.familyName} a role`} value=""
                      disabled={action.busy}
                      onChange={(e) => { const r = (e.target as HTMLSelectElement).value as Role;
                        if (r) change(ASSIGN, p, r); }}>
                      <option value="">Choose…</option>
                      {SCHOOL_ROLES.filter((r) => !p.roles.includes(r))
                        .map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
                    </select>) : "—"}</td>
                </tr>))}
              </tbody>
            </table>
            <Pager offset={offset} limit={25} total={page.total} label="People" onMove={setOffset} />
          </>
        )}
      </Load>
    </section>
  );
}
