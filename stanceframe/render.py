"""Terminal rendering of the commands' results: score, segment, explain, sources, compare and train tables.

Every table has a wide layout (one column per figure) and, below `NARROW` columns of terminal, a
narrow one that stacks figures in fewer columns so that nothing is cropped or cut to a character
per line at 80 columns. Tables go to the terminal at its width, or (piped, written to a file) to a
160-column page unless COLUMNS says otherwise.
"""

from __future__ import annotations

import io
import os
import sys
from collections import Counter

from collections.abc import Mapping

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from .labels import STANCES
from .summary import Summaries
from .output import plain_console, signed

NARROW = 120  # below this many columns the narrow layouts are used
PIPED_WIDTH = 160
SHORT = {"pro_ukraine": "pro_ukraine", "russia_accommodating": "russia_acc.", "balancing": "balancing",
         "none": "none"}


def console(file=None, fit=None):
    """A console for tables: the terminal's width (or COLUMNS), else a wide page when piped or written
    to a file, widened until table `fit` renders whole (rich crops a table whose columns cannot shrink)."""
    if file is None and (sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit()):
        return plain_console()  # rich reads the terminal's width, or COLUMNS
    width = PIPED_WIDTH if fit is None else uncropped_width(fit, PIPED_WIDTH)
    return plain_console(file=file, width=width) if file is not None else plain_console(width=width)


def uncropped_width(table, start: int) -> int:
    """The narrowest width from `start` up at which every row of `table` keeps its right border."""
    from rich.measure import Measurement

    probe = plain_console(width=10_000)
    widest = max(start, Measurement.get(probe, probe.options, table).maximum)
    for width in [*range(start, widest, 10), widest]:
        buffer = io.StringIO()
        plain_console(file=buffer, width=width).print(table)
        rows = [ln.rstrip() for ln in buffer.getvalue().splitlines() if ln[:1] in "┏┃┡│└"]
        if all(r[-1:] in "┓┃┩│┘" for r in rows):
            return width
    return widest


def pct(a: dict, s: str) -> str:
    v = a.get(f"share_{s}")
    return "-" if v is None else f"{v:.0%} [{a[f'share_{s}_lo']:.0%}-{a[f'share_{s}_hi']:.0%}]"


def lean(a: dict, sep: str = " ") -> str:
    if a.get("lean") is None:
        return "-"
    return f"{signed(a['lean'])}{sep}[{signed(a['lean_lo'])}, {signed(a['lean_hi'])}]"


# --- score ---------------------------------------------------------------------------------------


