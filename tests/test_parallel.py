"""A build spread over several processes gives exactly what a build in one process gives.

Each build runs in a fresh Python: forking is refused while other threads run, and the browser tests keep one
running in this process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, TEMPLATES

sys.path.insert(0, str(ROOT / "scripts"))

from synthetic import make_site

BUILD = """
import json, sys
from pathlib import Path
from counterpoint.errors import BuildFailed
from counterpoint.pipeline import Builder
site, templates, out, workers, memory = sys.argv[1:]
builder = Builder(Path(site), Path(templates), strict=True, workers=int(workers))
try:
    result = builder.build() if memory == "memory" else builder.build_into(Path(out))
except BuildFailed as failure:
    print(json.dumps({"problems": [str(p) for p in failure.problems]}))
else:
    files = {name: data.decode() for name, data in result.files.items()}
    print(json.dumps({"processes": result.processes, "citations": result.citations, "files": files}))
"""


def build(site: Path, out: Path, workers: int, memory: bool = False) -> dict[str, object]:
    """Build `site` in a fresh Python with `workers` processes; return what it reports."""
    args = [str(site), str(TEMPLATES), str(out), str(workers), "memory" if memory else "disk"]
    done = subprocess.run([sys.executable, "-c", BUILD, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    report: dict[str, object] = json.loads(done.stdout)
    return report


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_parallel_and_serial_builds_are_byte_identical(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, pages=60)
    (site / "static" / "images").mkdir(parents=True)  # the site's own static files, published as they are
    (site / "static" / "images" / "chart.svg").write_bytes("<svg>✓</svg>".encode())
    one = build(site, tmp_path / "serial", workers=1)
    three = build(site, tmp_path / "parallel", workers=3)
    assert (one["processes"], three["processes"]) == (1, 3)
    written = files_under(tmp_path / "serial")
    assert len(written) > 60 and written["images/chart.svg"] == "<svg>✓</svg>".encode()
    assert written == files_under(tmp_path / "parallel")
    assert one["citations"] == three["citations"]
    assert isinstance(one["citations"], int) and one["citations"] > 500
    # explainer.json is joined from parts each process made of its own documents and sources: all of them, in
    # the site's order, the same bytes as a build in memory makes it whole.
    explainer = json.loads(written["explainer.json"])
    assert len(explainer["sources"]) == len(list((site / "content" / "articles").glob("*.md")))
    assert len(explainer["topics"]) == len(list((site / "content" / "topics").glob("*.md")))
    assert sum(len(d["citations"]) for d in explainer["topics"] + explainer["pages"]) == one["citations"]
    memory = build(site, tmp_path / "unused", workers=1, memory=True)
    assert isinstance(memory["files"], dict) and memory["files"]["explainer.json"].encode() == written["explainer.json"]


def test_parallel_and_serial_builds_in_memory_are_byte_identical(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, pages=40)
    serial = build(site, tmp_path / "unused", workers=1, memory=True)
    parallel = build(site, tmp_path / "unused", workers=2, memory=True)
    assert (serial["processes"], parallel["processes"]) == (1, 2)
    assert serial["files"] == parallel["files"]
    assert isinstance(serial["files"], dict) and len(serial["files"]) > 40


def test_a_parallel_build_reports_every_problem_as_a_serial_one_does(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, pages=40)
    topic = sorted((site / "content" / "topics").glob("*.md"))[3]
    topic.write_text(topic.read_text(encoding="utf-8") + "\nA bad one [@nowhere ¶1].\n", encoding="utf-8")
    article = sorted((site / "content" / "articles").glob("*.md"))[1]
    article.write_text(article.read_text(encoding="utf-8").replace("excerpt:", "exerpt:", 1), encoding="utf-8")
    serial = build(site, tmp_path / "out1", workers=1)
    parallel = build(site, tmp_path / "out2", workers=2)
    assert serial == parallel
    problems = serial["problems"]
    assert isinstance(problems, list)
    assert any("unknown source '@nowhere'" in p for p in problems)
    assert any("unknown key 'exerpt'" in p for p in problems)
    assert not (tmp_path / "out1").exists()


def test_a_parallel_build_finds_every_broken_link_as_a_serial_one_does(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, pages=40)
    topics = sorted((site / "content" / "topics").glob("*.md"))
    for topic, link in ((topics[2], "../nowhere/"), (topics[-1], f"../{topics[0].stem}/#no-such-anchor")):
        topic.write_text(topic.read_text(encoding="utf-8") + f"\nSee [this]({link}).\n", encoding="utf-8")
    serial = build(site, tmp_path / "out1", workers=1)
    parallel = build(site, tmp_path / "out2", workers=2)
    assert serial == parallel
    problems = serial["problems"]
    assert isinstance(problems, list) and len(problems) == 2, problems
    assert "link '../nowhere/' leads to a page that is not in the site" in problems[0]
    assert "names an anchor '#no-such-anchor'" in problems[1]


MAP = """
import json, os, sys, time
from counterpoint.parallel import WorkerFailed, map_in_order
PARENT = os.getpid()
def square(item):
    if sys.argv[1] == "worker" and os.getpid() != PARENT:
        raise ValueError(f"bad item {item} in a worker")
    if sys.argv[1] == "worker" and item == 0:
        time.sleep(0.3)  # let the workers take chunks
    if sys.argv[1] == "anywhere" and item in (0, 250, 499):
        raise ValueError(f"bad item {item}")
    time.sleep(0.002)  # work that takes long enough for every process to have a share
    return (item * item, os.getpid())
