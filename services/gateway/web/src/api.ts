// The one way the UI talks to the platform: GraphQL at /graphql with the session's token.
import { createClient, type Client } from "graphql-ws";

export type Role =
  | "HEADTEACHER" | "DSL" | "DEPUTY_DSL" | "ESAFETY_COORDINATOR" | "ICT_LEAD" | "TECHNICIAN"
  | "TEACHER" | "GOVERNOR" | "SCHOOL_ADMIN" | "LA_MODERATOR" | "LA_ADMIN" | "INTEGRATOR";

export interface Me {
  personId: string;
  name: string;
  schoolId: string;
  laId: string;
  roles: Role[];
}

export interface Session {
  token: string;
  expiresAt: string;
  me: Me;
}

/** A GraphQL error with the gateway's stable code (forbidden, not_found, invalid, ...). */
export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

// sessionStorage: the token dies with the tab, and other tabs/sites' scripts never see it.
const KEY = "esafety.session";

export function loadSession(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    return new Date(session.expiresAt) > new Date() ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

let onUnauthenticated: () => void = () => undefined;

/** Called when the gateway says the token is no longer good: back to the login page. */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

interface Reply<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const session = loadSession();
  // Stored but no longer loaded means expired: a refusal then ends the session in the UI too.
  const signedIn = sessionStorage.getItem(KEY) !== null;
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (session) headers.Authorization = `Bearer ${session.token}`;
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST", headers, body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("The platform cannot be reached. Check the connection and try again.",
      "unreachable");
  }
  let reply: Reply<T>;
  try {
    reply = (await response.json()) as Reply<T>;
  } catch {
    throw new ApiError(`The platform answered ${response.status}; try again.`, "internal");
  }
  const [first] = reply.errors ?? [];
  if (first) {
    const code = first.extensions?.code ?? "internal";
    if (code === "unauthenticated" && signedIn) onUnauthenticated();
    throw new ApiError(first.message, code);
  }
  return reply.data as T;
}

/** A message for people: forbidden and friends get a sentence, the rest the gateway's words. */
export function describe(error: unknown): string {
  // (a sentence for forbidden; the gateway's own words otherwise)
  if (error instanceof ApiError) {
    if (error.code === "forbidden") return `Not allowed: ${error.message.replace(/\.$/, "")}.`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

let socket: Client | null = null;
let socketToken = "";

/** One graphql-transport-ws connection per token (the gateway reads it from connection_init). */
export function subscriptions(): Client {
  const session = loadSession();
  const token = session?.token ?? "";
  if (!socket || token !== socketToken) {
    void socket?.dispose();
    const url = new URL("/graphql", location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    socket = createClient({
      url: url.href,
      connectionParams: () => ({ authorization: `Bearer ${loadSession()?.token ?? ""}` }),
      retryAttempts: 20,
      shouldRetry: () => true,
    });
    socketToken = token;
  }
  return socket;
}

export function closeSubscriptions(): void {
  void socket?.dispose();
  socket = null;
}