def score_tables(out, rows, level: str, prog: str = "stanceframe") -> None:
    """Print the tables of scored (document, sentence records, article) rows on console `out`."""
    narrow = out.width < NARROW
    if level == "article":
        table = Table(title="Articles", title_justify="left")
        if narrow:  # shares and lean stacked; the top frames as a line per article below the table
            table.add_column("doc", overflow="fold", ratio=1)
            table.add_column("sentences", no_wrap=True)
            table.add_column("stance shares [95% CI]", no_wrap=True)
            table.add_column("lean [95% CI]", no_wrap=True)
        else:
            for h in ("doc", "sentences", "stance-bearing", "uncertain", *SHORT.values(), "lean [95% CI]",
                      "top frames"):
                table.add_column(h)
        for doc, _, a in rows:
            if narrow:
                counts = f"{a['n_sentences']}\n{a['n_stance_bearing']} stance\n{a['n_uncertain']} unc."
                shares = "\n".join(f"{SHORT[s]:<11} {pct(a, s)}" for s in STANCES)
                table.add_row(doc.id, counts, shares, lean(a, "\n"))
            else:
                table.add_row(doc.id, str(a["n_sentences"]), str(a["n_stance_bearing"]), str(a["n_uncertain"]),
                              *(pct(a, s) for s in STANCES), lean(a), a["top_frames"])
        out.print(table)
        if narrow:
            for doc, _, a in rows:
                out.print(Text(f"{doc.id}: frames {a['top_frames'] or '-'}"))
        out.print(f"  {sum(a['n_dropped_lines'] for _, _, a in rows)} lines dropped as page furniture "
                  f"(n_dropped_lines per article in --format csv/json; {prog} segment lists them)")
        return
    for doc, records, a in rows:
        table = Table(title=f"{doc.id}", title_justify="left", show_lines=narrow)
        if narrow:  # stance and frame stacked in one column, the flag under them
            table.add_column("#", no_wrap=True)
            table.add_column("stance / frame", no_wrap=True)
        else:
            for h in ("#", "stance", "p", "frame", "p", "flag"):
                table.add_column(h, no_wrap=True)
        table.add_column("sentence", overflow="fold", ratio=1)
        for r in records:
            if r["index"] is None:
                table.add_row("-", "no sentences", "") if narrow else table.add_row("-", "", "", "", "", "no sentences", "")
                continue
            p_stance, p_frame = f"{r['p_' + r['stance']]:.2f}", f"{r['p_frame']:.2f}"
            if narrow:
                cell = f"{r['stance']} {p_stance}\n{r['frame']} {p_frame}"
                table.add_row(str(r["index"]), cell + (f"\n({r['uncertain_reason']})" if r["uncertain_reason"] else ""),
                              r["text"])
            else:
                table.add_row(str(r["index"]), r["stance"], p_stance, r["frame"], p_frame, r["uncertain_reason"],
                              r["text"])
        out.print(table)
        out.print(f"  {a['n_sentences']} sentences, {a['n_stance_bearing']} stance-bearing, "
                  f"{a['n_uncertain']} uncertain; lean {lean(a)} ({a['quantifier']}); "
                  f"pro_ukraine {pct(a, 'pro_ukraine')}, russia_accommodating "
                  f"{pct(a, 'russia_accommodating')}, balancing {pct(a, 'balancing')}, none {pct(a, 'none')}; "
                  f"frames: {a['top_frames'] or '-'}\n"
                  f"  {a['n_dropped_lines']} lines dropped as page furniture ({prog} segment lists them)\n")


# --- segment -------------------------------------------------------------------------------------


def segment_table(out, doc, records) -> None:
    """What became of every line of one document."""
    table = Table(title=doc.id, title_justify="left")
    for h in ("line", "status", "kind / rule", "sentences"):
        table.add_column(h, no_wrap=True)
    table.add_column("text", overflow="fold", ratio=1)
    for r in records:
        table.add_row(str(r["line"]), r["status"], r["kind"] or r["rule"], str(r["n_sentences"] or ""), r["text"])
    out.print(table)
    kept = [r for r in records if r["status"] == "kept"]
    kinds = Counter(r["kind"] for r in kept)
    rules = Counter(r["rule"] for r in records if r["status"] == "dropped")
    out.print(f"  {len(kept)} lines kept ({', '.join(f'{n} {k}' for k, n in kinds.items()) or 'none'}; "
              f"{sum(r['n_sentences'] for r in kept)} sentences), {sum(rules.values())} dropped"
              + (f" ({', '.join(f'{n} {k}' for k, n in rules.most_common())})" if rules else "") + "\n")


# --- explain -------------------------------------------------------------------------------------


