// The one way the console talks to the platform: the gateway's public API, same origin, a bearer token.
// problem+json answers become ApiError (status, title, detail, errors by field); no answer at all, Unreachable.
import { accessToken, onUnauthorized } from "./auth";

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  status: number;
  title: string;
  detail: string;
  errors: FieldError[];
  slug: string | null;
  body: unknown;
  constructor(status: number, body: any) {
    const title = (body && body.title) || `HTTP ${status}`;
    super(title);
    this.status = status;
    this.title = title;
    this.detail = (body && body.detail) || "";
    this.errors = Array.isArray(body && body.errors) ? body.errors : [];
    const type: string = (body && body.type) || "";
    this.slug = type ? type.split("/").pop() || null : null;
    this.body = body;
  }
  /** The message for one field (`prediction`, `next_level_of_work[0].owner_id`), or for any field under it. */
  forField(field: string): string | null {
    const hit = this.errors.find((e) => e.field === field || e.field === `body.${field}`);
    return hit ? hit.message : null;
  }
}

export class Unreachable extends Error {
  constructor(cause: unknown) {
    super("The gateway cannot be reached: check the connection.");
    this.cause = cause;
  }
}

export interface Answer<T> {
  data: T;
  etag: string | null;
  status: number;
}

export interface CallOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | string[] | null | undefined>;
  ifMatch?: string | number | null;
  idempotencyKey?: string;
  auth?: boolean;
}

export function randomId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function queryString(q: CallOptions["query"]): string {
  if (!q) return "";
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
    else p.append(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

export function etagOf(version: number | string): string {
  return typeof version === "number" ? `"${version}"` : version;
}

/** A call to `/api/v1<path>` (or an absolute gateway path such as `/identity/me` when it starts with `//`). */
export async function call<T>(method: string, path: string, opts: CallOptions = {}): Promise<Answer<T>> {
  const url = (path.startsWith("/api/") || path.startsWith("/identity/") || path.startsWith("/oauth/")
    ? path : `/api/v1${path}`) + queryString(opts.query);
  const headers: Record<string, string> = { Accept: "application/json, application/problem+json" };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.ifMatch !== undefined && opts.ifMatch !== null) headers["If-Match"] = etagOf(opts.ifMatch);
  if (method === "POST" && opts.idempotencyKey) headers["Idempotency-Key"] = opts.idempotencyKey;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (opts.auth !== false) {
      const token = await accessToken(attempt > 0);
      if (token) headers["Authorization"] = `Bearer ${token}`;
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        credentials: "same-origin",
      });
    } catch (error) {
      throw new Unreachable(error);
    }
    if (response.status === 401 && opts.auth !== false && attempt === 0) continue; // refresh once
    const text = await response.text();
    let data: any = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (response.status === 401 && opts.auth !== false) onUnauthorized();
    if (!response.ok) throw new ApiError(response.status, data);
    return { data: data as T, etag: response.headers.get("ETag"), status: response.status };
  }
  throw new Error("unreachable");
}

export const get = async <T>(path: string, query?: CallOptions["query"]) => (await call<T>("GET", path, { query })).data;
export const post = async <T>(path: string, body: unknown, creates = true) =>
  (await call<T>("POST", path, { body, idempotencyKey: creates ? randomId() : undefined })).data;
export const put = async <T>(path: string, body: unknown, ifMatch?: number | string) =>
  (await call<T>("PUT", path, { body, ifMatch })).data;

export interface Page<T> {
  items: T[];
  next_page_token?: string | null;
}

/** Every item of a cursor-paged list, up to `limit`. */
export async function all<T>(path: string, query: CallOptions["query"] = {}, limit = 500): Promise<T[]> {
  const items: T[] = [];
  let token: string | null | undefined = undefined;
  do {
    const page: Page<T> = await get<Page<T>>(path, { ...query, page_size: 100, page_token: token });
    items.push(...page.items);
    token = page.next_page_token;
  } while (token && items.length < limit);
  return items;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    return [error.title, error.detail, fields].filter(Boolean).join(" — ");
  }
  if (error instanceof Unreachable) return error.message;
  return String((error as Error)?.message || error);
}
