// Sign-in: OAuth2 authorization code with PKCE (S256) for the public client `improvenet-console`.
// The access token lives in memory only; the (rotating) refresh token in sessionStorage, so a reload of
// the tab keeps the session and closing it ends it.
export const CLIENT_ID = "improvenet-console";
const REFRESH_KEY = "improvenet.console.refresh_token";
const PENDING_KEY = "improvenet.console.pending_signin";
// Test and development only (docs/console.md): an access token put here is used as it is, never refreshed.
export const TEST_TOKEN_KEY = "improvenet.console.test_token";

export interface Me {
  person_id: string | null;
  email: string | null;
  display_name: string;
  role: string;
  tenant: string;
  schools: string[] | null;
  educator_id: string | null;
  scopes: string[];
}

interface TokenAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

let token: string | null = null;
let expiresAt = 0;
let refreshing: Promise<string | null> | null = null;
let timer: number | undefined;

function b64url(bytes: Uint8Array): string {
  let s = "";
  bytes.forEach((b) => (s += String.fromCharCode(b)));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(n = 32): string {
  return b64url(crypto.getRandomValues(new Uint8Array(n)));
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return b64url(new Uint8Array(digest));
}

export function redirectUri(): string {
  return `${location.origin}/app/callback`;
}

/** Leave for the gateway's sign-in page; it comes back to /app/callback. */
export async function startSignIn(returnTo = location.pathname + location.search): Promise<void> {
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo }));
  const q = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
    state,
  });
  location.assign(`/oauth/authorize?${q.toString()}`);
}

async function tokenRequest(form: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch("/oauth/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams(form).toString(),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const why = body.error_description || body.detail || body.error || body.title || `HTTP ${response.status}`;
    throw new Error(`sign-in refused: ${why}`);
  }
  return body as TokenAnswer;
}

function keep(answer: TokenAnswer): string {
  token = answer.access_token;
  expiresAt = Date.now() + answer.expires_in * 1000;
  if (answer.refresh_token) sessionStorage.setItem(REFRESH_KEY, answer.refresh_token);
  // renew before it expires: at 80 % of its lifetime (at least 5 s before)
  window.clearTimeout(timer);
  const lead = Math.max(answer.expires_in * 200, 5000);
  timer = window.setTimeout(() => void refresh().catch(() => undefined), Math.max(answer.expires_in * 1000 - lead, 1000));
  return token;
}

/** Back from the sign-in page: check the state, trade the code (with the verifier) for tokens. */
export async function completeSignIn(): Promise<string> {
  const params = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || "null");
  sessionStorage.removeItem(PENDING_KEY);
  if (params.get("error")) throw new Error(`sign-in refused: ${params.get("error_description") || params.get("error")}`);
  const code = params.get("code");
  if (!pending || !code || params.get("state") !== pending.state) {
    throw new Error("this sign-in answer does not match a sign-in started here (state differs): sign in again");
  }
  keep(await tokenRequest({
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri(),
    client_id: CLIENT_ID,
    code_verifier: pending.verifier,
  }));
  return pending.returnTo && !pending.returnTo.startsWith("/app/callback") ? pending.returnTo : "/app";
}

async function refresh(): Promise<string | null> {
  const stored = sessionStorage.getItem(REFRESH_KEY);
  if (!stored) return null;
  if (!refreshing) {
    refreshing = tokenRequest({ grant_type: "refresh_token", refresh_token: stored, client_id: CLIENT_ID })
      .then(keep)
      .catch((error) => {
        if (!String(error).includes("Failed to fetch") && !(error instanceof TypeError)) {
          sessionStorage.removeItem(REFRESH_KEY); // refused: sign in again
        }
        token = null;
        return null;
      })
      .finally(() => (refreshing = null));
  }
  return refreshing;
}

/** A token for the next call: the one in memory while fresh, else a refreshed one; null: not signed in. */
export async function accessToken(renew = false): Promise<string | null> {
  const testToken = sessionStorage.getItem(TEST_TOKEN_KEY);
  if (testToken) return testToken;
  if (!renew && token && Date.now() < expiresAt - 5000) return token;
  return refresh();
}

export function hasSession(): boolean {
  return Boolean(sessionStorage.getItem(TEST_TOKEN_KEY) || sessionStorage.getItem(REFRESH_KEY) || token);
}

let unauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(fn: () => void): void {
  unauthorized = fn;
}
export function onUnauthorized(): void {
  unauthorized();
}

export async function signOut(): Promise<void> {
  const current = await accessToken().catch(() => null);
  if (current) {
    await fetch("/oauth/signout", { method: "POST", headers: { Authorization: `Bearer ${current}` } }).catch(() => undefined);
  }
  window.clearTimeout(timer);
  token = null;
  sessionStorage.removeItem(REFRESH_KEY);
  sessionStorage.removeItem(TEST_TOKEN_KEY);
  await startSignIn("/app");
}

/** Who is signed in. A test token of a client (no person) answers from the token's own claims. */
export async function whoAmI(): Promise<Me> {
  const current = await accessToken();
  if (!current) throw new Error("not signed in");
  const response = await fetch("/identity/me", { headers: { Authorization: `Bearer ${current}`, Accept: "application/json" } });
  if (response.ok) return (await response.json()) as Me;
  if (response.status === 401) throw new Error("not signed in");
  const claims = JSON.parse(atob(current.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")) || "{}");
  return {
    person_id: null, email: null, display_name: claims.sub || "client", role: "client",
    tenant: claims.tenant || claims.tid || "", schools: claims.schools || null, educator_id: null,
    scopes: String(claims.scope || "").split(" ").filter(Boolean),
  };
}
