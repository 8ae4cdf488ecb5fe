"""The writer's promises, under fault: the old site survives any failure, and only our own leftovers go."""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import GOLDEN, ROOT, TEMPLATES, run_cli
from counterpoint import write
from counterpoint.errors import BuildFailed
from counterpoint.pipeline import build
from counterpoint.write import MARKER, STAGING, Spool, Staging, write_site

OLD = {"index.html": b"old site", "topics/a/index.html": b"old topic"}
NEW = {"index.html": b"new site", "topics/b/index.html": b"new topic"}


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    write_site(OLD, out)
    return out


def test_a_write_that_fails_midway_leaves_the_old_site_byte_for_byte(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files_under(built)
    real, written = Staging.write, []

    def failing(self: Staging, name: str, data: bytes) -> None:
        if written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
        written.append(name)
        real(self, name, data)

    monkeypatch.setattr(Staging, "write", failing)
    with pytest.raises(OSError, match="No space left"):
        write_site(NEW, built)
    assert files_under(built) == before
    assert sorted(p.name for p in built.parent.iterdir()) == ["out"]


@pytest.mark.parametrize("where", ["spooling a part", "joining the parts"])
def test_explainer_json_failing_to_be_written_is_a_message_and_leaves_the_old_site(
    built: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """explainer.json is made of parts spooled beside the staging folder's files, then joined."""
    before = files_under(built)

    def full(*args: object) -> bytes:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(*((Spool, "add", full) if where == "spooling a part" else (write, "_read_all", full)))
    with pytest.raises(BuildFailed) as failed:
        build(GOLDEN, built, TEMPLATES, workers=1)
    assert {str(p) for p in failed.value.problems} == {
        f"{built}: could not write the site: No space left on device; the site that was there is left as it was"
    }
    assert files_under(built) == before
    assert sorted(p.name for p in built.parent.iterdir()) == ["out"], "no staging folder, no spool left"


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two renames"])
def test_a_failing_swap_leaves_the_old_site_byte_for_byte(
    built: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    before = files_under(built)
    if exchange:
        monkeypatch.setattr(write, "_exchange", lambda a, b: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    else:
        monkeypatch.setattr(write, "_exchange", lambda a, b: False)
        real = os.rename

        def rename(source: object, target: object) -> None:
            if ".new-" in str(source):
                raise OSError(errno.EIO, "I/O error")
            real(source, target)  # type: ignore[arg-type]

        monkeypatch.setattr(write.os, "rename", rename)
    with pytest.raises(BuildFailed, match="could not write the site: I/O error; the site that was there is left"):
        write_site(NEW, built)
    assert files_under(built) == before
    assert sorted(p.name for p in built.parent.iterdir()) == ["out"]


def test_a_swap_replaces_the_site_in_one_step(built: Path) -> None:
    write_site(NEW, built)
    assert files_under(built) == {MARKER: files_under(built)[MARKER], **NEW}


def test_recovery_removes_our_leftovers_and_nothing_else(built: Path) -> None:
    parent = built.parent
    killed = parent / ".out.new-killed"  # a build killed while writing
    killed.mkdir()
    (killed / STAGING).write_text("123\n")
    (killed / "index.html").write_text("half")
    foreign = parent / ".out.new-mine"  # someone else's folder that happens to look alike
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    write_site(NEW, built)
    assert sorted(p.name for p in parent.iterdir()) == [".out.new-mine", "out"]
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_an_output_that_is_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real"
    write_site(OLD, real)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    write_site(NEW, link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert files_under(real)["index.html"] == b"new site"
    write_site(OLD, link)  # and again: nothing left behind breaks the next build
    assert files_under(link)["index.html"] == b"old site"


def test_a_mount_point_gets_its_contents_swapped(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write.os.path, "ismount", lambda path: Path(path) == built)
    real = os.rename

    def rename(source: object, target: object) -> None:
        if Path(str(source)) == built or Path(str(target)) == built:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))  # what renaming a mount point does
        real(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(write.os, "rename", rename)
    write_site(NEW, built)
    assert {k: v for k, v in files_under(built).items() if k != MARKER} == NEW
    assert sorted(p.name for p in built.parent.iterdir()) == ["out"]


def test_a_read_only_folder_is_a_message(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = files_under(built)

    def refused(*args: object, **kwargs: object) -> str:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))  # as a read-only folder refuses, even root

    monkeypatch.setattr(write.tempfile, "mkdtemp", refused)
    with pytest.raises(BuildFailed) as failure:
        write_site(NEW, built)
    assert [p.message for p in failure.value.problems] == [
        "could not write beside the site: Permission denied; the site that was there is left as it was"
    ]
    assert files_under(built) == before


def test_a_second_build_into_the_same_folder_waits_for_the_first(tmp_path: Path) -> None:
    site = ROOT / "tests" / "sites" / "golden"
    out = tmp_path / "out"
    holder = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as a first build writing into tmp_path would hold it
    command = [sys.executable, str(ROOT / "build.py"), "--site", str(site), "--templates", str(TEMPLATES)]
    second = subprocess.Popen([*command, "--out", str(out), "-q"], stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        assert second.poll() is None, "the second build did not wait"
        assert not out.exists()
    finally:
        os.close(holder)
    _, err = second.communicate(timeout=60)
    assert second.returncode == 0
    assert f"Another build is writing in {tmp_path} (into out or a folder beside it); waiting" in err
    assert (out / "index.html").is_file()


def test_on_linux_the_swap_is_one_exchange(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real, outcomes = write._exchange, []
    monkeypatch.setattr(write, "_exchange", lambda a, b: outcomes.append(real(a, b)) or outcomes[-1])
    write_site(NEW, built)
    assert outcomes == [True], "renameat2(RENAME_EXCHANGE) was not used"
    assert files_under(built)["index.html"] == b"new site"


def _die_at_move(monkeypatch: pytest.MonkeyPatch, deaths: int) -> Callable[..., None]:
    """Make the writer's `deaths`-th rename kill the build, as kill -9 would (nothing after it runs); return
    the real rename, to put back."""
    real, moves = os.rename, []

    def dying(source: object, target: object) -> None:
        moves.append(source)
        if len(moves) == deaths:
            raise SystemExit("killed")
        real(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(write.os, "rename", dying)
    return real


@pytest.mark.parametrize("marker_first", [False, True], ids=["disk-order", "marker-listed-first"])
@pytest.mark.parametrize("deaths", range(1, 7))  # the swap below makes six moves, the old marker's first
def test_a_swap_of_contents_killed_at_any_move_is_rolled_back(
    built: Path, monkeypatch: pytest.MonkeyPatch, deaths: int, marker_first: bool
) -> None:
    if marker_first:  # a disk may list the marker first: moved in first, it left the rest unknown as ours
        listed = Path.iterdir
        monkeypatch.setattr(Path, "iterdir", lambda p: iter(sorted(listed(p), key=lambda e: e.name != MARKER)))
    before = files_under(built)
    staging = built / ".out.new-test"
    staging.mkdir()
    for name, data in NEW.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(data)
    (staging / MARKER).write_text("new")
    real = _die_at_move(monkeypatch, deaths)
    with pytest.raises(SystemExit):
        write._swap_contents(staging, built)
    monkeypatch.setattr(write.os, "rename", real)
    write._recover(built, mounted=True)
    assert files_under(built) == before
    assert [p.name for p in built.iterdir() if p.name.startswith(".out.")] == []


def test_a_commit_killed_as_it_swaps_markers_leaves_nothing_the_next_build_does_not_remove(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The staging folder holds its STAGING marker, then the output's MARKER: never neither."""
    before = files_under(built)
    staging = Staging(built)
    for name, data in NEW.items():
        staging.write(name, data)
    real = Path.unlink

    def dying(path: Path, missing_ok: bool = False) -> None:
        real(path, missing_ok)
        if path.name == STAGING:
            raise SystemExit("killed")  # as kill -9 would, right after: nothing after this runs

    monkeypatch.setattr(Path, "unlink", dying)
    with pytest.raises(SystemExit):
        staging.commit()
    monkeypatch.setattr(Path, "unlink", real)
    staging._unlock()  # the killed build's lock goes with its process
    write_site(NEW, built)  # the next build
    after = files_under(built)
    assert {name: data for name, data in after.items() if name != MARKER} == NEW
    assert after != before
    assert [p.name for p in built.parent.iterdir() if p.name.startswith(".out.")] == []


def test_an_output_that_is_a_link_in_a_loop_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert run_cli(["new", str(site)], capsys)[0] == 0
    (site / "output").symlink_to("output")
    status, _, err = run_cli(["--site", str(site), "--no-search"], capsys)
    assert status == 1
    assert f"{site / 'output'}: the output is a link in a loop; remove the link, or pass another --out" in err


@pytest.mark.parametrize(("out", "inside"), [("templates", "the templates folder"), ("content/topics/x", "content/")])
def test_an_output_inside_what_the_build_reads_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str, inside: str
) -> None:
    """Built into templates/, a site was read back in as templates at the next build, its assets hashed again
    and again (style.HASH.HASH.css); inside content/, its folders were warned about."""
    site = tmp_path / "site"
    assert run_cli(["new", str(site)], capsys)[0] == 0
    (site / "templates").mkdir()
    status, _, err = run_cli(["--site", str(site), "--out", str(site / out), "--no-search"], capsys)
    assert status == 1
    assert err.startswith(f"{site / out}: --out is inside {inside}, which the build reads")
    assert not (site / out / "index.html").exists()


def _add_yours(out: Path) -> dict[str, bytes]:
    """Put files of a user's own into a built site: a git repository and a GitHub Pages domain."""
    yours = {".git/HEAD": b"ref: refs/heads/main\n", "CNAME": b"explainer.example.org\n"}
    for name, data in yours.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    return yours


def test_files_of_your_own_in_the_output_are_kept(built: Path) -> None:
    """A build replaces what builds wrote and nothing else: a `.git` folder or a `CNAME` file added to output/
    was deleted by the next build (found by a hostile-input trial: a deploy repository's history went)."""
    yours = _add_yours(built)
    write_site(NEW, built)
    assert {k: v for k, v in files_under(built).items() if k != MARKER} == {**NEW, **yours}
    write_site(OLD, built)  # and again: what NEW wrote (topics/b) goes, what is yours stays
    assert {k: v for k, v in files_under(built).items() if k != MARKER} == {**OLD, **yours}


def test_a_file_of_yours_that_the_site_now_has_too_is_an_error(built: Path) -> None:
    _add_yours(built)
    before = files_under(built)
    with pytest.raises(BuildFailed) as failed:
        write_site({**NEW, "CNAME": b"made by the site"}, built)
    [problem] = failed.value.problems
    assert problem.path == str(built / "CNAME") and "move yours elsewhere" in problem.message
    assert files_under(built) == before


def test_a_site_built_before_markers_listed_what_was_written_keeps_its_hidden_files(built: Path) -> None:
    (built / MARKER).write_text("Built by Counterpoint; the next build replaces this folder.\n")
    _add_yours(built)
    write_site(NEW, built)
    assert (built / ".git" / "HEAD").is_file(), "hidden, so taken for the user's"
    assert not (built / "CNAME").exists(), "no build said what it wrote: a visible file may be an old page"


@pytest.mark.parametrize(
    ("mounted", "deaths"),
    # a folder: your two entries moved, then the staging folder renamed once the swap is made (Linux exchanges
    # the two folders in one call, not os.rename); a mount point: the old marker, two old entries, three new
    [*((False, n) for n in range(1, 4)), *((True, n) for n in range(1, 7))],
)
def test_a_build_killed_as_it_carries_your_files_over_loses_none(
    built: Path, monkeypatch: pytest.MonkeyPatch, deaths: int, mounted: bool
) -> None:
    yours = _add_yours(built)
    if mounted:
        monkeypatch.setattr(write.os.path, "ismount", lambda path: Path(path) == built)
    staging = Staging(built)
    for name, data in NEW.items():
        staging.write(name, data)
    real = _die_at_move(monkeypatch, deaths)
    with pytest.raises(SystemExit):
        staging.commit()
    monkeypatch.setattr(write.os, "rename", real)
    staging._unlock()  # the killed build's lock goes with its process
    write_site(NEW, built)  # the next build
    assert {k: v for k, v in files_under(built).items() if k != MARKER} == {**NEW, **yours}
    where = built if mounted else built.parent
    assert [p.name for p in where.iterdir() if p.name.startswith(".out.")] == []


@pytest.mark.parametrize("failure", [OSError(errno.EPERM, "Operation not permitted"), KeyboardInterrupt()])
def test_a_commit_failing_or_interrupted_after_your_files_moved_puts_them_back(
    built: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    """A commit moves your entries into the staging folder, then swaps: a swap that failed (or Ctrl-C) left
    them in the staging folder, which the build then removed, saying the site was left as it was."""
    yours = _add_yours(built)
    before = files_under(built)

    def failing(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(write, "_swap", failing)
    with pytest.raises((BuildFailed, KeyboardInterrupt)):
        write_site(NEW, built)
    assert files_under(built) == before
    assert {k: before[k] for k in yours} == yours
    assert [p.name for p in built.parent.iterdir() if p.name.startswith(".out.")] == []


def test_names_in_the_marker_may_hold_any_character(built: Path) -> None:
    """Names were written one per line, and read back split at U+0085 or U+2028 too: one of yours, named so,
    would have been taken for two others, and removed."""
    odd = {"a\u2028b.html": b"ours", "b\x85c": b"ours too", "caf\udce9": b"not UTF-8"}  # the last: bytes 0xE9
    write_site({**NEW, **odd}, built)
    (built / "mine\u2028too").write_bytes(b"yours")
    write_site(NEW, built)
    assert {k: v for k, v in files_under(built).items() if k != MARKER} == {**NEW, "mine\u2028too": b"yours"}
