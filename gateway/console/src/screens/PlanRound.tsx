import { useState } from "preact/hooks";
import { all, get, post } from "../api";
import type { Me } from "../auth";
import { directory } from "../directory";
import { Back, ErrorBox, FieldMessage, invalid, Loading, navigate, Title, today, useAsync } from "../ui";

interface Room {
  grade: string;
  subject: string;
  room: string;
}

export function PlanRound({ me }: { me: Me }) {
  const { data, error } = useAsync(async () => {
    const [dir, protocols, networks] = await Promise.all([
      directory(),
      get<any[]>("/observations/protocols"),
      all<any>("/networks/networks").catch(() => []),
    ]);
    return { dir, protocols, networks };
  }, []);
  const [school, setSchool] = useState("");
  const [version, setVersion] = useState("");
  const [network, setNetwork] = useState("");
  const [problem, setProblem] = useState("");
  const [date, setDate] = useState(today());
  const [observers, setObservers] = useState<string[]>(me.educator_id ? [me.educator_id] : []);
  const [rooms, setRooms] = useState<Room[]>([{ grade: "", subject: "", room: "" }]);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const problems = useAsync(async () => (school ? all<any>("/networks/problems-of-practice", { school_id: school }).catch(() => []) : []), [school]);
  const [problemId, setProblemId] = useState("");

  if (error) return <><Back href="/app">Home</Back><Title title="Plan a round">Plan a round</Title><ErrorBox error={error} /></>;
  if (!data) return <><Title title="Plan a round">Plan a round</Title><Loading what="schools, protocols and educators" /></>;

  const versions = data.protocols.flatMap((p) => p.versions.map((v: any) => ({ id: v.id, label: `${p.name}, version ${v.number}`, latest: v.number === Math.max(...p.versions.map((x: any) => x.number)) })));
  const chosenVersion = version || versions.find((v) => v.latest)?.id || "";
  const chosenSchool = school || data.dir.schools[0]?.id || "";

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const pop = problemId ? problems.data?.find((p: any) => p.id === problemId) : null;
      const body: Record<string, unknown> = {
        school_id: chosenSchool, visit_date: date, protocol_version_id: chosenVersion,
        problem_of_practice: problem || pop?.statement || "", observer_ids: observers,
        classrooms: rooms.filter((r) => r.grade || r.subject || r.room),
      };
      if (network) body.network_id = network;
      if (problemId) body.problem_of_practice_id = problemId;
      const visit = await post<any>("/observations/visits", body);
      navigate(`/app/rounds/${visit.id}?planned=1`);
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  }

  const setRoom = (i: number, key: keyof Room, value: string) => setRooms(rooms.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  return (
    <>
      <Back href="/app">Home</Back>
      <Title title="Plan a round">Plan a round</Title>
      <p>A round visits classrooms of a host school around its problem of practice. Choose who observes and which rooms; the round starts with its first note.</p>
      <form onSubmit={submit} noValidate>
        <div class="grid">
          <label>
            Host school
            <select name="school_id" value={chosenSchool} onChange={(e) => setSchool(e.currentTarget.value)} aria-invalid={invalid(failure, "school_id")} aria-describedby="school-err">
              {data.dir.schools.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
            <FieldMessage id="school-err" error={failure} field="school_id" />
          </label>
          <label>
            Date
            <input type="date" name="visit_date" value={date} onInput={(e) => setDate(e.currentTarget.value)} aria-invalid={invalid(failure, "visit_date")} aria-describedby="date-err" />
            <FieldMessage id="date-err" error={failure} field="visit_date" />
          </label>
        </div>
        <div class="grid">
          <label>
            Protocol
            <select name="protocol_version_id" value={chosenVersion} onChange={(e) => setVersion(e.currentTarget.value)} aria-invalid={invalid(failure, "protocol_version_id")} aria-describedby="protocol-err">
              {versions.length === 0 && <option value="">No protocol yet: publish one through the API</option>}
              {versions.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
            </select>
            <FieldMessage id="protocol-err" error={failure} field="protocol_version_id" />
          </label>
          <label>
            Network (optional)
            <select name="network_id" value={network} onChange={(e) => setNetwork(e.currentTarget.value)}>
              <option value="">None</option>
              {data.networks.map((n) => <option key={n.id} value={n.id}>{n.name}</option>)}
            </select>
          </label>
        </div>
        {problems.data && problems.data.length > 0 && (
          <label>
            The school's problem of practice (from its network)
            <select name="problem_of_practice_id" value={problemId} onChange={(e) => setProblemId(e.currentTarget.value)} aria-describedby="popid-err">
              <option value="">None: write it below</option>
              {problems.data.map((p: any) => <option key={p.id} value={p.id}>{p.statement} ({p.status})</option>)}
            </select>
            <FieldMessage id="popid-err" error={failure} field="problem_of_practice_id" />
          </label>
        )}
        <label>
          Problem of practice, in words
          <textarea name="problem_of_practice" rows={2} value={problem} onInput={(e) => setProblem(e.currentTarget.value)} aria-invalid={invalid(failure, "problem_of_practice")} aria-describedby="pop-help pop-err" />
          <small id="pop-help">What the host school wants to see: focused on the instructional core and observable.</small>
          <FieldMessage id="pop-err" error={failure} field="problem_of_practice" />
        </label>
        <fieldset aria-describedby="observers-err">
          <legend>Observers</legend>
          <div class="checks">
            {data.dir.educators.map((ed) => (
              <label key={ed.id}>
                <input type="checkbox" name="observer_ids" value={ed.id} checked={observers.includes(ed.id)} onChange={(e) => setObservers(e.currentTarget.checked ? [...observers, ed.id] : observers.filter((x) => x !== ed.id))} />
                {data.dir.educator(ed.id)} <span class="muted">({data.dir.school(ed.school_id)})</span>
              </label>
            ))}
          </div>
          <FieldMessage id="observers-err" error={failure} field="observer_ids" />
        </fieldset>
        <fieldset>
          <legend>Classrooms</legend>
          {rooms.map((r, i) => (
            <div class="grid room-row" key={i} role="group" aria-label={`Classroom ${i + 1}`}>
              <label>Grade<input name={`grade-${i}`} value={r.grade} onInput={(e) => setRoom(i, "grade", e.currentTarget.value)} aria-invalid={invalid(failure, `classrooms[${i}]`)} /></label>
              <label>Subject<input name={`subject-${i}`} value={r.subject} onInput={(e) => setRoom(i, "subject", e.currentTarget.value)} /></label>
              <label>Room<input name={`room-${i}`} value={r.room} onInput={(e) => setRoom(i, "room", e.currentTarget.value)} /></label>
            </div>
          ))}
          <FieldMessage id="rooms-err" error={failure} field="classrooms" />
          <button type="button" class="secondary" onClick={() => setRooms([...rooms, { grade: "", subject: "", room: "" }])}>Add a classroom</button>
        </fieldset>
        <ErrorBox error={failure} what="The round was not planned" />
        <button type="submit" aria-busy={busy} disabled={busy}>Plan the round</button>
      </form>
    </>
  );
}
