"""Run charts of a school's practice quality and performance: in the terminal (plotext) and as a PNG
(matplotlib, no display needed). The points, medians and signals come from strategy's series: the client
draws, it never recomputes. And a network's collaboration graph as a PNG, from networks' export: a few
lines of layout here rather than networkx, which the thin client does not depend on."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from improvenet_client import models as m

PNG_SIZE = (1000, 600)  # pixels: 10 x 6 inches at 100 dpi
GRAPH_PNG_SIZE = (800, 800)  # a graph on a circle wants a square


def _signalled(series: m.Series) -> set[int]:
    return {i for s in series.get("signals", []) for i in s.get("points", [])}


def terminal(charts: list[tuple[str, m.Series]], width: int = 100, height: int = 30, color: bool = True) -> str:
    """Both run charts, one above the other, as text (plotext 6's figure API)."""
    import plotext as plt

    fig = plt.figure
    fig.clear()
    plt.terminal.limit(False, False)  # the size asked for, not the terminal's (output may be a pipe)
    fig.plot_size(width, height)
    fig.subplots(len(charts), 1)
    for n, (title, series) in enumerate(charts, start=1):
        panel = fig.subplot(n, 1)
        points = series.get("points", [])
        panel.title(title if points else f"{title}: no data yet")
        if not points:
            continue
        xs = list(range(1, len(points) + 1))
        panel.draw(panel.signal(xs, [p["value"] for p in points], marker="dot").lines().label("value"))
        medians = [(x, p["median"]) for x, p in zip(xs, points, strict=True) if p["median"] is not None]
        if medians:
            panel.draw(panel.signal([x for x, _ in medians], [v for _, v in medians], marker="-").lines()
                       .label("median"))
        flagged = sorted(_signalled(series))
        if flagged:
            panel.draw(panel.signal([xs[i] for i in flagged], [points[i]["value"] for i in flagged], marker="x")
                       .label("signal"))
        step = max(1, len(points) // 8)
        panel.ruler("x").ticks(xs[::step], [p["period"] for p in points][::step])
    text: str = fig.build().string(colorless=not color)
    fig.clear()
    return text


def png(charts: list[tuple[str, m.Series]], path: Path, title: str) -> Path:
    """The same charts as a PNG of PNG_SIZE pixels."""
    import matplotlib

    matplotlib.use("Agg")  # no display: a server, a CI runner, a terminal over SSH
    import matplotlib.pyplot as plt

    dpi = 100
    fig, axes = plt.subplots(len(charts), 1, figsize=(PNG_SIZE[0] / dpi, PNG_SIZE[1] / dpi), dpi=dpi, squeeze=False)
    fig.suptitle(title)
    for ax, (name, series) in zip(axes[:, 0], charts, strict=True):
        _draw(ax, name, series)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi, format="png")
    plt.close(fig)
    return path


def _draw(ax: Any, name: str, series: m.Series) -> None:
    points = series.get("points", [])
    ax.set_title(name if points else f"{name}: no data yet", fontsize=10)
    if not points:
        return
    xs = list(range(len(points)))
    ax.plot(xs, [p["value"] for p in points], marker="o", label="value")
    ax.plot(xs, [p["median"] if p["median"] is not None else float("nan") for p in points], linestyle="--",
            label="median")
    flagged = sorted(_signalled(series))
    if flagged:
        ax.scatter([xs[i] for i in flagged], [points[i]["value"] for i in flagged], color="red", zorder=3,
                   label="signal")
    step = max(1, len(points) // 10)
    ax.set_xticks(xs[::step], [p["period"] for p in points][::step], fontsize=8)
    ax.legend(fontsize=8, loc="best")


# --- the collaboration graph ----------------------------------------------------------------------------
def circular_layout(node_ids: Iterable[str]) -> dict[str, tuple[float, float]]:
    """Each node on the unit circle in sorted order, the first at the top, clockwise: the same graph is
    drawn the same way on every machine (no random seed to pin, no force simulation to converge)."""
    ordered = sorted(set(node_ids))
    if len(ordered) == 1:
        return {ordered[0]: (0.0, 0.0)}
    step = 2 * math.pi / max(1, len(ordered))
    return {node: (math.sin(i * step), math.cos(i * step)) for i, node in enumerate(ordered)}


def neighbour_counts(export: m.GraphExport) -> dict[str, int]:
    """Each node's degree as networks measures it: distinct people it has a tie with, either way."""
    neighbours: dict[str, set[str]] = {n["id"]: set() for n in export["nodes"]}
    for e in export["edges"]:
        if e["source"] != e["target"]:
            neighbours.setdefault(e["source"], set()).add(e["target"])
            neighbours.setdefault(e["target"], set()).add(e["source"])
    return {n: len(s) for n, s in neighbours.items()}


def scaled(values: Mapping[str, float], smallest: float, largest: float) -> dict[str, float]:
    """Values mapped linearly onto [smallest, largest] by their share of the largest (0 -> smallest)."""
    top = max(values.values(), default=0.0)
    if top <= 0:
        return dict.fromkeys(values, smallest)
    return {k: smallest + (largest - smallest) * v / top for k, v in values.items()}


def graph_png(export: m.GraphExport, path: Path, title: str, degrees: Mapping[str, int] | None = None) -> Path:
    """The graph as a PNG of GRAPH_PNG_SIZE: nodes on a circle sized by degree (`degrees`, else counted from
    the export), directed edges as arrows as wide as their weight (a tie both ways: two curved arrows)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: a server, a CI runner, a terminal over SSH
    import matplotlib.pyplot as plt

    dpi = 100
    fig, ax = plt.subplots(figsize=(GRAPH_PNG_SIZE[0] / dpi, GRAPH_PNG_SIZE[1] / dpi), dpi=dpi)
    ax.set_title(title)
    ax.set_axis_off()
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    at = circular_layout(n["id"] for n in export["nodes"])
    counted = neighbour_counts(export)
    sizes = scaled({n: float((degrees or {}).get(n, counted.get(n, 0))) for n in at}, 80.0, 900.0)
    widths = scaled({str(i): e["weight"] for i, e in enumerate(export["edges"])}, 0.5, 6.0)
    for i, e in enumerate(export["edges"]):
        if e["source"] in at and e["target"] in at and e["source"] != e["target"]:
            ax.annotate("", xy=at[e["target"]], xytext=at[e["source"]], zorder=1,
                        arrowprops={"arrowstyle": "-|>", "lw": widths[str(i)], "color": "#4a6fa5", "alpha": 0.7,
                                    "connectionstyle": "arc3,rad=0.12", "shrinkA": 10, "shrinkB": 10})
    if at:
        ax.scatter([x for x, _ in at.values()], [y for _, y in at.values()], s=list(sizes.values()),
                   color="#f2a541", edgecolors="#333333", zorder=2)
    for node, (x, y) in at.items():
        ax.annotate(node[:8], (x * 1.13, y * 1.13), ha="center", va="center", fontsize=8, zorder=3)
    if not at:
        ax.text(0, 0, "no ties recorded yet", ha="center", va="center")
    fig.savefig(path, dpi=dpi, format="png")
    plt.close(fig)
    return path
