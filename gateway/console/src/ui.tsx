// Shared pieces: links that route in the page, field errors next to inputs, status messages.
import type { AnchorHTMLAttributes, ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, describeError, Unreachable } from "./api";

type Listener = () => void;
const routeListeners = new Set<Listener>();

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  routeListeners.forEach((l) => l());
}

export function useRoute(): string {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setPath(location.pathname + location.search);
    routeListeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      routeListeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return path;
}

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children: ComponentChildren }) {
  const { href, children, ...rest } = props;
  return (
    <a
      {...rest}
      href={href}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

/** The screen's one h1; focused after each navigation so a screen reader announces the new screen. */
export function Title({ children, title }: { children: ComponentChildren; title: string }) {
  useEffect(() => {
    document.title = `${title} · improvenet`;
    const h1 = document.getElementById("screen-title");
    h1?.focus();
  }, [title]);
  return (
    <h1 id="screen-title" tabIndex={-1}>
      {children}
    </h1>
  );
}

export function ErrorBox({ error, what }: { error: unknown; what?: string }) {
  if (!error) return null;
  const next = error instanceof Unreachable
    ? "Check the connection, then try again."
    : error instanceof ApiError && error.status === 403
      ? "Your account may not do this: ask your district administrator for access."
      : error instanceof ApiError && error.status === 404
        ? "It may have been removed, or belong to schools you cannot see. Go back to the home page."
        : "Correct what is marked and try again.";
  return (
    <div class="problem" role="alert">
      <strong>{what ? `${what}: ` : ""}{error instanceof ApiError ? error.title : "Something went wrong"}</strong>
      <p>{error instanceof ApiError ? error.detail : describeError(error)}</p>
      {error instanceof ApiError && error.errors.length > 0 && (
        <ul>
          {error.errors.map((e) => (
            <li key={e.field}>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
      <p class="next">{next}</p>
    </div>
  );
}

/** The field's message from a problem, shown under its input (and tied to it with aria-describedby). */
export function FieldMessage({ id, error, field }: { id: string; error: unknown; field: string | string[] }) {
  if (!(error instanceof ApiError)) return null;
  const fields = Array.isArray(field) ? field : [field];
  const hit = error.errors.find((e) => fields.some((f) => e.field === f || e.field === `body.${f}` || e.field.startsWith(`${f}[`) || e.field.startsWith(`${f}.`)));
  if (!hit) return null;
  return (
    <small id={id} class="field-error" role="alert">
      {hit.message} <span class="field-name">({hit.field})</span>
    </small>
  );
}

export function invalid(error: unknown, field: string): boolean | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.errors.some((e) => e.field === field || e.field === `body.${field}` || e.field.startsWith(`${field}[`) || e.field.startsWith(`${field}.`)) ? true : undefined;
}

export function Loading({ what }: { what: string }) {
  return <p aria-busy="true">Loading {what}…</p>;
}

export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: unknown; reload: () => void; loading: boolean } {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : "—";
}

export function Back({ href, children }: { href: string; children: ComponentChildren }) {
  return (
    <p class="back">
      <Link href={href}>← {children}</Link>
    </p>
  );
}
