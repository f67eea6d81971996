// Run a network meeting: attendance, the chair suggestion with its reasons (turn and expertise, never
// position), then the meeting and the commitments made at it.
import { useState } from "preact/hooks";
import { get, post } from "../api";
import type { Me } from "../auth";
import { directory } from "../directory";
import { Back, ErrorBox, FieldMessage, invalid, Link, Loading, Title, today, useAsync } from "../ui";

interface Commit {
  school_id: string;
  description: string;
  due_on: string;
}

export function Meeting({ networkId }: { me: Me; networkId: string }) {
  const { data, error } = useAsync(async () => {
    const [dir, network, members, rotation] = await Promise.all([
      directory(), get<any>(`/networks/networks/${networkId}`), get<any[]>(`/networks/networks/${networkId}/members`),
      get<any>(`/networks/networks/${networkId}/host-rotation`).catch(() => ({})),
    ]);
    return { dir, network, members: members.filter((m) => !m.ends_on || m.ends_on >= today()), rotation };
  }, [networkId]);
  const [date, setDate] = useState(today());
  const [type, setType] = useState("learning_session");
  const [agenda, setAgenda] = useState("");
  const [tags, setTags] = useState("");
  const [attending, setAttending] = useState<string[] | null>(null);
  const [suggestion, setSuggestion] = useState<any>(null);
  const [chair, setChair] = useState("");
  const [host, setHost] = useState("");
  const [commits, setCommits] = useState<Commit[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const [made, setMade] = useState<{ meeting: any; commitments: any[] } | null>(null);
  const [busy, setBusy] = useState(false);

  if (error) return <><Back href="/app">Home</Back><Title title="Run a meeting">Run a meeting</Title><ErrorBox error={error} /></>;
  if (!data) return <><Title title="Run a meeting">Run a meeting</Title><Loading what="the network" /></>;
  const { dir, network, members, rotation } = data;
  const present = attending ?? members.map((m) => m.educator_id);
  const tagList = tags.split(",").map((t) => t.trim()).filter(Boolean);
  const hostSchool = host || rotation.next_host_school_id || network.school_ids[0];

  async function suggest() {
    setFailure(null);
    try {
      const s = await get<any>(`/networks/networks/${networkId}/chair-suggestion`, { tags: tagList, attendee_ids: present });
      setSuggestion(s);
      if (s.candidates[0]) setChair(s.candidates[0].educator_id);
    } catch (err) {
      setFailure(err);
    }
  }

  async function record(e: Event) {
    e.preventDefault();
    setFailure(null);
    setBusy(true);
    try {
      const candidate = suggestion?.candidates.find((c: any) => c.educator_id === chair);
      const meeting = await post<any>("/networks/meetings", {
        network_id: networkId, meeting_date: date, meeting_type: type, host_school_id: hostSchool,
        agenda: agenda ? [{ title: agenda, tags: tagList }] : [], attendee_ids: present, chair_id: chair,
        chair_reason: candidate ? candidate.reason : "rotation",
      });
      const commitments = [];
      for (const c of commits) commitments.push(await post<any>("/networks/commitments", { ...c, meeting_id: meeting.id, network_id: networkId }));
      setMade({ meeting, commitments });
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  }

  if (made) {
    return (
      <>
        <Back href={`/app/networks/${networkId}`}>{network.name}</Back>
        <Title title="Meeting recorded">Meeting recorded</Title>
        <p role="status" class="ok">
          The meeting of {made.meeting.meeting_date} is recorded: {made.meeting.attendee_ids.length} attending, chaired by {dir.educator(made.meeting.chair_id)} ({made.meeting.chair_reason}).
        </p>
        <h2>Commitments made</h2>
        {made.commitments.length === 0 ? <p>None.</p> : (
          <ul class="commitments">{made.commitments.map((c) => <li key={c.id}>{dir.school(c.school_id)}: {c.description}, due {c.due_on}</li>)}</ul>
        )}
        <p class="actions"><Link href={`/app/networks/${networkId}`}>See the network's collaboration graph</Link> <Link href="/app">Home</Link></p>
      </>
    );
  }
  const setCommit = (i: number, patch: Partial<Commit>) => setCommits(commits.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <>
      <Back href={`/app/networks/${networkId}`}>{network.name}</Back>
      <Title title="Run a meeting">Run a meeting of {network.name}</Title>
      <form onSubmit={record} noValidate>
        <div class="grid">
          <label>Date<input type="date" name="meeting_date" value={date} onInput={(e) => setDate(e.currentTarget.value)} aria-invalid={invalid(failure, "meeting_date")} aria-describedby="date-err" />
            <FieldMessage id="date-err" error={failure} field="meeting_date" /></label>
          <label>Kind<select name="meeting_type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value="learning_session">learning session</option><option value="rounds_visit">rounds visit</option></select></label>
          <label>Host school<select name="host_school_id" value={hostSchool} onChange={(e) => setHost(e.currentTarget.value)} aria-describedby="host-help">
            {network.school_ids.map((s: string) => <option key={s} value={s}>{dir.school(s)}</option>)}</select>
            <small id="host-help">The rotation's next host is chosen: the school that hosted least recently.</small></label>
        </div>
        <div class="grid">
          <label>Agenda<input name="agenda" value={agenda} onInput={(e) => setAgenda(e.currentTarget.value)} aria-invalid={invalid(failure, "agenda")} /></label>
          <label>Agenda tags (comma-separated)<input name="tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} aria-describedby="tags-help" />
            <small id="tags-help">The chair suggestion matches them against members' expertise.</small></label>
        </div>
        <fieldset aria-describedby="att-err">
          <legend>Attendance</legend>
          <div class="checks">
            {members.map((m) => (
              <label key={m.id}>
                <input type="checkbox" name="attendee_ids" value={m.educator_id} checked={present.includes(m.educator_id)}
                  onChange={(e) => setAttending(e.currentTarget.checked ? [...present, m.educator_id] : present.filter((x) => x !== m.educator_id))} />
                {dir.educator(m.educator_id)} <span class="muted">({m.role}, {dir.school(m.school_id)})</span>
              </label>
            ))}
          </div>
          <FieldMessage id="att-err" error={failure} field="attendee_ids" />
        </fieldset>
        <section aria-labelledby="chair-h">
          <h2 id="chair-h">Who chairs, and why</h2>
          <button type="button" class="secondary" onClick={() => void suggest()}>Suggest a chair</button>
          {suggestion && (
            <fieldset aria-describedby="chair-err">
              <legend>The suggestion, by turn and expertise (never position)</legend>
              {suggestion.candidates.length === 0 && <p>Nobody to suggest: choose attendees first.</p>}
              {suggestion.candidates.map((c: any) => (
                <label key={c.educator_id} class="candidate">
                  <input type="radio" name="chair_id" value={c.educator_id} checked={chair === c.educator_id} onChange={() => setChair(c.educator_id)} />
                  <strong>{c.rank}. {dir.educator(c.educator_id)}</strong> ({c.reason}, score {c.score.toFixed(2)}): {c.explanation}
                </label>
              ))}
              <FieldMessage id="chair-err" error={failure} field={["chair_id", "chair_reason"]} />
            </fieldset>
          )}
        </section>
        <section aria-labelledby="commit-h">
          <h2 id="commit-h">Commitments</h2>
          {commits.map((c, i) => (
            <fieldset key={i}>
              <legend>Commitment {i + 1}</legend>
              <div class="grid">
                <label>School<select name={`commit-school-${i}`} value={c.school_id} onChange={(e) => setCommit(i, { school_id: e.currentTarget.value })}>
                  {network.school_ids.map((s: string) => <option key={s} value={s}>{dir.school(s)}</option>)}</select></label>
                <label>What<input name={`commit-description-${i}`} value={c.description} onInput={(e) => setCommit(i, { description: e.currentTarget.value })} /></label>
                <label>Due<input type="date" name={`commit-due-${i}`} value={c.due_on} onInput={(e) => setCommit(i, { due_on: e.currentTarget.value })} /></label>
              </div>
            </fieldset>
          ))}
          <button type="button" class="secondary" onClick={() => setCommits([...commits, { school_id: hostSchool, description: "", due_on: "" }])}>Add a commitment</button>
        </section>
        <ErrorBox error={failure} what="The meeting was not recorded" />
        <button type="submit" disabled={busy || !chair} aria-busy={busy} aria-describedby="record-help">Record the meeting</button>
        {!chair && <small id="record-help">Ask for the chair suggestion (or choose a chair) first.</small>}
      </form>
    </>
  );
}
