// Integrator API keys for a school: list, issue (the secret is shown once), revoke.
import { useState } from "preact/hooks";
import { gql, type Me } from "../api";
import { abilities } from "../roles";
import { Empty, ErrorMessage, Load, soon, useAction, useQuery, useSchool, when, words } from "../ui";

interface ApiKey {
  keyId: string; name: string; scopes: string[]; createdAt: string; expiresAt: string | null;
  revokedAt: string | null; lastUsedAt: string | null; uses: number;
}
const KEYS = `query($s: String!) { apiKeys(schoolId: $s) {
  keyId name scopes createdAt expiresAt revokedAt lastUsedAt uses } }`;
const ISSUE = `mutation($s: String!, $n: String!, $sc: [ApiScope!]!, $e: DateTime) {
  issueApiKey(schoolId: $s, name: $n, scopes: $sc, expiresAt: $e) { keyId secret } }`;
const REVOKE = `mutation($s: String!, $k: String!) { revokeApiKey(schoolId: $s, keyId: $k) { keyId } }`;
const SCOPES = ["ROSTER_WRITE", "CAPTURES_WRITE"];

export function KeysPage({ me }: { me: Me }) {
  const { schoolId, picker } = useSchool(me.schoolId, abilities(me).isLa);
  const keys = useQuery<{ apiKeys: ApiKey[] }>(KEYS, schoolId ? { s: schoolId } : null);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>([]);
  const [expires, setExpires] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();
  const issue = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const { issueApiKey } = await gql<{ issueApiKey: { secret: string } }>(ISSUE, {
        s: schoolId, n: name, sc: scopes, e: expires ? new Date(expires).toISOString() : null });
      setSecret(issueApiKey.secret);
      setName(""); setScopes([]); setExpires("");
      soon(keys.reload);
    });
  };
  const revoke = (k: ApiKey) => void action.run(async () => {
    await gql(REVOKE, { s: schoolId, k: k.keyId });
    soon(keys.reload);
  });
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">Integrator API keys</h1>
      {picker}
      <ErrorMessage message={action.error} />
      {secret && (
        <div class="notice" role="status">
          <p>The new key's secret, shown this once: copy it into the integrator's settings now.</p>
          <p><code class="secret">{secret}</code></p>
        </div>
      )}
      <Load loaded={keys} what="keys">
        {({ apiKeys }) => apiKeys.length === 0 ? <Empty>No keys have been issued.</Empty> : (
          <table>
            <caption class="sr-only">Keys</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Scopes</th>
              <th scope="col">Issued</th><th scope="col">Expires</th><th scope="col">Last used</th>
              <th scope="col">State</th></tr></thead>
            <tbody>{apiKeys.map((k) => (
              <tr key={k.keyId}><td>{k.name}</td><td>{k.scopes.map(words).join(", ")}</td>
                <td>{when(k.createdAt)}</td><td>{when(k.expiresAt)}</td>
                <td>{k.lastUsedAt ? `${when(k.lastUsedAt)} (${k.uses} uses)` : "never"}</td>
                <td>{k.revokedAt ? `Revoked ${when(k.revokedAt)}` : (
                  <button type="button" onClick={() => revoke(k)} disabled={action.busy}
                    aria-label={`Revoke ${k.name}`}>Revoke</button>)}</td></tr>))}
            </tbody>
          </table>
        )}
      </Load>
      <form class="stack" onSubmit={issue}>
        <h2>Issue a key</h2>
        <label for="k-name">Name</label>
        <input id="k-name" required value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <fieldset><legend>Scopes</legend>
          {SCOPES.map((s) => (
            <span class="field check" key={s}>
              <input id={`k-${s}`} type="checkbox" checked={scopes.includes(s)}
                onChange={() => setScopes(scopes.includes(s) ? scopes.filter((x) => x !== s)
                  : [...scopes, s])} />
              <label for={`k-${s}`}>{words(s)}</label></span>))}
        </fieldset>
        <label for="k-expires">Expires (optional)</label>
        <input id="k-expires" type="date" value={expires}
          onInput={(e) => setExpires((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={action.busy || !schoolId || scopes.length === 0}>Issue key</button>
      </form>
    </section>
  );
}
