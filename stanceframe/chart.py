"""The per-source chart (``predict.py sources --chart``): stance shares and lean per group, and a
group x frame heatmap, from `summary.Summaries`."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import numpy as np

from .errors import BadInput
from .labels import FRAMES, STANCES
from .output import direct_target, rename_target, signed
from .render import STANCE_NAMES, frame_name
from .summary import Summaries

_STANCE_STYLE = {
    "pro_ukraine": ("#1b3a6b", "", "white"),
    "russia_accommodating": ("#d0605a", "///", "black"),
    "balancing": ("#f0c75e", "...", "black"),
    "none": ("#f2f2f2", "", "black"),
}  # stance -> (fill, hatch, label colour)
_CHART_SUFFIXES = {".png": "png", ".svg": "svg"}


def _target(path) -> tuple[Path, str]:
    """The chart's path and format (by its suffix), or a one-line error before anything is drawn."""
    path = Path(path)
    fmt = _CHART_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise BadInput(f"chart file must end in {' or '.join(_CHART_SUFFIXES)}; got '{path.suffix or 'no suffix'}'",
                       where=str(path))
    if not path.parent.is_dir():
        raise BadInput("folder does not exist", where=str(path.parent))
    return path, fmt


def write_chart(summaries: Summaries, path: str | os.PathLike, what: str = "") -> Path:
    """Write a two-panel figure: (a) stance shares and lean per group, (b) group x frame heatmap.

    `what` says in the title what the shares come from (gold labels, or which model's predictions)."""
    path, fmt = _target(path)

    # Imported here: matplotlib adds half a second to start-up and only this function needs it.
    # The Agg canvas is attached to the figure directly instead of matplotlib.use("Agg"), so no
    # GUI backend is ever loaded and the caller's global matplotlib state is left alone.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    sources = summaries.sources
    n = len(sources)
    labels = [f"{s.source}  (n={s.n_sentences})" for s in sources]
    present = [f for f in FRAMES if any(s.frame_shares.get(f, 0) > 0 for s in sources)]
    present.sort(key=lambda f: -sum(s.frame_shares.get(f, 0) for s in sources))

    fig = Figure(figsize=(max(10.0, 0.75 * len(present) + 4), 3.6 + 0.9 * n), layout="constrained")
    FigureCanvasAgg(fig)
    fig.suptitle(f"Stance and framing by {summaries.by}" + (f": {what}" if what else ""), fontsize=14,
                 fontweight="bold")
    # Subfigures, because constrained layout stacks a figure-wide title and a figure-wide legend
    # on top of each other; the stance legend belongs to the top one.
    top, bottom = fig.subfigures(2, 1, height_ratios=(n + 2.2, n + 1.6))
    ax_bar, ax_lean = top.subplots(1, 2, sharey=True, width_ratios=(3, 1.3))
    ax_heat = bottom.subplots()

    # (a) stacked shares; row 0 (most pro-Ukraine) on top
    y = np.arange(n)
    left = np.zeros(n)
    for stance in STANCES:
        colour, hatch, text_colour = _STANCE_STYLE[stance]
        width = np.array([s.stance_shares[stance]["share"] for s in sources])
        ax_bar.barh(y, width, left=left, height=0.7, color=colour, hatch=hatch,
                    edgecolor="#333333", linewidth=0.6, label=STANCE_NAMES[stance])
        for yi, (x0, w) in enumerate(zip(left, width)):
            if w >= 0.07:  # narrower segments have no room for a label
                # on hatched segments the label gets a plain patch, or the hatch lines cross it
                box = dict(boxstyle="round,pad=0.15", fc=colour, ec="none") if hatch else None
                ax_bar.text(x0 + w / 2, yi, f"{w:.0%}", ha="center", va="center", fontsize=9,
                            color=text_colour, fontweight="bold", bbox=box)
        left += width
    ax_bar.set_yticks(y, labels)
    ax_bar.invert_yaxis()
    ax_bar.set_xlim(0, 1)
    ax_bar.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax_bar.set_xlabel("share of sentences")
    ax_bar.set_title(f"(a) Stance shares per {summaries.by}, most pro-Ukraine on top", loc="left")

    value = np.array([s.lean["value"] for s in sources])
    err = np.array([[s.lean["value"] - s.lean["lo"], s.lean["hi"] - s.lean["value"]]
                    for s in sources]).T
    ax_lean.axvline(0, color="grey", linestyle="--", linewidth=0.8)
    ax_lean.errorbar(value, y, xerr=err, fmt="o", color="black", capsize=4, markersize=6)
    for yi, lean in enumerate(s.lean for s in sources):
        # right of the interval unless it runs up against the axis end; never over the error bar
        right = lean["hi"] < 0.6
        x = lean["hi"] if right else lean["lo"]
        ax_lean.annotate(signed(lean["value"]), (x, yi), xytext=(5 if right else -5, 0),
                         textcoords="offset points", ha="left" if right else "right", va="center",
                         fontsize=9)
    ax_lean.set_xlim(-1.1, 1.1)  # past the ends, so a lean of exactly ±1 is not cut in half
    ax_lean.set_xticks([-1, -0.5, 0, 0.5, 1])
    ax_lean.tick_params(axis="y", labelleft=False)
    ax_lean.set_xlabel("lean index\n(pro-Ukraine − Russia-acc.)")
    ax_lean.set_title("Lean, 95% CI", loc="left")
    top.legend(*ax_bar.get_legend_handles_labels(), loc="outside upper center", ncol=len(STANCES),
               frameon=False, handlelength=2.2, handleheight=1.2)

    # (b) frame heatmap
    M = np.array([[s.frame_shares.get(f, 0.0) for f in present] for s in sources])
    image = ax_heat.imshow(M, cmap="Greys", vmin=0, vmax=max(float(M.max()), 0.01), aspect="auto")
    for (i, j), v in np.ndenumerate(M):
        dark = v > 0.55 * image.norm.vmax
        ax_heat.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=9,
                     color="white" if dark else "black")
    ax_heat.set_xticks(range(len(present)), [frame_name(f) for f in present],
                       rotation=30, ha="right")
    ax_heat.set_yticks(y, labels)
    ax_heat.set_xlabel("frame")
    ax_heat.set_title(f"(b) Frame shares per {summaries.by} (frames that occur)", loc="left")
    bottom.colorbar(image, ax=ax_heat, format=lambda v, _: f"{v:.0%}", label="share of sentences",
                    shrink=0.9)
    return _save(fig, path, fmt)


