"""Measure a rebuild after one edit against a fresh `python build.py`, in one run.

    python scripts/benchmark.py [--runs N]

Prints the median of N runs of each, and their ratio. It builds a copy of the
shipped site in a temporary folder, so the working tree is not touched.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from counterpoint.pipeline import Builder  # noqa: E402


def main() -> None:
    """Time fresh builds and one-edit rebuilds of a copy of the shipped site."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(ROOT, site, ignore=shutil.ignore_patterns(".git", ".venv", "output", "tests", "*cache*"))
        fresh = [_fresh_build(site) for _ in range(args.runs)]
        topic = sorted((site / "content" / "topics").glob("*.md"))[0]
        builder = Builder(site, site / "templates")
        builder.build()
        rebuilds, rendered = [], 0
        for run in range(args.runs):
            topic.write_text(topic.read_text(encoding="utf-8") + f"\nEdit {run}.\n", encoding="utf-8")
            start = time.perf_counter()
            result = builder.build()
            rebuilds.append(time.perf_counter() - start)
            rendered = len(result.rendered)
        full = []
        for _ in range(args.runs):
            start = time.perf_counter()
            Builder(site, site / "templates").build()
            full.append(time.perf_counter() - start)
    pages = result.pages
    f, r, b = statistics.median(fresh), statistics.median(rebuilds), statistics.median(full)
    print(f"site: {pages} pages; edit: one topic ({topic.name}); median of {args.runs} runs each")
    print(f"fresh `python build.py` (new process, imports, write): {f * 1000:7.1f} ms  (1.00)")
    print(f"full build in a running process (no write):          {b * 1000:7.1f} ms  ({b / f:.2f})")
    print(f"rebuild after the edit ({rendered} of {pages} pages rendered):     {r * 1000:7.1f} ms  ({r / f:.2f})")
    print(f"a rebuild takes 1/{f / r:.1f} of a fresh build")


def _fresh_build(site: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--site", str(site), "-q"], check=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