def explain_tables(out, result: dict) -> None:
    """The features toward and away from the predicted stance and frame: side by side on a wide
    terminal, one above the other on a narrow one."""
    for target in ("stance", "frame"):
        r = result[target]
        others = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["probabilities"].items(), key=lambda kv: -kv[1])[:4])
        out.print(Text.assemble((f"{target}: {r['label']}", "bold"), f" (p={r['probability']:.2f}; {others})"))
        sides = [("toward " + r["label"], r["toward"]), ("away from it", r["away"])]
        if out.width < NARROW:
            for title, feats in sides:
                table = Table(show_header=True)
                for h in (title, "kind", "weight"):
                    table.add_column(h, overflow="fold")
                for f in feats:
                    table.add_row(f["feature"], f["kind"], f"{f['contribution']:+.3f}")
                out.print(table)
            continue
        table = Table(show_header=True)
        for h in (sides[0][0], "kind", "weight", sides[1][0], "kind", "weight"):
            table.add_column(h)
        for i in range(max(len(r["toward"]), len(r["away"]))):
            cells = []
            for _, feats in sides:
                f = feats[i] if i < len(feats) else None
                cells += [f["feature"], f["kind"], f"{f['contribution']:+.3f}"] if f else ["", "", ""]
            table.add_row(*cells)
        out.print(table)


# --- sources and compare -------------------------------------------------------------------------


def sources_table(result, width: int):
    """The per-source table (summary.format_table) on a wide terminal; on a narrow one, the shares and
    the lean stacked in two columns, and frames and distinctive terms as a line per source below."""

    if width >= NARROW:
        return format_table(result)
    from rich.console import Group

    table = Table(title=f"Stance and frames by {result.by}", title_justify="left",
                  caption="95% bootstrap intervals; lean = pro_ukraine - russia_acc.", caption_justify="left")
    table.add_column(result.by, overflow="fold", ratio=1)
    table.add_column("articles\nsentences", justify="right")
    table.add_column("stance shares [95% CI]", no_wrap=True)
    table.add_column("lean [95% CI]", no_wrap=True)
    lines = []
    for s in result.sources:
        counts = f"{s.n_articles}\n{s.n_sentences}" + (f"\n({s.n_uncertain} unc.)" if s.n_uncertain else "")
        shares = "\n".join(f"{SHORT[st]:<11} {d['share']:>4.0%} [{d['lo'] * 100:.0f}-{d['hi'] * 100:.0f}]"
                           for st, d in ((st, s.stance_shares[st]) for st in STANCES))
        table.add_row(str(s.source), counts, shares, f"{signed(s.lean['value'])}\n[{signed(s.lean['lo'])}, "
                      f"{signed(s.lean['hi'])}]")
        frames = ", ".join(f"{f.replace('_', ' ')} {s.frame_shares[f]:.0%}" for f in s.top_frames)
        terms = ", ".join(t for t, _, _ in s.distinctive_terms[:5])
        lines.append(Text(f"{s.source}: frames {frames or '-'}; words {terms or '-'}"))
    return Group(table, *lines)


def compare_table(out, r: dict, a: str, b: str) -> None:
    sep = "\n" if out.width < NARROW else " "  # narrow: the interval under the figure
    table = Table(title=f"{a} vs {b}: stance shares and lean (95% bootstrap intervals)", title_justify="left")
    for h in ("", a, b, f"{a} - {b}"):
        table.add_column(h, overflow="fold")

    def cell(d):
        return f"{signed(d['share'] if 'share' in d else d['value'])}{sep}[{signed(d['lo'])}, {signed(d['hi'])}]"

    for s, d in r["diff_a_minus_b"]["stance_shares"].items():
        table.add_row(s, cell(r["a"]["stance_shares"][s]), cell(r["b"]["stance_shares"][s]), cell(d))
    table.add_row("lean", cell(r["a"]["lean"]), cell(r["b"]["lean"]), cell(r["diff_a_minus_b"]["lean"]))
    table.add_row("sentences", str(r["a"]["n_sentences"]), str(r["b"]["n_sentences"]), "")
    out.print(table)
    for side in ("a", "b"):
        terms = ", ".join(f"{t} ({z:+.1f})" for t, z, _ in r[side]["distinctive_terms"][:10])
        out.print(f"words typical of {r[side]['label']}: {terms or '-'}")


# --- with a random labelled sample (prediction-powered inference) -------------------------------


