// One observer in one classroom: notes autosaved into their record (If-Match: a newer version is never
// overwritten; on 412 the observer chooses), the evidence check shown as they type (each save answers every
// note's verdict), and offline capture (notes kept in IndexedDB, sent by the offline batch endpoint).
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call, get, Unreachable } from "../api";
import type { Me } from "../auth";
import { directory, type Directory } from "../directory";
import {
  clearDraft, currentStatus, flush, isLocked, loadDraft, markOffline, newNoteId, onSent, pendingNotes,
  primaryRecord, queueNote, saveDraft, setPrimaryRecord, subscribe,
} from "../offline";
import { Back, ErrorBox, Link, Loading, Title } from "../ui";
import { type LookFor, loadVisit, statusLabel } from "./Round";

const SAVE_DELAY_MS = 700;

interface LocalNote {
  client_id: string;
  text: string;
  look_for_codes: string[];
  observed_at: string;
  origin: "record" | "queued";
  confirmed?: boolean; // the server has it (a save answered)
  locked?: boolean;
  checkedText?: string; // the text the verdict below was given for
  verdict?: string;
  flags?: { term: string; kind: string; suggestion: string }[];
  quotes?: string[];
}

interface Conflict {
  theirs: any;
  mine: LocalNote[];
}

function fromServer(n: any): LocalNote {
  return {
    client_id: `server:${n.id}`, text: n.text, look_for_codes: n.look_for_codes, observed_at: n.observed_at,
    origin: "record", confirmed: true, checkedText: n.text, verdict: n.verdict, flags: n.flags, quotes: n.quotes,
  };
}

function noteIn(n: LocalNote): Record<string, unknown> {
  const body: Record<string, unknown> = { observed_at: n.observed_at, text: n.text.trim(), look_for_codes: n.look_for_codes };
  if (!n.client_id.startsWith("server:")) body.client_id = n.client_id;
  return body;
}

function VerdictView({ note }: { note: LocalNote }) {
  if (!note.text.trim()) return <small class="muted">Write what you see or hear; the evidence check answers as you type.</small>;
  if (note.origin === "queued") return <small class="badge waiting">Waiting to send: checked when it reaches the server</small>;
  if (note.checkedText !== note.text) return <small class="muted" aria-busy="true">Checking…</small>;
  const labels: Record<string, string> = {
    descriptive: "Descriptive", evaluative: "Rewrite: this judges rather than describes",
    identifying: "Rewrite: it names a person", unchecked: "Not checked (language without a lexicon): the team screens it",
  };
  return (
    <div class={`verdict ${note.verdict}`}>
      <strong>{labels[note.verdict || ""] || note.verdict}</strong>
      {note.flags && note.flags.length > 0 && (
        <ul>
          {note.flags.map((f, i) => <li key={i}>“{f.term}” ({f.kind}): {f.suggestion}</li>)}
        </ul>
      )}
      {note.quotes && note.quotes.length > 0 && <small>Quoted speech is evidence: {note.quotes.map((q) => `“${q}”`).join(", ")}</small>}
    </div>
  );
}

