"""How many processes a build uses: the cores it may use, within a container's CPU quota, or what --jobs says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, TEMPLATES
from counterpoint import cpus
from counterpoint.cli import parse_options
from counterpoint.parallel import WORTH_IT, worker_count


def group(mount: Path, path: str, **files: str) -> None:
    """Make a control group's folder under a fake mount, with its files (`cpu_max` for cpu.max)."""
    folder = mount.joinpath(*[part for part in path.split("/") if part])
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name.replace("_", ".", 1)).write_text(text)


def quota(tmp_path: Path, membership: str) -> int | None:
    (tmp_path / "cgroup").write_text(membership)
    return cpus.quota_cores(tmp_path / "cgroup", tmp_path / "fs")


def test_cgroup_v2_quota_is_rounded_up_to_whole_cores(tmp_path: Path) -> None:
    group(tmp_path / "fs", "/", cpu_max="max 100000\n")
    group(tmp_path / "fs", "/docker/abc", cpu_max="150000 100000\n")
    assert quota(tmp_path, "0::/docker/abc\n") == 2


def test_cgroup_v2_without_a_quota_leaves_the_cores_alone(tmp_path: Path) -> None:
    group(tmp_path / "fs", "/user.slice", cpu_max="max 100000\n")
    assert quota(tmp_path, "0::/user.slice\n") is None


def test_the_lowest_quota_of_the_group_and_those_above_it_counts(tmp_path: Path) -> None:
    group(tmp_path / "fs", "/ci", cpu_max="100000 100000\n")  # one core for every job of the runner
    group(tmp_path / "fs", "/ci/job-7", cpu_max="400000 100000\n")
    assert quota(tmp_path, "0::/ci/job-7\n") == 1


def test_inside_a_container_the_mount_root_is_the_group(tmp_path: Path) -> None:
    # /proc/self/cgroup names the host's path, which the container's own mount does not have.
    group(tmp_path / "fs", "/", cpu_max="200000 100000\n")
    assert quota(tmp_path, "0::/kubepods/pod-1/abc\n") == 2


def test_cgroup_v1_quota_in_the_cpu_hierarchy(tmp_path: Path) -> None:
    group(tmp_path / "fs", "/cpu,cpuacct/docker/abc", cpu_cfs_quota_us="50000\n", cpu_cfs_period_us="100000\n")
    membership = "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n"
    assert quota(tmp_path, membership) == 1


def test_cgroup_v1_without_a_quota(tmp_path: Path) -> None:
    group(tmp_path / "fs", "/cpu", cpu_cfs_quota_us="-1\n", cpu_cfs_period_us="100000\n")
    assert quota(tmp_path, "1:cpu:/\n") is None


@pytest.mark.parametrize("text", ["", "garbage\n", "0::/gone\n"])
def test_no_group_or_an_unreadable_one_means_no_quota(tmp_path: Path, text: str) -> None:
    group(tmp_path / "fs", "/", cpu_max="not a quota\n")
    assert quota(tmp_path, text) is None
    assert cpus.quota_cores(tmp_path / "missing", tmp_path / "fs") is None


def test_available_is_at_least_one_and_no_more_than_the_cores() -> None:
    import os

    assert 1 <= cpus.available() <= (os.cpu_count() or 1)


def test_jobs_sets_the_processes_of_a_large_site_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("threading.active_count", lambda: 1)  # other tests' threads may run here
    assert worker_count(WORTH_IT - 1, jobs=3) == 1
    assert worker_count(WORTH_IT, jobs=3) == 3
    assert worker_count(WORTH_IT - 1, workers=3) == 3  # tests ask for processes whatever the size


def test_the_command_line_reads_jobs() -> None:
    assert parse_options(["-j", "3"]).jobs == 3
    assert parse_options(["check", "--jobs", "1"]).jobs == 1
    assert parse_options([]).jobs is None


@pytest.mark.parametrize("given", ["0", "-2", "two"])
def test_a_wrong_number_of_jobs_is_refused_with_what_to_give(given: str) -> None:
    command = [sys.executable, str(ROOT / "build.py"), "--templates", str(TEMPLATES), f"--jobs={given}"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert f"'{given}' is not a number of processes; give 1 or more, e.g. -j 2" in done.stderr
    assert "Traceback" not in done.stderr


JOBS = """
import sys
from pathlib import Path
from counterpoint.cli import main
import counterpoint.cli as cli
real = cli.build
def build(*args, **kwargs):
    result = real(*args, **kwargs)
    print("processes", result.processes)
    return result
cli.build = build
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_large_site_builds_in_as_many_processes_as_jobs_says(tmp_path: Path, jobs: int) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from synthetic import make_site

    make_site(tmp_path / "site", pages=WORTH_IT + 100)  # more content files than WORTH_IT
    args = ["--site", str(tmp_path / "site"), "--templates", str(TEMPLATES), "--out", str(tmp_path / "out")]
    command = [sys.executable, "-c", JOBS, *args, "--no-search", "-q", "-j", str(jobs)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["processes", str(jobs)]
