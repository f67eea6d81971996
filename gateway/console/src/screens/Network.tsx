// A network's page: its collaboration graph (cytoscape), the graph's figures by month and the people who
// connect it, as networks' worker last measured them.
import cytoscape from "cytoscape";
import { useEffect, useRef } from "preact/hooks";
import { get } from "../api";
import { directory, type Directory } from "../directory";
import { Back, ErrorBox, Link, Loading, Title, useAsync } from "../ui";

function Graph({ exported, dir }: { exported: any; dir: Directory }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const degree = new Map<string, number>();
    for (const e of exported.edges) {
      degree.set(e.source, (degree.get(e.source) || 0) + 1);
      degree.set(e.target, (degree.get(e.target) || 0) + 1);
    }
    const cy = cytoscape({
      container: box.current,
      elements: [
        ...exported.nodes.map((n: any) => ({ data: { id: n.id, label: dir.educator(n.id), size: 20 + 6 * (degree.get(n.id) || 0) } })),
        ...exported.edges.map((e: any, i: number) => ({ data: { id: `e${i}`, source: e.source, target: e.target, weight: e.weight } })),
      ],
      style: [
        { selector: "node", style: { label: "data(label)", width: "data(size)", height: "data(size)", "background-color": "#1d4ed8", color: "#111827", "font-size": 12, "text-valign": "bottom", "text-margin-y": 4 } },
        { selector: "edge", style: { width: "mapData(weight, 1, 10, 1, 8)", "line-color": "#6b7280", "target-arrow-color": "#6b7280", "target-arrow-shape": "triangle", "curve-style": "bezier" } },
      ],
      layout: { name: "circle", animate: false },
      userZoomingEnabled: true,
    });
    (window as any).__cy = cy; // for the browser test: the graph really drew
    return () => cy.destroy();
  }, [exported]);
  return <div ref={box} id="graph" class="graph-box" role="img" aria-label={`Collaboration graph: ${exported.nodes.length} people, ${exported.edges.length} ties (the tables below give the figures)`} />;
}

export function NetworkPage({ networkId }: { networkId: string }) {
  const { data, error, reload } = useAsync(async () => {
    const [dir, network, graph, exported] = await Promise.all([
      directory(), get<any>(`/networks/networks/${networkId}`), get<any>(`/networks/networks/${networkId}/graph`),
      get<any>(`/networks/networks/${networkId}/graph/export`),
    ]);
    return { dir, network, graph, exported };
  }, [networkId]);
  if (error) return <><Back href="/app">Home</Back><Title title="Network">A network</Title><ErrorBox error={error} /></>;
  if (!data) return <><Title title="Network">A network</Title><Loading what="the collaboration graph" /></>;
  const { dir, network, graph, exported } = data;
  const m = graph.measures;
  return (
    <>
      <Back href="/app">Home</Back>
      <Title title={network.name}>{network.name}</Title>
      <p>{network.kind} network, {network.school_ids.length} schools. Focus: {network.focus}</p>
      <p class="actions"><Link role="button" href={`/app/networks/${networkId}/meeting`}>Run a meeting</Link></p>
      <section aria-labelledby="graph-h">
        <h2 id="graph-h">Collaboration graph</h2>
        <p id="graph-status" role="status">
          {graph.refresh_pending ? "A recent change is not measured yet: these are the figures of " + (graph.computed_at || "the last run") + ". " : ""}
          {m ? `${graph.period}: ${m.nodes} people, ${m.edges} ties, density ${m.density.toFixed(2)}, reciprocity ${m.reciprocity.toFixed(2)}, centralization ${m.centralization.toFixed(2)}.`
            : "No interaction recorded yet: meetings, joint rounds and mentoring make the ties."}
          {graph.refresh_pending && <button type="button" class="secondary outline" onClick={reload}>Refresh</button>}
        </p>
        {exported.nodes.length > 0 ? <Graph exported={exported} dir={dir} /> : <p>Nobody in the graph yet.</p>}
      </section>
      {graph.people.length > 0 && (
        <section aria-labelledby="people-h">
          <h2 id="people-h">The people who connect the network</h2>
          <table>
            <caption class="visually-hidden">People by betweenness</caption>
            <thead><tr><th scope="col">Person</th><th scope="col">Degree</th><th scope="col">Betweenness</th><th scope="col">Percentile</th><th scope="col">Effective size</th></tr></thead>
            <tbody>{graph.people.map((p: any) => (
              <tr key={p.educator_id}><th scope="row">{dir.educator(p.educator_id)}</th><td>{p.degree}</td><td>{p.betweenness.toFixed(3)}</td><td>{p.betweenness_percentile.toFixed(2)}</td><td>{p.effective_size.toFixed(2)}</td></tr>
            ))}</tbody>
          </table>
        </section>
      )}
      {graph.history.length > 0 && (
        <section aria-labelledby="hist-h">
          <h2 id="hist-h">By month</h2>
          <table>
            <caption class="visually-hidden">The graph's figures by month, cumulative</caption>
            <thead><tr><th scope="col">Month</th><th scope="col">People</th><th scope="col">Ties</th><th scope="col">Density</th><th scope="col">Reciprocity</th><th scope="col">Centralization</th></tr></thead>
            <tbody>{graph.history.map((h: any) => (
              <tr key={h.period}><th scope="row">{h.period}</th><td>{h.measures.nodes}</td><td>{h.measures.edges}</td><td>{h.measures.density.toFixed(2)}</td><td>{h.measures.reciprocity.toFixed(2)}</td><td>{h.measures.centralization.toFixed(2)}</td></tr>
            ))}</tbody>
          </table>
        </section>
      )}
    </>
  );
}