def _save(fig, path: Path, fmt: str) -> Path:
    """Saved beside the target and renamed, so a reader never sees a half-written chart. Not
    tempfile.mkstemp: its files are private (0600) and the chart would stay that way."""
    from matplotlib import rc_context

    # "none" keeps SVG text as text (searchable, editable) instead of glyph outlines
    if direct_target(path):  # a device or FIFO: written in place, never renamed over
        with open(path, "wb") as fh, rc_context({"svg.fonttype": "none"}):
            fig.savefig(fh, format=fmt, dpi=150)
        return path
    path = rename_target(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh, rc_context({"svg.fonttype": "none"}):
            fig.savefig(fh, format=fmt, dpi=150)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_time_chart(summaries: Summaries, path: str | os.PathLike, what: str = "") -> Path:
    """One line per group: its lean per period with the 95% interval as a band (`summary.over_time`)."""
    path, fmt = _target(path)
    import pandas as pd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    groups: dict[str, list] = {}
    for s in summaries.sources:
        groups.setdefault(s.group, []).append(s)
    fig = Figure(figsize=(10, 5.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for name, rows in groups.items():
        x = [pd.Period(s.period).start_time for s in rows]
        y = [s.lean["value"] for s in rows]
        n = sum(s.n_articles for s in rows)
        line, = ax.plot(x, y, marker="o", label=f"{name} ({n} article{'' if n == 1 else 's'})")
        ax.fill_between(x, [s.lean["lo"] for s in rows], [s.lean["hi"] for s in rows], color=line.get_color(),
                        alpha=0.15, linewidth=0)
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.axhline(0, color="#777777", linewidth=0.8, linestyle="--")
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("lean (pro-Ukraine − Russia-accommodating)")
    ax.set_title(f"Lean by {summaries.by}, 95% intervals" + (f": {what}" if what else ""), fontweight="bold")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    return _save(fig, path, fmt)
