import { useState } from "preact/hooks";
import { call, get, Unreachable } from "../api";
import type { Me } from "../auth";
import { directory } from "../directory";
import { cachedVisit, rememberVisit } from "../offline";
import { Back, ErrorBox, Link, Loading, Title, useAsync } from "../ui";

export interface LookFor {
  code: string;
  description: string;
  domain: string;
}

/** The visit and its protocol's look-fors: from the API, kept on the device; from the device when offline. */
export async function loadVisit(visitId: string): Promise<{ visit: any; lookFors: LookFor[]; offline: boolean }> {
  try {
    const visit = await get<any>(`/observations/visits/${visitId}`);
    const protocols = await get<any[]>("/observations/protocols");
    const version = protocols.flatMap((p) => p.versions).find((v: any) => v.id === visit.protocol_version_id);
    const lookFors: LookFor[] = version?.look_fors || [];
    await rememberVisit(visit, lookFors);
    return { visit, lookFors, offline: false };
  } catch (error) {
    const kept = await cachedVisit(visitId);
    if (error instanceof Unreachable && kept) return { ...kept, offline: true };
    throw error;
  }
}

export function statusLabel(s: string): string {
  return s.replace(/_/g, " ");
}

export function Round({ me, visitId }: { me: Me; visitId: string }) {
  const { data, error, reload } = useAsync(async () => ({ ...(await loadVisit(visitId)), dir: await directory() }), [visitId]);
  const [failure, setFailure] = useState<unknown>(null);
  const justPlanned = location.search.includes("planned=1");
  if (error) return <><Back href="/app">Home</Back><Title title="Round">A round</Title><ErrorBox error={error} /></>;
  if (!data) return <><Title title="Round">A round</Title><Loading what="the round" /></>;
  const { visit, lookFors, dir } = data;
  async function start() {
    setFailure(null);
    try {
      await call("POST", `/observations/visits/${visitId}/transitions`, { body: { to: "in_progress" }, ifMatch: visit.version });
      reload();
    } catch (err) {
      setFailure(err);
    }
  }
  const mine = me.educator_id && visit.observer_ids.includes(me.educator_id);
  return (
    <>
      <Back href="/app">Home</Back>
      <Title title={`Round at ${dir.school(visit.school_id)}`}>Round at {dir.school(visit.school_id)}, {visit.visit_date}</Title>
      {justPlanned && <p role="status" class="ok">The round is planned. Open a classroom to take notes; the first note starts the round.</p>}
      {data.offline && <p role="status" class="warn">Offline: this is the round as this device last saw it. Notes you take are kept here and sent later.</p>}
      <p>
        <span class="badge">{statusLabel(visit.status)}</span> Problem of practice: <em>{visit.problem_of_practice}</em>
      </p>
      {!mine && <p class="warn">You are not on this round's observer team{me.educator_id ? "" : " (your account is not linked to an educator)"}: choose whom you record for on the note screen.</p>}
      <section aria-labelledby="rooms-h">
        <h2 id="rooms-h">Classrooms</h2>
        <ul class="cards">
          {visit.classrooms.map((c: any) => (
            <li key={c.id}>
              <Link href={`/app/rounds/${visit.id}/rooms/${c.id}`}>Room {c.room}: grade {c.grade} {c.subject}</Link>
              <small> take notes</small>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="lf-h">
        <h2 id="lf-h">Look-fors of the protocol</h2>
        <ul>
          {lookFors.map((l) => <li key={l.code}><strong>{l.code}</strong> ({l.domain}): {l.description}</li>)}
        </ul>
      </section>
      <section aria-labelledby="team-h">
        <h2 id="team-h">Observers</h2>
        <p>{visit.observer_ids.map((id: string) => dir.educator(id)).join(", ")}</p>
      </section>
      <ErrorBox error={failure} what="The round did not start" />
      <p class="actions">
        {visit.status === "planned" && <button type="button" class="secondary" onClick={start}>Start the round now</button>}
        {["in_progress", "observed", "planned"].includes(visit.status) && <Link role="button" href={`/app/rounds/${visit.id}/debrief`}>Go to the debrief</Link>}
        {visit.status === "debriefed" && <Link role="button" href={`/app/rounds/${visit.id}/debrief`}>See the debrief</Link>}
      </p>
    </>
  );
}
