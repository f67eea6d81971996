// A school's page: the practice-quality index, and run charts of practice quality and of a performance
// measure with their medians, limits, phases and signals, as strategy computes them.
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, get } from "../api";
import { directory } from "../directory";
import { Back, ErrorBox, Loading, navigate, Title, useAsync } from "../ui";

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

const QUALITY = "practice-quality";

function RunChart({ series, label, id }: { series: any; label: string; id: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current || !series.points.length) return;
    const flagged = new Set<number>(series.signals.flatMap((s: any) => s.points));
    const pts = series.points;
    const chart = new Chart(canvas.current, {
      type: "line",
      data: {
        labels: pts.map((p: any) => p.period),
        datasets: [
          {
            label, data: pts.map((p: any) => p.value), borderColor: "#1d4ed8", backgroundColor: "#1d4ed8",
            pointBackgroundColor: pts.map((_: any, i: number) => (flagged.has(i) ? "#b91c1c" : "#1d4ed8")),
            pointRadius: pts.map((_: any, i: number) => (flagged.has(i) ? 6 : 3)), tension: 0,
          },
          { label: "median / centre", data: pts.map((p: any) => p.centre ?? p.median), borderColor: "#15803d", borderWidth: 2, pointRadius: 0, stepped: true },
          { label: "lower limit", data: pts.map((p: any) => p.lower), borderColor: "#6b7280", borderDash: [6, 4], pointRadius: 0 },
          { label: "upper limit", data: pts.map((p: any) => p.upper), borderColor: "#6b7280", borderDash: [6, 4], pointRadius: 0 },
        ],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } },
    });
    return () => chart.destroy();
  }, [series]);
  if (!series.points.length) return <p>No data for {label} yet. District IT loads performance; practice quality arrives from debriefed rounds.</p>;
  return (
    <figure>
      <div class="chart-box">
        <canvas id={id} ref={canvas} role="img" aria-label={`Run chart of ${label}: ${series.points.length} points, ${series.signals.length} signals (the table below lists them)`} />
      </div>
      <figcaption>
        {label}: {series.points.length} points from {series.points[0].period} to {series.points[series.points.length - 1].period}
        {series.phases.length > 1 ? `, ${series.phases.length} phases` : ""}. Red points fire a signal.
      </figcaption>
    </figure>
  );
}

function Signals({ series, label }: { series: any; label: string }) {
  if (!series.signals.length) return <p>No signal in {label}: the variation is what chance gives.</p>;
  return (
    <table>
      <caption>Signals in {label}</caption>
      <thead><tr><th scope="col">Rule</th><th scope="col">Direction</th><th scope="col">Periods</th><th scope="col">Observed</th><th scope="col">Threshold</th></tr></thead>
      <tbody>
        {series.signals.map((s: any, i: number) => (
          <tr key={i}><td>{s.rule}</td><td>{s.direction}</td><td>{s.periods.join(", ")}</td><td>{s.observed ?? "—"}</td><td>{s.threshold ?? "—"}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

async function series(schoolId: string, measure: string): Promise<any> {
  try {
    return await get<any>(`/strategy/schools/${schoolId}/series/${encodeURIComponent(measure)}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { points: [], phases: [], signals: [], marks: [] };
    throw error;
  }
}

export function SchoolPage({ schoolId, measure }: { schoolId: string; measure: string }) {
  const { data, error } = useAsync(async () => {
    const [dir, quality, qualitySeries, performance] = await Promise.all([
      directory(), get<any>(`/observations/schools/${schoolId}/quality`).catch(() => null), series(schoolId, QUALITY), series(schoolId, measure),
    ]);
    return { dir, quality, qualitySeries, performance };
  }, [schoolId, measure]);
  const [m, setM] = useState(measure);
  if (error) return <><Back href="/app">Home</Back><Title title="School">A school</Title><ErrorBox error={error} /></>;
  if (!data) return <><Title title="School">A school</Title><Loading what="the run charts" /></>;
  const { dir, quality } = data;
  return (
    <>
      <Back href="/app">Home</Back>
      <Title title={dir.school(schoolId)}>{dir.school(schoolId)}</Title>
      <section aria-labelledby="q-h">
        <h2 id="q-h">Practice-quality index</h2>
        {!quality ? <p>Not available to you.</p> : quality.published ? (
          <p>Term {quality.period}: overall <strong>{quality.overall}</strong> ({Object.entries(quality.shares).map(([k, v]) => `${k} ${v}`).join(", ")}).</p>
        ) : (
          <p>Term {quality.period}: not shown yet, {quality.observed_classrooms} of {quality.minimum_classrooms} classrooms observed. It describes the school's practice, never a teacher's.</p>
        )}
      </section>
      <section aria-labelledby="quality-h">
        <h2 id="quality-h">Practice quality</h2>
        <RunChart series={data.qualitySeries} label="practice quality" id="chart-quality" />
        <Signals series={data.qualitySeries} label="practice quality" />
      </section>
      <section aria-labelledby="perf-h">
        <h2 id="perf-h">Performance: {measure}</h2>
        <form class="inline-form" onSubmit={(e) => { e.preventDefault(); navigate(`/app/schools/${schoolId}?measure=${encodeURIComponent(m)}`); }}>
          <label>Performance measure<input name="measure" value={m} onInput={(e) => setM(e.currentTarget.value)} /></label>
          <button type="submit" class="secondary">Show</button>
        </form>
        <RunChart series={data.performance} label={`performance (${measure})`} id="chart-performance" />
        <Signals series={data.performance} label={`performance (${measure})`} />
      </section>
    </>
  );
}
