// The debrief: describe (screen the evidence), analyze (patterns per look-for, with few/some/many/most),
// predict, the next level of work; then the visit becomes debriefed.
import { useState } from "preact/hooks";
import { call, get, post, put } from "../api";
import type { Me } from "../auth";
import { directory } from "../directory";
import { Back, ErrorBox, FieldMessage, invalid, Link, Loading, Title, useAsync } from "../ui";
import { loadVisit, statusLabel } from "./Round";

interface Item {
  recommendation: string;
  owner_id: string;
  horizon: string;
  level: string;
  due_date: string;
}

const QUANTIFIERS = ["few", "some", "many", "most"];

export function Debrief({ visitId }: { me: Me; visitId: string }) {
  const { data, error, reload } = useAsync(async () => {
    const [{ visit, lookFors }, dir, debrief, notes] = await Promise.all([
      loadVisit(visitId), directory(), get<any>(`/observations/visits/${visitId}/debrief`), get<any[]>(`/observations/visits/${visitId}/notes`),
    ]);
    return { visit, lookFors, dir, debrief, notes };
  }, [visitId]);
  const [prediction, setPrediction] = useState<string | null>(null);
  const [items, setItems] = useState<Item[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const [noteErrors, setNoteErrors] = useState<Record<string, unknown>>({});
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [pattern, setPattern] = useState({ statement: "", about: "students", quantifier: "some", code: "" });
  const [patternError, setPatternError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  if (error) return <><Back href={`/app/rounds/${visitId}`}>The round</Back><Title title="Debrief">Debrief</Title><ErrorBox error={error} /></>;
  if (!data) return <><Title title="Debrief">Debrief</Title><Loading what="the debrief" /></>;
  const { visit, lookFors, dir, debrief, notes } = data;
  const writable = ["in_progress", "observed", "planned"].includes(visit.status);
  // an item's owner is an educator: the round's observers, and the host school's staff
  const ownerIds: string[] = [...visit.observer_ids, ...dir.educators.filter((e) => e.school_id === visit.school_id).map((e) => e.id)];
  const owners = [...new Set(ownerIds)].map((id) => ({ id, label: dir.educator(id) }));
  const shownPrediction = prediction ?? debrief.prediction ?? "";
  const room = (id: string) => visit.classrooms.find((c: any) => c.id === id)?.room || "?";

  async function screen(note: any, decision: "accepted" | "rejected") {
    setNoteErrors({ ...noteErrors, [note.id]: null });
    try {
      if (!note.selected) await put(`/observations/notes/${note.id}/selection`, { selected: true });
      await put(`/observations/notes/${note.id}/screening`, decision === "accepted" ? { decision } : { decision, reason: reasons[note.id] || "" });
      reload();
    } catch (err) {
      setNoteErrors({ ...noteErrors, [note.id]: err });
    }
  }

  async function addPattern(e: Event) {
    e.preventDefault();
    setPatternError(null);
    const accepted = notes.filter((n) => n.screening === "accepted" && (!pattern.code || n.look_for_codes.includes(pattern.code)));
    try {
      await post(`/observations/visits/${visitId}/patterns`, {
        statement: pattern.statement, about: pattern.about, quantifier: pattern.quantifier,
        note_ids: accepted.map((n) => n.id), look_for_codes: pattern.code ? [pattern.code] : [],
      });
      setPattern({ ...pattern, statement: "" });
      reload();
    } catch (err) {
      setPatternError(err);
    }
  }

  async function finish(e: Event) {
    e.preventDefault();
    setFailure(null);
    setBusy(true);
    try {
      let current = await call<any>("GET", `/observations/visits/${visitId}`);
      if (current.data.status === "planned") {
        current = await call<any>("POST", `/observations/visits/${visitId}/transitions`, { body: { to: "in_progress" }, ifMatch: current.data.version });
      }
      await put(`/observations/visits/${visitId}/debrief`, {
        prediction: shownPrediction,
        prediction_pattern_ids: debrief.statements.map((s: any) => s.id),
        next_level_of_work: items.map((i) => ({ recommendation: i.recommendation, owner_id: i.owner_id, horizon: i.horizon, level: i.level, ...(i.due_date ? { due_date: i.due_date } : {}) })),
      });
      current = await call<any>("GET", `/observations/visits/${visitId}`);
      await call("POST", `/observations/visits/${visitId}/transitions`, { body: { to: "debriefed" }, ifMatch: current.data.version });
      setDone(true);
      reload();
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  }

  const setItem = (i: number, patch: Partial<Item>) => setItems(items.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  return (
    <>
      <Back href={`/app/rounds/${visitId}`}>The round</Back>
      <Title title="Debrief">Debrief: {dir.school(visit.school_id)}, {visit.visit_date}</Title>
      <p><span class="badge" id="visit-status">{statusLabel(visit.status)}</span> Problem of practice: <em>{visit.problem_of_practice}</em></p>
      {done && (
        <p role="status" class="ok">
          The visit is debriefed. Its next level of work becomes the school's commitments in its network. <Link href="/app">Back to the home page</Link>
        </p>
      )}
      <section aria-labelledby="describe-h">
        <h2 id="describe-h">Describe: screen the evidence</h2>
        <p>Accept the notes that are specific and non-judgemental; reject the others with a reason. Only accepted notes count in the patterns.</p>
        {notes.length === 0 && <p>No note yet: observers take them on the classroom screens. <Link href={`/app/rounds/${visitId}`}>Open the classrooms</Link></p>}
        <ul class="screening">
          {notes.map((n) => (
            <li key={n.id} data-screening={n.screening || "none"}>
              <p>{n.text} <small>(room {room(n.classroom_id)}; {n.look_for_codes.join(", ") || "no look-for"}; {n.verdict})</small></p>
              {n.screening ? <span class="badge">{n.screening}{n.screening_reason ? `: ${n.screening_reason}` : ""}</span> : writable && (
                <div class="actions">
                  <button type="button" class="secondary" onClick={() => void screen(n, "accepted")}>Accept <span class="visually-hidden">note: {n.text.slice(0, 40)}</span></button>
                  <label class="inline">
                    Reason to reject
                    <input value={reasons[n.id] || ""} onInput={(e) => setReasons({ ...reasons, [n.id]: e.currentTarget.value })} />
                  </label>
                  <button type="button" class="secondary outline" onClick={() => void screen(n, "rejected")}>Reject</button>
                </div>
              )}
              <ErrorBox error={noteErrors[n.id]} what="Not screened" />
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="analyze-h">
        <h2 id="analyze-h">Analyze: patterns per look-for</h2>
        <p>{debrief.observed_classrooms} classrooms observed. The counts are hints over accepted evidence; the team's statements say few, some, many or most.</p>
        <table class="patterns">
          <caption class="visually-hidden">Accepted evidence per look-for</caption>
          <thead><tr><th scope="col">Look-for</th><th scope="col">Classrooms showing it</th><th scope="col">Notes</th><th scope="col">The team says</th></tr></thead>
          <tbody>
            {debrief.patterns.map((p: any) => {
              const said = debrief.statements.filter((s: any) => s.look_for_codes.includes(p.code));
              return (
                <tr key={p.code}>
                  <th scope="row">{p.code}: {p.description}</th>
                  <td>{p.classrooms} of {debrief.observed_classrooms}</td>
                  <td>{p.notes}</td>
                  <td>{said.map((s: any) => <span key={s.id}><strong>{s.quantifier}</strong>: {s.statement}<br /></span>)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {writable && (
          <form onSubmit={addPattern} class="pattern-form" aria-labelledby="pattern-h">
            <h3 id="pattern-h">Add a pattern statement</h3>
            <div class="grid">
              <label>About<select value={pattern.about} onChange={(e) => setPattern({ ...pattern, about: e.currentTarget.value })}>
                <option value="students">students</option><option value="teachers">teachers</option><option value="tasks">tasks</option></select></label>
              <label>How many<select value={pattern.quantifier} onChange={(e) => setPattern({ ...pattern, quantifier: e.currentTarget.value })}>
                {QUANTIFIERS.map((q) => <option key={q} value={q}>{q}</option>)}</select></label>
              <label>Look-for<select value={pattern.code} onChange={(e) => setPattern({ ...pattern, code: e.currentTarget.value })}>
                <option value="">any</option>{lookFors.map((l) => <option key={l.code} value={l.code}>{l.code}</option>)}</select></label>
            </div>
            <label>Statement<input value={pattern.statement} onInput={(e) => setPattern({ ...pattern, statement: e.currentTarget.value })} aria-invalid={invalid(patternError, "statement")} aria-describedby="pattern-err" /></label>
            <FieldMessage id="pattern-err" error={patternError} field={["statement", "note_ids", "look_for_codes"]} />
            <ErrorBox error={patternError} what="The statement was not added" />
            <button type="submit" class="secondary">Add the statement</button>
          </form>
        )}
      </section>
      <form onSubmit={finish} noValidate aria-labelledby="predict-h">
        <h2 id="predict-h">Predict and the next level of work</h2>
        <label>
          Prediction: if you were a student here and did everything you were asked, what would you know and be able to do?
          <textarea name="prediction" rows={3} value={shownPrediction} readOnly={!writable} onInput={(e) => setPrediction(e.currentTarget.value)} aria-invalid={invalid(failure, "prediction")} aria-describedby="prediction-err" />
          <FieldMessage id="prediction-err" error={failure} field="prediction" />
        </label>
        {(debrief.next_level_of_work || []).length > 0 && (
          <ul>{debrief.next_level_of_work.map((r: any, i: number) => <li key={i}>{r.recommendation} ({r.level}, {r.horizon}; {owners.find((o) => o.id === r.owner_id)?.label || r.owner_id})</li>)}</ul>
        )}
        {writable && items.map((it, i) => (
          <fieldset key={i}>
            <legend>Next level of work, item {i + 1}</legend>
            <label>Recommendation<input name={`recommendation-${i}`} value={it.recommendation} onInput={(e) => setItem(i, { recommendation: e.currentTarget.value })} aria-invalid={invalid(failure, `next_level_of_work[${i}].recommendation`)} aria-describedby={`rec-err-${i}`} /></label>
            <FieldMessage id={`rec-err-${i}`} error={failure} field={`next_level_of_work[${i}].recommendation`} />
            <div class="grid">
              <label>Owner<select name={`owner-${i}`} value={it.owner_id} onChange={(e) => setItem(i, { owner_id: e.currentTarget.value })}>{owners.map((o) => <option key={o.id} value={o.id}>{o.label}</option>)}</select></label>
              <label>When<select value={it.horizon} onChange={(e) => setItem(i, { horizon: e.currentTarget.value })}><option value="next_week">next week</option><option value="next_month">next month</option><option value="end_of_year">end of year</option></select></label>
              <label>For<select value={it.level} onChange={(e) => setItem(i, { level: e.currentTarget.value })}><option value="teacher">teachers</option><option value="school">the school</option><option value="system">the system</option></select></label>
              <label>Due (optional)<input type="date" value={it.due_date} onInput={(e) => setItem(i, { due_date: e.currentTarget.value })} aria-describedby={`due-err-${i}`} /></label>
            </div>
            <FieldMessage id={`due-err-${i}`} error={failure} field={`next_level_of_work[${i}]`} />
          </fieldset>
        ))}
        {writable && <button type="button" class="secondary" onClick={() => setItems([...items, { recommendation: "", owner_id: owners[0]?.id || "", horizon: "next_month", level: "school", due_date: "" }])}>Add an item of next level of work</button>}
        <ErrorBox error={failure} what="The debrief was not recorded" />
        {writable ? <button type="submit" aria-busy={busy} disabled={busy}>Record the debrief and mark the visit debriefed</button>
          : <p>This visit is {statusLabel(visit.status)}: its evidence and debrief are final. <Link href="/app">Back to the home page</Link></p>}
      </form>
    </>
  );
}
