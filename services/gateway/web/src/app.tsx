// The shell: login, the role-aware navigation, and the page for the current route.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  closeSubscriptions, describe, gql, loadSession, saveSession, type Me, type Session,
  whenUnauthenticated,
} from "./api";
import { AgreementsPage } from "./pages/agreements";
import { AlertsPage } from "./pages/alerts";
import { AuditPage } from "./pages/audit";
import { CapturePage } from "./pages/capture";
import { CompliancePage } from "./pages/compliance";
import { FilteringPage } from "./pages/filtering";
import { GovernorsPage } from "./pages/governors";
import { IncidentPage, IncidentsPage } from "./pages/incidents";
import { KeysPage } from "./pages/keys";
import { KeywordsPage } from "./pages/keywords";
import { LaPage } from "./pages/la";
import { MonthlyPage } from "./pages/monthly";
import { PeoplePage } from "./pages/people";
import { QueuePage } from "./pages/queue";
import { ReportPage } from "./pages/report";
import { RetentionPage } from "./pages/retention";
import { WeeklyReviewPage } from "./pages/review";
import { SanctionsPage } from "./pages/sanctions";
import { StaffComplaintsPage } from "./pages/staff";
import { TermlyPage } from "./pages/termly";
import { TrainingPage } from "./pages/training";
import { TransfersPage } from "./pages/transfers";
import { abilities, navigation, ROLE_LABELS } from "./roles";
import { go, useRoute } from "./router";
import { ErrorMessage } from "./ui";

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
  token expiresAt me { personId name schoolId laId roles } } }`;

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession());
  const [notice, setNotice] = useState<string | null>(null);

  const logOut = (why: string | null) => {
    saveSession(null);
    closeSubscriptions();
    setSession(null);
    setNotice(why);
    history.replaceState(null, "", location.pathname);
  };
  useEffect(() => whenUnauthenticated(() => logOut("Your session has ended; please log in again.")),
    []);

  if (!session) {
    return <Login notice={notice} onIn={(s) => { saveSession(s); setNotice(null); setSession(s); }} />;
  }
  return <Shell me={session.me} onOut={() => logOut("You have logged out.")} />;
}

function Login({ notice, onIn }: { notice: string | null; onIn: (s: Session) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { login } = await gql<{ login: Session }>(LOGIN, { u: username, p: password });
      onIn(login);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="login">
      <h1>E-safety platform</h1>
      {notice && <p class="notice" role="status">{notice}</p>}
      <form onSubmit={submit} aria-describedby={error ? "login-error" : undefined}>
        <h2>Log in</h2>
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required value={username}
          onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password"
          required value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        {error && <p id="login-error" class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? "Logging in…" : "Log in"}</button>
      </form>
    </main>
  );
}

function Shell({ me, onOut }: { me: Me; onOut: () => void }) {
  const route = useRoute();
  const nav = navigation(me);
  const [page, ...args] = route;
  const heading = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!page && nav[0]) go(nav[0].route);
  }, [page]);
  // Move focus to the new page so keyboard and screen-reader users start at its top.
  useEffect(() => { heading.current?.focus(); }, [page]);
  const section = page === "capture" ? "queue" : page === "incident" ? "incidents" : page;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); heading.current?.focus(); }}>
        Skip to content</a>
      <header>
        <p class="brand">E-safety platform</p>
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.route}>
                <a href={`#/${item.route}`} aria-current={section === item.route ? "page" : undefined}>
                  {item.label}</a>
              </li>
            ))}
          </ul>
        </nav>
        <p class="who">
          <span>{me.name}</span>{" "}
          <span class="roles">({me.roles.map((r) => ROLE_LABELS[r]).join(", ")}, {me.schoolId})</span>
          <button type="button" onClick={onOut}>Log out</button>
        </p>
      </header>
      <main id="main" ref={heading} tabIndex={-1}>
        <Page me={me} page={page} args={args}
          allowed={nav.some((n) => n.route === section)
            || (page === "capture" && abilities(me).alerts)} />
      </main>
    </>
  );
}

function Page({ me, page, args, allowed }: {
  me: Me; page: string | undefined; args: string[]; allowed: boolean;
}) {
  if (!page) {
    return <p class="empty">There is nothing here for your role yet. Ask your school's
      administrator if you expected to see something.</p>;
  }
  if (!allowed) return <ErrorMessage message="This page is not available to your role." />;
  const can = abilities(me);
  switch (page) {
    case "queue": return <QueuePage me={me} />;
    case "capture": return <CapturePage me={me} schoolId={args[0] ?? ""} captureId={args[1] ?? ""} can={can} />;
    case "alerts": return <AlertsPage me={me} />;
    case "incidents": return <IncidentsPage me={me} />;
    case "incident": return <IncidentPage me={me} schoolId={args[0] ?? ""} incidentId={args[1] ?? ""} />;
    case "report": return <ReportPage me={me} />;
    case "agreements": return <AgreementsPage me={me} />;
    case "people": return <PeoplePage me={me} />;
    case "keys": return <KeysPage me={me} />;
    case "sanctions": return <SanctionsPage me={me} />;
    case "termly": return <TermlyPage me={me} />;
    case "staff": return <StaffComplaintsPage me={me} />;
    case "audit": return <AuditPage me={me} />;
    case "training": return <TrainingPage me={me} />;
    case "review": return <WeeklyReviewPage me={me} />;
    case "monthly": return <MonthlyPage me={me} />;
    case "governors": return <GovernorsPage me={me} />;
    case "la": return <LaPage />;
    case "keywords": return <KeywordsPage me={me} />;
    case "compliance": return <CompliancePage me={me} />;
    case "transfers": return <TransfersPage me={me} />;
    case "retention": return <RetentionPage me={me} />;
    case "filtering": return <FilteringPage me={me} />;
    default: return <ErrorMessage message="There is no such page." />;
  }
}