try:
    done = map_in_order(square, list(range(500)), 3)
except WorkerFailed as failure:
    print(json.dumps({"failed": str(failure)}))
except ValueError as error:
    print(json.dumps({"raised here": str(error)}))
else:
    print(json.dumps({"results": [r for r, _ in done], "processes": len({pid for _, pid in done})}))
"""


def run_map(mode: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", MAP, mode], capture_output=True, text=True, cwd=ROOT, check=True)
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_map_in_order_shares_the_items_among_processes_and_keeps_their_order() -> None:
    report = run_map("never")
    assert report["results"] == [i * i for i in range(500)]
    assert report["processes"] == 3


def test_a_failing_item_is_reported_wherever_it_ran() -> None:
    (message,) = run_map("anywhere").values()
    assert isinstance(message, str) and "bad item" in message


def test_a_worker_that_raises_is_reported_with_its_traceback() -> None:
    report = run_map("worker")
    assert list(report) == ["failed"]
    assert "Traceback" in str(report["failed"]) and "in a worker" in str(report["failed"])


TEAM = """
import json, os, signal, sys, time
from counterpoint.parallel import WorkerFailed, run_team
mode = sys.argv[1]
def job(team):
    gathered = team.all_gather(team.rank * 10)
    if mode == "worker raises" and team.rank == 2:
        raise ValueError("a bug in rank 2")
    if mode == "worker dies" and team.rank == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "rank 0 raises" and team.rank == 0:
        raise KeyError("rank 0 gives up")
    again = team.all_gather(sum(gathered) + team.rank)
    shared = team.share(lambda item: (time.sleep(0.002), item, os.getpid())[1:], list(range(300)))
    return team.gather((again, shared))
start = time.monotonic()
try:
    reports = run_team(3, job, queues=1)
except WorkerFailed as failure:
    print(json.dumps({"failed": str(failure), "seconds": time.monotonic() - start}))
except KeyError as error:
    print(json.dumps({"raised here": str(error), "seconds": time.monotonic() - start}))
else:
    items = sorted(item for _, shared in reports for _, (item, _) in shared)
    indexes = sorted(index for _, shared in reports for index, _ in shared)
    pids = {pid for _, shared in reports for _, (_, pid) in shared}
    report = {"again": [again for again, _ in reports], "items": items == indexes == list(range(300))}
    print(json.dumps({**report, "processes": len(pids)}))
"""


def run_team_job(mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", TEAM, mode], capture_output=True, text=True, cwd=ROOT, check=True, timeout=60
    )
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_a_team_swaps_values_and_shares_a_queue() -> None:
    report = run_team_job("none")
    assert report["again"] == [[30, 31, 32]] * 3  # each saw every rank's value, in rank order
    assert report["items"] is True  # every item done once, by whoever took its chunk
    assert report["processes"] == 3


def test_a_team_member_that_raises_is_reported_with_its_traceback_and_stops_the_others() -> None:
    report = run_team_job("worker raises")
    assert "Traceback" in str(report["failed"]) and "a bug in rank 2" in str(report["failed"])
    assert isinstance(report["seconds"], float) and report["seconds"] < 30


def test_a_team_member_killed_is_reported_and_nothing_waits_for_it() -> None:
    report = run_team_job("worker dies")
    assert "killed by signal 9" in str(report["failed"])


def test_when_this_process_raises_the_workers_stop_and_the_error_goes_on() -> None:
    report = run_team_job("rank 0 raises")
    assert report["raised here"] == "'rank 0 gives up'"