def labelled_table(by: str, groups, width: int) -> Table:
    """Per group, the PPI estimate beside the model-only and the labels-only one. `groups`: (label, model
    estimate {stance_shares, lean} as summaries give them, labelled record of ppi.estimate_group)."""
    sep = "\n" if width < NARROW else " "  # narrow: the interval under the figure

    def cell(d, key):
        if d is None:
            return "-"
        if key in d and key == "share":
            lo, hi = (max(0.0, d[k] * 100) + 0.0 for k in ("lo", "hi"))  # + 0.0: never "-0"
            return f"{d['share']:.0%}{sep}[{lo:.0f}-{hi:.0f}]"
        return f"{signed(d['value'])}{sep}[{signed(d['lo'])}, {signed(d['hi'])}]"

    table = Table(title=f"Stance shares and lean by {by}, corrected by a random labelled sample (PPI++)",
                  title_justify="left", caption_justify="left",
                  caption="PPI and labels only: 95% intervals for the shares among these sentences of each group, "
                          "from the random labelled sample (valid whatever the model's errors); model only: 95% "
                          "bootstrap intervals that ignore the model's errors; lambda: how far PPI trusts the "
                          "predictions (0-1)")
    for h in (by, "labelled /\nsentences", "", "PPI", "lambda", "model only", "labels only"):
        table.add_column(h, overflow="fold", justify="left" if h in (by, "") else "right")
    for label, model, rec in groups:
        quantities = [("lean", model["lean"], rec["lean"], "value")]
        quantities += [(SHORT[s], model["stance_shares"][s], (rec["stance_shares"] or {}).get(s), "share")
                       for s in STANCES]
        for i, (name, m, r, key) in enumerate(quantities):
            r = r or {}
            counts = f"{rec['n_labelled']} / {rec['n_sentences']}" if "n_labelled" in rec else ""
            table.add_row(label if i == 0 else "", counts if i == 0 else "",
                          name, cell(r.get("ppi"), key), f"{r['ppi']['lambda']:.2f}" if "lambda" in r.get("ppi", {})
                          else "-", cell(m, key),
                          cell(r.get("labels_only"), key))
        table.add_section()
    return table


# --- train ---------------------------------------------------------------------------------------


def metrics_tables(metrics: dict) -> None:
    """The held-out results `train` prints (the model card's tables) on standard output."""
    from rich.console import Console

    from . import card

    out = plain_console(file=sys.stdout, width=max(Console().width, 140))
    tables = [("Held-out performance (nested; 95% bootstrap intervals)", card.HEADLINE_HEADER, card.headline_rows(metrics)),
              ("Side by side on the same folds", card.COMPARISON_HEADER, card.comparison_rows(metrics))]
    for view in card.views_in(metrics):
        tables.append((f"Lean of held-out groups, {card.VIEWS[view]}: gold vs estimates", card.LEAN_HEADER,
                       card.lean_rows(metrics, view)))
        for target in ("stance", "frame"):
            tables.append((f"{target}: per class, {card.VIEWS[view]}", card.PER_CLASS_HEADER,
                           card.per_class_rows(metrics, target, view)))
    if metrics.get("challenge"):
        tables.append(("Challenge suite (bench/challenge.csv)", card.CHALLENGE_HEADER, card.challenge_rows(metrics)))
    for title, header, rows in tables:
        if not rows:
            continue
        table = Table(title=title, title_justify="left")
        for h in header:
            table.add_column(h)
        for r in rows:
            table.add_row(*r)
        out.print(table)


