// Offline capture: notes taken without a connection wait in IndexedDB, each with an id made on this device,
// and go up through POST /observations/offline-batches when the connection is back. The record ids are
// fixed in IndexedDB before the first send, so a resend (an answer lost after the server committed) is
// answered `unchanged` and writes nothing twice. As the SDK's OfflineQueue does.
import { createStore, del, entries, get as idbGet, set as idbSet } from "idb-keyval";
import { ApiError, call, randomId, Unreachable } from "./api";

const store = createStore("improvenet-console", "offline");
const BATCH_RECORDS = 100;

export interface QueuedNote {
  client_id: string;
  visit_id: string;
  classroom_id: string;
  observer_id: string;
  observed_at: string;
  text: string;
  look_for_codes: string[];
  queued_at: string;
  record_client_id?: string; // fixed before the first send
}

export interface QueueStatus {
  pending: number;
  sending: boolean;
  error: string | null;
  lastSent: number; // notes in the last batch the server took
  online: boolean;
}

let status: QueueStatus = { pending: 0, sending: false, error: null, lastSent: 0, online: navigator.onLine };
const listeners = new Set<(s: QueueStatus) => void>();
const sentListeners = new Set<() => void>();

function publish(patch: Partial<QueueStatus>): void {
  status = { ...status, ...patch };
  listeners.forEach((l) => l(status));
}

export function subscribe(fn: (s: QueueStatus) => void): () => void {
  listeners.add(fn);
  fn(status);
  return () => listeners.delete(fn);
}

export function onSent(fn: () => void): () => void {
  sentListeners.add(fn);
  return () => sentListeners.delete(fn);
}

export function currentStatus(): QueueStatus {
  return status;
}

export async function deviceId(): Promise<string> {
  let id = await idbGet<string>("device", store);
  if (!id) {
    id = `web-${randomId().replace(/-/g, "").slice(0, 12)}`;
    await idbSet("device", id, store);
  }
  return id;
}

export async function newNoteId(): Promise<string> {
  return `${await deviceId()}:n:${randomId().replace(/-/g, "")}`;
}

async function queued(): Promise<QueuedNote[]> {
  const rows = await entries<string, QueuedNote>(store);
  return rows.filter(([k]) => String(k).startsWith("note:")).map(([, v]) => v)
    .sort((a, b) => a.queued_at.localeCompare(b.queued_at) || a.client_id.localeCompare(b.client_id));
}

export async function pendingNotes(visitId?: string, classroomId?: string): Promise<QueuedNote[]> {
  return (await queued()).filter((n) => (!visitId || n.visit_id === visitId) && (!classroomId || n.classroom_id === classroomId));
}

async function refreshCount(): Promise<void> {
  publish({ pending: (await queued()).length });
}

/** Keep (or update, while it has not been sent) one note on this device. */
export async function queueNote(note: Omit<QueuedNote, "queued_at"> & { queued_at?: string }): Promise<boolean> {
  const key = `note:${note.client_id}`;
  const existing = await idbGet<QueuedNote>(key, store);
  if (existing?.record_client_id) return false; // on its way: no more edits
  await idbSet(key, { ...note, queued_at: existing?.queued_at || note.queued_at || new Date().toISOString() }, store);
  await refreshCount();
  return true;
}

export async function isLocked(clientId: string): Promise<boolean> {
  return Boolean((await idbGet<QueuedNote>(`note:${clientId}`, store))?.record_client_id);
}

async function assignRecords(notes: QueuedNote[]): Promise<QueuedNote[]> {
  const device = await deviceId();
  const groups = new Map<string, string>();
  for (const n of notes) {
    if (n.record_client_id) continue;
    const key = `${n.visit_id}|${n.classroom_id}|${n.observer_id}`;
    if (!groups.has(key)) groups.set(key, `${device}:r:${randomId().replace(/-/g, "").slice(0, 16)}`);
    n.record_client_id = groups.get(key);
    await idbSet(`note:${n.client_id}`, n, store);
  }
  return notes;
}

let flushing: Promise<void> | null = null;

/** Send every queued note; a failure keeps them queued (and says why). One flush at a time. */
export function flush(): Promise<void> {
  if (!flushing) flushing = doFlush().finally(() => (flushing = null));
  return flushing;
}

async function doFlush(): Promise<void> {
  const notes = await queued();
  if (!notes.length) {
    publish({ pending: 0, sending: false });
    return;
  }
  publish({ sending: true });
  try {
    await assignRecords(notes);
    const records = new Map<string, any>();
    for (const n of notes) {
      const r = records.get(n.record_client_id!) || {
        client_id: n.record_client_id, visit_id: n.visit_id, classroom_id: n.classroom_id,
        observer_id: n.observer_id, submit: false, notes: [],
      };
      r.notes.push({ client_id: n.client_id, observed_at: n.observed_at, text: n.text, look_for_codes: n.look_for_codes });
      records.set(n.record_client_id!, r);
    }
    const items = [...records.values()];
    let sent = 0;
    for (let i = 0; i < items.length; i += BATCH_RECORDS) {
      const batch = items.slice(i, i + BATCH_RECORDS);
      await call("POST", "/observations/offline-batches", { body: { records: batch }, idempotencyKey: randomId() });
      for (const r of batch) for (const n of r.notes) await del(`note:${n.client_id}`, store);
      sent += batch.reduce((k: number, r: any) => k + r.notes.length, 0);
    }
    publish({ error: null, lastSent: sent, online: true });
    sentListeners.forEach((l) => l());
  } catch (error) {
    if (error instanceof Unreachable) publish({ error: null, online: false });
    else if (error instanceof ApiError) publish({ error: `The server refused the queued notes: ${error.title}. ${error.detail}` });
    else publish({ error: String(error) });
  } finally {
    await refreshCount();
    publish({ sending: false });
  }
}

export function markOffline(): void {
  publish({ online: false });
}

/** Start watching the connection: back online (or every few seconds while notes wait), send them. */
export function startOfflineSync(): void {
  window.addEventListener("online", () => {
    publish({ online: true });
    void flush();
  });
  window.addEventListener("offline", () => publish({ online: false }));
  window.setInterval(() => {
    if (status.pending > 0 && navigator.onLine && !status.sending) void flush();
  }, 4000);
  void refreshCount().then(() => (navigator.onLine ? flush() : undefined));
}

// the visit and its protocol, kept so a classroom's note screen works with the connection cut
export async function rememberVisit(visit: any, lookFors: any[]): Promise<void> {
  await idbSet(`visit:${visit.id}`, { visit, lookFors }, store);
}

export async function cachedVisit(visitId: string): Promise<{ visit: any; lookFors: any[] } | undefined> {
  return idbGet(`visit:${visitId}`, store);
}

export async function primaryRecord(key: string): Promise<string | undefined> {
  return idbGet(`primary:${key}`, store);
}

export async function setPrimaryRecord(key: string, recordId: string): Promise<void> {
  await idbSet(`primary:${key}`, recordId, store);
}

// an unsaved record's notes (a save that could not reach the gateway): kept until a save succeeds
export async function saveDraft(key: string, draft: unknown): Promise<void> {
  await idbSet(`draft:${key}`, draft, store);
}

export async function loadDraft<T>(key: string): Promise<T | undefined> {
  return idbGet<T>(`draft:${key}`, store);
}

export async function clearDraft(key: string): Promise<void> {
  await del(`draft:${key}`, store);
}
