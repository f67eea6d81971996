import { all, get } from "../api";
import type { Me } from "../auth";
import { directory } from "../directory";
import { ErrorBox, Link, Loading, Title, today, useAsync } from "../ui";

const OPEN = new Set(["planned", "in_progress", "observed"]);

export function Home({ me }: { me: Me }) {
  const { data, error } = useAsync(async () => {
    const [dir, networks, meetings, commitments, visits] = await Promise.all([
      directory(),
      all<any>("/networks/networks").catch(() => []),
      all<any>("/networks/meetings").catch(() => []),
      all<any>("/networks/commitments", { status: "open" }).catch(() => []),
      get<any>("/observations/visits", { page_size: 100 }).then((p) => p.items as any[]),
    ]);
    return { dir, networks, meetings, commitments, visits };
  }, []);
  return (
    <>
      <Title title="Home">Hello, {me.display_name}</Title>
      <p>
        Plan a round, take notes in classrooms (they are kept on this tablet when the connection drops), debrief, and run your
        networks' meetings. <Link href="/app/rounds/new" role="button">Plan a round</Link>
      </p>
      <ErrorBox error={error} what="The home page could not load" />
      {!data && !error && <Loading what="your networks and rounds" />}
      {data && (
        <div class="grid-2">
          <section aria-labelledby="rounds-h">
            <h2 id="rounds-h">Rounds in progress</h2>
            {data.visits.filter((v) => OPEN.has(v.status)).length === 0 ? (
              <p>No round is planned or under way. <Link href="/app/rounds/new">Plan one</Link>.</p>
            ) : (
              <ul class="cards">
                {data.visits.filter((v) => OPEN.has(v.status)).sort((a, b) => a.visit_date.localeCompare(b.visit_date)).map((v) => (
                  <li key={v.id}>
                    <Link href={`/app/rounds/${v.id}`}>{data.dir.school(v.school_id)}, {v.visit_date}</Link>{" "}
                    <span class="badge">{v.status.replace("_", " ")}</span>
                    <br />
                    <small>{v.problem_of_practice}</small>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="networks-h">
            <h2 id="networks-h">My networks</h2>
            {data.networks.length === 0 ? (
              <p>You are in no network yet: a coordinator forms networks through the API.</p>
            ) : (
              <ul class="cards">
                {data.networks.map((n) => (
                  <li key={n.id}>
                    <Link href={`/app/networks/${n.id}`}>{n.name}</Link> <small>({n.kind}, {n.school_ids.length} schools)</small>
                    <br />
                    <Link href={`/app/networks/${n.id}/meeting`}>Run a meeting</Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="meetings-h">
            <h2 id="meetings-h">Next meetings</h2>
            {(() => {
              const next = data.meetings.filter((m) => m.meeting_date >= today()).sort((a, b) => a.meeting_date.localeCompare(b.meeting_date));
              const name = (id: string) => data.networks.find((n) => n.id === id)?.name || "a network";
              return next.length === 0 ? (
                <p>No meeting from today on. Record one from a network: “Run a meeting”.</p>
              ) : (
                <ul>
                  {next.slice(0, 8).map((m) => (
                    <li key={m.id}>{m.meeting_date}: {name(m.network_id)}{m.host_school_id ? `, at ${data.dir.school(m.host_school_id)}` : ""}</li>
                  ))}
                </ul>
              );
            })()}
          </section>
          <section aria-labelledby="commitments-h">
            <h2 id="commitments-h">Commitments due</h2>
            {data.commitments.length === 0 ? (
              <p>No open commitment. Meetings and debriefs make them.</p>
            ) : (
              <table>
                <caption class="visually-hidden">Open commitments, soonest due first</caption>
                <thead>
                  <tr><th scope="col">Due</th><th scope="col">School</th><th scope="col">What</th></tr>
                </thead>
                <tbody>
                  {[...data.commitments].sort((a, b) => a.due_on.localeCompare(b.due_on)).slice(0, 10).map((c) => (
                    <tr key={c.id}>
                      <td>{c.due_on}{c.overdue && <strong class="overdue"> overdue</strong>}</td>
                      <td>{data.dir.school(c.school_id)}</td>
                      <td>{c.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="schools-h">
            <h2 id="schools-h">Schools</h2>
            {data.dir.schools.length === 0 ? <p>No school is visible to you.</p> : (
              <ul>
                {data.dir.schools.slice(0, 30).map((s) => (
                  <li key={s.id}><Link href={`/app/schools/${s.id}`}>{s.name}</Link>: run charts</li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </>
  );
}