export function Observe({ me, visitId, classroomId }: { me: Me; visitId: string; classroomId: string }) {
  const [loaded, setLoaded] = useState<{ visit: any; lookFors: LookFor[]; dir: Directory; offline: boolean } | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [observer, setObserver] = useState<string>("");
  const [, setTick] = useState(0);
  const rerender = () => setTick((t) => t + 1);
  const notes = useRef<LocalNote[]>([]);
  const record = useRef<{ id: string; version: number; status: string } | null>(null);
  const others = useRef<any[]>([]); // my other records of this room (sent from a device offline, submitted)
  const [saveState, setSaveState] = useState<string>("idle");
  const [ready, setReady] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [online, setOnline] = useState(currentStatus().online && navigator.onLine);
  const timer = useRef<number | undefined>(undefined);
  const saving = useRef(false);
  const again = useRef(false);
  const conflictRef = useRef<Conflict | null>(null);
  conflictRef.current = conflict;
  const visitRef = useRef<any>(null);
  const draftKey = () => `${visitId}|${classroomId}|${observer}`;

  // the visit (from the device when offline)
  useEffect(() => {
    Promise.all([loadVisit(visitId), directory()]).then(([v, dir]) => {
      visitRef.current = v.visit;
      setLoaded({ ...v, dir });
      const kept = sessionStorage.getItem(`improvenet.console.observer.${visitId}`);
      const team: string[] = v.visit.observer_ids;
      setObserver(me.educator_id && team.includes(me.educator_id) ? me.educator_id : kept && team.includes(kept) ? kept : team[0]);
    }, setLoadError);
  }, [visitId]);

  // my records of this room, and what waits on this device
  async function loadRecords(): Promise<void> {
    const queued = (await pendingNotes(visitId, classroomId)).filter((n) => n.observer_id === observer);
    const queuedNotes: LocalNote[] = [];
    for (const q of queued) queuedNotes.push({ ...q, origin: "queued", locked: await isLocked(q.client_id) });
    let serverNotes: LocalNote[] = notes.current.filter((n) => n.origin === "record");
    try {
      const summaries = (await get<any[]>(`/observations/visits/${visitId}/records`))
        .filter((r) => r.observer_id === observer && r.classroom_id === classroomId);
      const editable = summaries.filter((r) => r.status === "draft" || r.status === "reopened");
      const kept = await primaryRecord(draftKey());
      const primary = editable.find((r) => r.id === kept) || editable[0] || null;
      const full = await Promise.all(summaries.map((r) => get<any>(`/observations/records/${r.id}`)));
      others.current = full.filter((r) => !primary || r.id !== primary.id);
      if (primary) {
        const mine = full.find((r) => r.id === primary.id);
        record.current = { id: mine.id, version: mine.version, status: mine.status };
        await setPrimaryRecord(draftKey(), mine.id);
        serverNotes = mine.notes.map(fromServer);
        const draft = await loadDraft<{ recordId: string; notes: LocalNote[] }>(draftKey());
        if (draft && draft.recordId === mine.id) {
          serverNotes = draft.notes; // unsaved changes from before: save them now (a newer version shows as a conflict)
          schedule(0);
        }
      } else {
        record.current = null;
        const draft = await loadDraft<{ recordId: string | null; notes: LocalNote[] }>(draftKey());
        if (draft && !draft.recordId) {
          serverNotes = draft.notes;
          schedule(0);
        }
      }
    } catch (error) {
      if (!(error instanceof Unreachable)) setSaveError(error);
    }
    // what is on the screen and not on the server yet stays: a note being written, one not saved yet
    const known = new Set([...serverNotes, ...queuedNotes].map((n) => n.client_id));
    const local = notes.current.filter((n) => !known.has(n.client_id) &&
      ((n.origin === "queued" && !n.text.trim()) || (n.origin === "record" && !n.confirmed)));
    notes.current = [...serverNotes, ...queuedNotes, ...local].sort((a, b) => a.observed_at.localeCompare(b.observed_at));
    setReady(true);
    rerender();
  }

  useEffect(() => {
    if (!observer) return;
    sessionStorage.setItem(`improvenet.console.observer.${visitId}`, observer);
    notes.current = [];
    setReady(false);
    void loadRecords();
    const offSent = onSent(() => void loadRecords());
    const offStatus = subscribe((s) => setOnline(s.online && navigator.onLine));
    const back = () => {
      setOnline(true);
      if (notes.current.some((n) => n.origin === "record" && n.checkedText !== n.text)) schedule(0);
    };
    const gone = () => setOnline(false);
    window.addEventListener("online", back);
    window.addEventListener("offline", gone);
    return () => {
      offSent();
      offStatus();
      window.removeEventListener("online", back);
      window.removeEventListener("offline", gone);
    };
  }, [observer]);

  function schedule(delay = SAVE_DELAY_MS): void {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void save(), delay);
  }

  async function save(): Promise<void> {
    if (conflictRef.current) return;
    if (saving.current) {
      again.current = true;
      return;
    }
    const queuedNow = notes.current.filter((n) => n.origin === "queued" && n.text.trim() && !n.locked);
    for (const q of queuedNow) {
      await queueNote({ client_id: q.client_id, visit_id: visitId, classroom_id: classroomId, observer_id: observer,
        observed_at: q.observed_at, text: q.text.trim(), look_for_codes: q.look_for_codes });
    }
    const mine = notes.current.filter((n) => n.origin === "record" && n.text.trim());
    const dirty = mine.some((n) => n.checkedText !== n.text) || notes.current.some((n) => n.origin === "record" && n.checkedText !== n.text);
    if (!dirty) return;
    if (!navigator.onLine) {
      await saveDraft(draftKey(), { recordId: record.current?.id || null, notes: notes.current.filter((n) => n.origin === "record") });
      setSaveState("offline");
      return;
    }
    saving.current = true;
    setSaveState("saving");
    const sent = mine.map((n) => ({ ...n }));
    try {
      let answer: { data: any; etag: string | null };
      const visit = visitRef.current;
      if (visit.status === "planned") { // the first evidence starts the round
        const started = await call<any>("POST", `/observations/visits/${visitId}/transitions`, { body: { to: "in_progress" }, ifMatch: visit.version });
        visitRef.current = started.data;
      }
      if (!record.current) {
        if (!sent.length) return;
        answer = await call<any>("POST", `/observations/visits/${visitId}/records`, {
          body: { classroom_id: classroomId, observer_id: observer, notes: sent.map(noteIn) }, idempotencyKey: `${draftKey()}|${sent[0].client_id}`,
        });
        await setPrimaryRecord(draftKey(), answer.data.id);
      } else {
        answer = await call<any>("PATCH", `/observations/records/${record.current.id}`, { body: { notes: sent.map(noteIn) }, ifMatch: record.current.version });
      }
      const saved = answer.data;
      record.current = { id: saved.id, version: saved.version, status: saved.status };
      // the verdicts, in the order the notes were sent (the server orders by observed time, as we do)
      const ordered = [...sent].sort((a, b) => a.observed_at.localeCompare(b.observed_at));
      ordered.forEach((s, i) => {
        const n = notes.current.find((x) => x.client_id === s.client_id);
        const v = saved.notes[i];
        if (n && v) Object.assign(n, { confirmed: true, checkedText: s.text, verdict: v.verdict, flags: v.flags, quotes: v.quotes });
      });
      for (const n of notes.current) if (n.origin === "record" && !n.text.trim()) n.checkedText = n.text;
      await clearDraft(draftKey());
      setSaveError(null);
      setSaveState(`saved at ${new Date().toLocaleTimeString()}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412 && record.current) {
        const theirs = await get<any>(`/observations/records/${record.current.id}`);
        const same = theirs.notes.length === sent.length && theirs.notes.every((n: any, i: number) => n.text === sent[i].text.trim());
        if (same) { // our own save went through before the answer was lost: nothing to choose
          record.current.version = theirs.version;
          again.current = true;
        } else {
          setConflict({ theirs, mine: notes.current.filter((n) => n.origin === "record").map((n) => ({ ...n })) });
          setSaveState("conflict");
        }
      } else if (error instanceof Unreachable) {
        markOffline();
        setOnline(false);
        await saveDraft(draftKey(), { recordId: record.current?.id || null, notes: notes.current.filter((n) => n.origin === "record") });
        setSaveState("offline");
      } else {
        setSaveError(error);
        setSaveState("error");
      }
    } finally {
      saving.current = false;
      rerender();
      if (again.current) {
        again.current = false;
        schedule(0);
      }
    }
  }

  async function addNote(): Promise<void> {
    const id = await newNoteId();
    const offline = !navigator.onLine || !online;
    notes.current = [...notes.current, { client_id: id, text: "", look_for_codes: [], observed_at: new Date().toISOString(), origin: offline ? "queued" : "record" }];
    rerender();
    window.setTimeout(() => document.getElementById(`note-${id}`)?.focus(), 0);
  }

  function edit(n: LocalNote, patch: Partial<LocalNote>): void {
    Object.assign(n, patch);
    rerender();
    schedule();
  }

  async function submitAll(): Promise<void> {
    setSaveError(null);
    try {
      await save();
      const drafts = [record.current, ...others.current].filter((r): r is any => Boolean(r) && (r.status === "draft" || r.status === "reopened"));
      for (const r of drafts) {
        await call("POST", `/observations/records/${r.id}/transitions`, { body: { to: "submitted" }, ifMatch: r.version });
      }
      setSaveState("submitted");
      await loadRecords();
    } catch (error) {
      setSaveError(error);
    }
  }

  function resolve(keep: "theirs" | "mine"): void {
    if (!conflict || !record.current) return;
    record.current.version = conflict.theirs.version;
    const queued = notes.current.filter((n) => n.origin === "queued");
    if (keep === "theirs") {
      notes.current = [...conflict.theirs.notes.map(fromServer), ...queued];
      void clearDraft(draftKey());
      setSaveState("kept the newer version");
    }
    setConflict(null);
    conflictRef.current = null;
    rerender();
    if (keep === "mine") {
      for (const n of notes.current) if (n.origin === "record") n.checkedText = undefined;
      schedule(0);
    }
  }

  if (loadError) return <><Back href={`/app/rounds/${visitId}`}>The round</Back><Title title="Notes">Notes</Title><ErrorBox error={loadError} /></>;
  if (!loaded) return <><Title title="Notes">Notes</Title><Loading what="the classroom" /></>;
  const { visit, lookFors, dir } = loaded;
  const room = visit.classrooms.find((c: any) => c.id === classroomId);
  const frozen = record.current && !["draft", "reopened"].includes(record.current.status);
  const toRewrite = notes.current.filter((n) => n.origin === "record" && n.checkedText === n.text && n.verdict && n.verdict !== "descriptive" && n.verdict !== "unchecked").length;
  const waiting = notes.current.filter((n) => n.origin === "queued" && n.text.trim()).length;
  let status = "";
  if (saveState === "saving") status = "Saving…";
  else if (saveState.startsWith("saved")) status = `All notes ${saveState}.`;
  else if (saveState === "offline") status = "Offline: your notes are kept on this device and sent when the connection is back.";
  else if (saveState === "conflict") status = "Not saved: a newer version exists. Choose below which to keep.";
  else if (saveState === "submitted") status = "Your notes for this room are submitted.";
  else if (saveState === "kept the newer version") status = "You kept the newer version.";
  if (toRewrite) status += ` ${toRewrite} ${toRewrite === 1 ? "note" : "notes"} to rewrite as description.`;

  return (
    <>
      <Back href={`/app/rounds/${visitId}`}>The round at {dir.school(visit.school_id)}</Back>
      <Title title={`Room ${room?.room || ""} notes`}>Room {room?.room}: grade {room?.grade} {room?.subject}</Title>
      <p>
        <span class="badge">{statusLabel(visitRef.current?.status || visit.status)}</span> Problem of practice: <em>{visit.problem_of_practice}</em>
      </p>
      {!online && <p class="warn" role="status">Offline. Keep writing: new notes are kept on this device{waiting ? ` (${waiting} here)` : ""} and sent when the connection is back.</p>}
      <label>
        Recording for
        <select name="observer" value={observer} onChange={(e) => setObserver(e.currentTarget.value)} disabled={Boolean(me.educator_id && visit.observer_ids.includes(me.educator_id))}>
          {visit.observer_ids.map((id: string) => <option key={id} value={id}>{dir.educator(id)}{id === me.educator_id ? " (you)" : ""}</option>)}
        </select>
      </label>
      <p id="save-status" role="status" aria-live="polite" class="save-status">{status}</p>
      <ErrorBox error={saveError} what="Your notes could not be saved" />
      {conflict && (
        <section class="conflict" role="alert" aria-labelledby="conflict-h">
          <h2 id="conflict-h">A newer version of this record was saved</h2>
          <p>Version {conflict.theirs.version} was saved (on another device or tab) after you opened this room. Nothing was overwritten. Choose which notes to keep.</p>
          <div class="grid">
            <div>
              <h3>The newer version</h3>
              <ol class="theirs">{conflict.theirs.notes.map((n: any) => <li key={n.id}>{n.text}</li>)}</ol>
            </div>
            <div>
              <h3>Yours, not saved</h3>
              <ol class="mine">{conflict.mine.filter((n) => n.text.trim()).map((n) => <li key={n.client_id}>{n.text}</li>)}</ol>
            </div>
          </div>
          <div class="actions">
            <button type="button" onClick={() => resolve("theirs")}>Keep the newer version</button>
            <button type="button" class="secondary" onClick={() => resolve("mine")}>Keep mine instead</button>
          </div>
        </section>
      )}
      <section aria-labelledby="notes-h">
        <h2 id="notes-h">Your notes</h2>
        {notes.current.length === 0 && <p>No note yet. Describe what the teacher and students say and do; tag the look-fors you see.</p>}
        <ol class="notes">
          {notes.current.map((n, i) => (
            <li key={n.client_id} class={`note ${n.origin}`} data-origin={n.origin}>
              <label for={`note-${n.client_id}`}>
                Note {i + 1} <small>({new Date(n.observed_at).toLocaleTimeString()}{n.origin === "queued" ? ", on this device" : ""})</small>
              </label>
              <textarea
                id={`note-${n.client_id}`}
                name="note"
                rows={3}
                value={n.text}
                readOnly={Boolean(frozen || n.locked || conflict)}
                aria-describedby={`verdict-${n.client_id}`}
                onInput={(e) => edit(n, { text: e.currentTarget.value })}
              />
              <fieldset class="lookfors">
                <legend>Look-fors seen in note {i + 1}</legend>
                {lookFors.map((l) => (
                  <label key={l.code} title={l.description}>
                    <input type="checkbox" checked={n.look_for_codes.includes(l.code)} disabled={Boolean(frozen || n.locked || conflict)}
                      onChange={(e) => edit(n, { look_for_codes: e.currentTarget.checked ? [...n.look_for_codes, l.code] : n.look_for_codes.filter((c) => c !== l.code) })} />
                    {l.code} <span class="visually-hidden">: {l.description}</span>
                  </label>
                ))}
              </fieldset>
              <div id={`verdict-${n.client_id}`}><VerdictView note={n} /></div>
            </li>
          ))}
        </ol>
        {!frozen && <button type="button" disabled={!ready} aria-busy={!ready} onClick={() => void addNote()}>Add a note</button>}
      </section>
      {others.current.length > 0 && (
        <section aria-labelledby="others-h">
          <h2 id="others-h">Your other records of this room</h2>
          <p>Notes sent from a device while offline arrive as a record of their own; they count in the debrief like the others.</p>
          {others.current.map((r) => (
            <div key={r.id}>
              <p><span class="badge">{r.status}</span> {r.notes.length} notes</p>
              <ul class="sent">{r.notes.map((n: any) => <li key={n.id}>{n.text} <small>({n.verdict})</small></li>)}</ul>
            </div>
          ))}
        </section>
      )}
      <p class="actions">
        {!frozen && notes.current.length > 0 && <button type="button" class="secondary" onClick={() => void submitAll()}>Submit my notes for this room</button>}
        {waiting > 0 && online && <button type="button" class="secondary outline" onClick={() => void flush()}>Send waiting notes now</button>}
        <Link href={`/app/rounds/${visitId}`}>Other classrooms</Link>
        <Link href={`/app/rounds/${visitId}/debrief`}>Go to the debrief</Link>
      </p>
    </>
  );
}
