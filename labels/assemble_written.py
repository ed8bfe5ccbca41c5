"""Build labels/written.csv from the two annotation passes and the adjudication.

    python labels/assemble_written.py

passes/written/pass1_writerN.csv are the writers' own files (voice, register, year, text, labels,
note); pass2_writerN.csv the blind second pass (sentence_id w-N001..., labels, note);
adjudicated_writerN.csv the decision on every row where the passes differ. The final label is the
agreed one, else the adjudicated one. Near-duplicates (bench/near_duplicates.py) listed in
passes/written/dropped.csv are left out. Ids stay those of the second pass, so every row of
written.csv can be traced to both passes.
"""

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASSES = HERE / "passes" / "written"
COLUMNS = ("sentence_id", "voice", "register", "year", "text", "stance", "frame", "note")


def read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main() -> None:
    dropped = {r["sentence_id"] for r in read(PASSES / "dropped.csv")} if (PASSES / "dropped.csv").is_file() else set()
    rows = []
    for p1_path in sorted(PASSES.glob("pass1_writer*.csv")):
        n = p1_path.stem.removeprefix("pass1_writer")
        p1, p2 = read(p1_path), read(PASSES / f"pass2_writer{n}.csv")
        adjudicated = {r["sentence_id"]: r for r in read(PASSES / f"adjudicated_writer{n}.csv")}
        assert len(p1) == len(p2), f"writer {n}: the passes differ in length"
        for a, b in zip(p1, p2):
            sid = b["sentence_id"]
            agreed = (a["stance"], a["frame"]) == (b["stance"], b["frame"])
            if not agreed and sid not in adjudicated:
                raise SystemExit(f"{sid}: the passes differ and there is no adjudication")
            final = a if agreed else adjudicated[sid]
            note = "; ".join(x for x in (a["note"].strip(), "" if agreed else final["note"].strip()) if x)
            if sid not in dropped:
                rows.append({"sentence_id": sid, "voice": a["voice"], "register": a["register"], "year": a["year"],
                             "text": a["text"].strip(), "stance": final["stance"], "frame": final["frame"],
                             "note": note})
    with open(HERE / "written.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {HERE / 'written.csv'}: {len(rows)} sentences ({len(dropped)} near-duplicates left out)")


if __name__ == "__main__":
    main()
