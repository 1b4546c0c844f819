"""The wheel carries the built-in ontology, shapes and queries, and works outside the repo."""

from __future__ import annotations

import subprocess
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO


@pytest.mark.slow
def test_wheel_ships_ontology_shapes_and_model(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for asset in ("ontology", "shapes"):
        on_disk = sorted(p.name for p in (REPO / asset).glob("*.ttl"))
        assert on_disk, asset
        assert sorted(Path(n).name for n in names if n.startswith(f"tradegraph/assets/{asset}/")) == on_disk
    assert "tradegraph/facts/model.yaml" in names
    kinds = sorted(p.name for p in (REPO / "src" / "tradegraph" / "facts" / "kinds").glob("*.yaml"))
    assert kinds and sorted(Path(n).name for n in names if n.startswith("tradegraph/facts/kinds/")) == kinds
    assert {"tradegraph/export/templates/docs.html.j2", "tradegraph/network/templates/network.js"} <= set(names)


@pytest.mark.slow
def test_fresh_venv_outside_the_repo_builds_the_repo(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # the wheel goes in for real; its dependencies come from this test run's environment (a
    # plain path entry, whose .pth files, like tradegraph's own editable hook, are not read),
    # so the test checks the wheel, not the registry's speed
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True,
                   capture_output=True, timeout=900, cwd=tmp_path)
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    (site / "zz-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    out = tmp_path / "out"
    done = subprocess.run([str(env_dir / "bin" / "tradegraph"), "build", "--project", str(REPO),
                           "--out", str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (out / "graph.ttl").stat().st_size > 10_000
    # a project with only graph/ falls back to the ontology and shapes inside the wheel
    project = tmp_path / "bare"
    (project / "graph").mkdir(parents=True)
    (project / "graph" / "actors.yaml").write_text((REPO / "graph" / "actors.yaml").read_text("utf-8"), "utf-8")
    where = subprocess.run([str(python), "-c", "from tradegraph.project import Project; "
                            f"print(Project.open({str(project)!r}).shape_files()[0])"],
                           capture_output=True, text=True, cwd=tmp_path, check=True)
    assert "site-packages/tradegraph/assets/shapes/" in where.stdout
    done = subprocess.run([str(env_dir / "bin" / "tradegraph"), "build", "--project", str(project)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
