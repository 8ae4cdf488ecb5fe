"""Build the explainer: `python build.py --help` lists the commands and options."""

import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_PYTHON = HERE / ".venv" / "bin" / "python"
INSTALL = f"cd {HERE} && python3 -m venv .venv && .venv/bin/pip install -r requirements.txt"


def dependencies_missing() -> list[str]:
    """Return the required packages this Python cannot import."""
    needed = ("jinja2", "markdown_it", "mdit_py_plugins", "yaml", "babel", "orjson")
    return [name for name in needed if not importlib.util.find_spec(name)]


if __name__ == "__main__":
    missing = dependencies_missing()
    if missing:
        # Run under the project's own environment when the README's install command made one.
        if VENV_PYTHON.exists() and not os.environ.get("COUNTERPOINT_IN_VENV"):
            os.environ["COUNTERPOINT_IN_VENV"] = "1"
            os.execv(VENV_PYTHON, [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])
        sys.exit(
            f"build.py: this Python ({sys.executable}) lacks {', '.join(missing)}; install them with\n"
            f"  {INSTALL}\nthen run `python build.py` again (it uses .venv by itself)."
        )
    from counterpoint.cli import main

    status = main(tidy_later=True)
    # Freeing every object of a large site one by one takes a second: nothing is left to close, so skip it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
