"""`pip install .` gives a `counterpoint` command, with the theme and the preview's assets inside the package,
that builds an explainer in any folder holding a site.yaml."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from conftest import GOLDEN, ROOT


def test_the_installed_command_builds_a_site_outside_the_repository(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    # The dependencies are the ones installed for the tests, seen through a .pth file, so that the test needs
    # no network; the package itself is built from the repository and installed for real.
    (purelib,) = {sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"]}
    Path(purelib, "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    source = tmp_path / "source"  # built from a copy: building in place would leave build/ and *.egg-info behind
    skip = shutil.ignore_patterns(".*", "node_modules", "output", "build", "*.egg-info", "__pycache__", "tests")
    shutil.copytree(ROOT, source, ignore=skip)
    subprocess.run([*pip, "--no-index", str(source)], check=True, timeout=300, capture_output=True)
    installed = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import counterpoint, pathlib; print(pathlib.Path(counterpoint.__file__))",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert not installed.startswith(str(ROOT)), "the command must run the installed package, not the repository"
    site = tmp_path / "explainer"
    shutil.copytree(GOLDEN, site, ignore=shutil.ignore_patterns("expected"))
    command = str(venv / "bin" / "counterpoint")
    done = subprocess.run([command, "build", "--strict"], cwd=site, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Built 8 pages (20 files), 16 citations resolved, 0 warnings")
    assert (site / "output" / "pagefind" / "pagefind.js").is_file(), "the installed command indexes for search"
    for page in ("index.html", "topics/shops/index.html", "explainer.json", "explainer.schema.json"):
        assert (site / "output" / page).read_bytes() == (GOLDEN / "expected" / page).read_bytes(), page
    cited = subprocess.run([command, "cite", "takings are up"], cwd=site, capture_output=True, text=True, timeout=60)
    assert cited.stdout.startswith('[@green-gazette ¶8 "takings are up"]'), cited.stderr


def test_build_py_run_elsewhere_by_a_python_without_the_dependencies_says_where_and_what_to_install(
    tmp_path: Path,
) -> None:
    base = Path(sys.base_prefix) / "bin" / "python3"
    # -S: no site-packages, so nothing is installed; the variable stops build.py from handing over to .venv.
    environment = {"PATH": "/usr/bin:/bin", "COUNTERPOINT_IN_VENV": "1"}
    done = subprocess.run(
        [str(base), "-S", str(ROOT / "build.py")], cwd=tmp_path, capture_output=True, text=True, env=environment
    )
    assert done.returncode == 1
    assert "lacks jinja2, markdown_it, mdit_py_plugins, yaml, babel, orjson; install them with\n" in done.stderr
    assert f"  cd {ROOT} && python3 -m venv .venv && .venv/bin/pip install -r requirements.txt\n" in done.stderr
    assert "Traceback" not in done.stderr
