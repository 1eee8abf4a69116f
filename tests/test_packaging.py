"""What `pip install .` puts on a machine: one `tenderscore` namespace holding engine, scoring and rulesets, nothing
generic at the top of site-packages, and packages that refuse to be imported under their bare names."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MAPPED = {"engine": "tenderscore.engine", "scoring": "tenderscore.scoring", "rulesets": "tenderscore.rulesets"}


def source_packages() -> set[str]:
    """Every folder with an __init__.py under the three top-level folders, by the name it installs as."""
    found = set()
    for folder, name in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join([name, *parts]))
    return found


def test_every_package_in_the_tree_is_listed_and_mapped() -> None:
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert setuptools["package-dir"] == {name: folder for folder, name in MAPPED.items()}
    assert set(setuptools["packages"]) == source_packages()


def test_the_wheel_holds_only_the_tenderscore_namespace(tmp_path: Path) -> None:
    # Built from the tracked files alone, as from a fresh clone (nothing generated in this tree can leak in).
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    source = tmp_path / "source"
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), "."],
        cwd=source,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("tenderscore-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    dist_info = {top for top in tops if top.endswith(".dist-info")}
    assert tops - dist_info == {"tenderscore"}
    assert not any(name == "tenderscore/__init__.py" for name in names)  # a namespace: nothing of its own
    for expected in (
        "tenderscore/engine/core.py",
        "tenderscore/scoring/cli/__init__.py",
        "tenderscore/rulesets/stockport.yaml",
        "tenderscore/scoring/output/templates/report.html.j2",
    ):
        assert expected in names
    (top_level,) = [n for n in names if n.endswith("top_level.txt")] or [None]
    if top_level is not None:
        assert zipfile.ZipFile(wheel).read(top_level).decode().split() == ["tenderscore"]


def test_a_bare_engine_folder_in_the_working_directory_is_never_taken_for_ours() -> None:
    # From the repository root `engine/` is importable as a folder; it refuses, so no second copy is loaded.
    bare = subprocess.run([sys.executable, "-c", "import engine"], cwd=ROOT, capture_output=True, text=True)
    assert bare.returncode != 0
    assert "import it as tenderscore.engine" in bare.stderr
    ours = subprocess.run(
        [sys.executable, "-c", "import tenderscore.engine as e; print(e.__name__)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ours.stdout.strip() == "tenderscore.engine", ours.stderr


def test_requires_python_is_what_ci_proves() -> None:
    # .ci/run runs the whole suite on 3.11 and 3.13 (3.12 in between builds as 3.11 does).
    assert PYPROJECT["project"]["requires-python"] == ">=3.11,<3.14"
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "3.11" in run and "3.13" in run