def test_tables(console, result: dict) -> None:
    """`predict.py test`: headline figures beside the baseline, per class, confusion, per source."""
    from rich.table import Table

    def ci(d):
        return f"{d['value']:.3f} [{d['lo']:.3f}, {d['hi']:.3f}]"

    head = Table(title=f"{result['n']} labelled sentences, model {result['model']} (95% bootstrap intervals)",
                 title_justify="left")
    for h in ("target", "measure", "model", "majority baseline"):
        head.add_column(h)
    for target in ("stance", "frame"):
        if target in result:
            r = result[target]
            for measure in ("macro_f1", "accuracy"):
                head.add_row(f"{target} (n={r['n']})", measure.replace("_", "-"), ci(r["model"][measure]),
                             f"{ci(r['baseline_majority'][measure])} ({r['baseline_majority']['label']})")
    console.print(head)
    for target in ("stance", "frame"):
        if target not in result:
            continue
        per = Table(title=f"{target}: per class", title_justify="left")
        for h in ("class", "precision", "recall", "F1", "support"):
            per.add_column(h)
        for c, v in result[target]["model"]["per_class"].items():
            per.add_row(c, f"{v['precision']:.2f}", f"{v['recall']:.2f}", f"{v['f1']:.2f}", str(v["support"]))
        console.print(per)
    if "stance" in result:
        conf = result["stance"]["model"]["confusion"]
        cm = Table(title="stance confusion (rows true, columns predicted)", title_justify="left")
        cm.add_column("true \\ pred")
        for c in conf["labels"]:
            cm.add_column(c[:12])
        for c, row in zip(conf["labels"], conf["rows_true_cols_pred"]):
            cm.add_row(c, *map(str, row))
        console.print(cm)
    if result.get("per_source"):
        src = Table(title=f"lean per source: gold vs estimated ({result['quantifier']})", title_justify="left")
        for h in ("source", "n", "gold lean", "estimated", "error"):
            src.add_column(h)
        for name, s in result["per_source"].items():
            src.add_row(name, str(s["n"]), signed(s["gold_lean"]), signed(s["estimated_lean"]),
                        f"{s['lean_error']:.2f}")
        console.print(src)


# --- the per-source table (wide terminals) ----------------------------------------------------

STANCE_NAMES = {  # stances as tables and charts name them
    "pro_ukraine": "pro-Ukraine",
    "russia_accommodating": "Russia-accommodating",
    "balancing": "balancing",
    "none": "none",
}


def frame_name(frame: str) -> str:
    return frame.replace("_", " ")


def _pct(d: Mapping[str, float]) -> str:
    return f"{d['share']:.0%} [{d['lo'] * 100:.0f}–{d['hi'] * 100:.0f}]"


def _signed(d: Mapping[str, float]) -> str:
    return f"{signed(d['value'])} [{signed(d['lo'])}, {signed(d['hi'])}]"



def format_table(summaries: Summaries) -> Table:
    """A rich table for the terminal, one row per group in lean order."""
    table = Table(
        title=f"Stance and frames by {summaries.by}",
        caption=f"95% bootstrap intervals ({summaries.n_boot} replicates; whole articles "
        "resampled, sentences for a one-article group); "
        "lean = pro-Ukraine − Russia-accommodating",
    )
    show_uncertain = any(s.n_uncertain for s in summaries.sources)
    # a source's name is shown whole (up to 40 characters on a line, folded beyond): other columns wrap first
    longest = max((cell_len(str(s.source)) for s in summaries.sources), default=0)
    table.add_column(summaries.by, min_width=min(40, max(longest, len(summaries.by))), overflow="fold")
    table.add_column("articles", justify="right")
    table.add_column("sentences (all counted)", justify="right")
    if show_uncertain:
        table.add_column("of which uncertain", justify="right")
    for stance in STANCES:
        table.add_column(STANCE_NAMES[stance], justify="right")
    table.add_column("lean", justify="right")
    table.add_column("top frames")
    table.add_column("distinctive terms")
    for s in summaries.sources:
        row = [s.source, str(s.n_articles), str(s.n_sentences)]
        if show_uncertain:
            row.append(str(s.n_uncertain))
        row += [_pct(s.stance_shares[st]) for st in STANCES]
        row.append(_signed(s.lean))
        row.append(", ".join(f"{frame_name(f)} {s.frame_shares[f]:.0%}" for f in s.top_frames))
        row.append(", ".join(t for t, _, _ in s.distinctive_terms[:5]))
        table.add_row(*row)
    return table
