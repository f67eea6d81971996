"""Run charts of a school's practice quality and performance: in the terminal (plotext) and as a PNG
(matplotlib, no display needed). The points, medians and signals come from strategy's series: the client
draws, it never recomputes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from improvenet_client import models as m

PNG_SIZE = (1000, 600)  # pixels: 10 x 6 inches at 100 dpi


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
