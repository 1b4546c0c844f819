"""Every kind of bad fact file gives one pinned message, exit code 1, and no traceback.

Each file in tests/bad/ is dropped into a copy of the minimal project (as
graph/sources/bad.yaml, or graph/extra.yaml for `actors-*` cases); its last line,
`# expect: ...`, is the exact message the build must print after `error: `.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tradegraph.files import yamlfile

BAD = Path(__file__).resolve().parent / "bad"
CASES = sorted(BAD.glob("*.yaml"))


def _expected(case: Path) -> str:
    last = case.read_text(encoding="utf-8").rstrip("\n").splitlines()[-1]
    assert last.startswith("# expect: "), f"{case.name} has no `# expect:` line"
    return last[len("# expect: "):]


def _place(case: Path, project: Path) -> Path:
    name = "extra.yaml" if case.name.startswith("actors-") else "sources/bad.yaml"
    target = project / "graph" / name
    shutil.copy(case, target)
    return target


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_bad_fact_file_gives_its_message(case: Path, minimal: Path, cli) -> None:
    _place(case, minimal)
    run = cli("build", "--project", str(minimal))
    assert run.code == 1
    assert run.err == f"error: {_expected(case)}\n"
    assert "Traceback" not in run.err
    assert not (minimal / "build").exists()


def _write(project: Path, data: bytes) -> None:
    (project / "graph" / "sources" / "bad.yaml").write_bytes(data)


GENERATED = {
    "empty": (b"", "graph/sources/bad.yaml:1: the file is empty; expected a YAML mapping with `source:` "
              "and `facts:` (or `actors:`) (hint: see graph/sources/ for an example, or run "
              "`tradegraph new-source`)"),
    "whitespace-only": (b"  \n\n", "graph/sources/bad.yaml:1: the file is empty; expected a YAML mapping "
                        "with `source:` and `facts:` (or `actors:`) (hint: see graph/sources/ for an "
                        "example, or run `tradegraph new-source`)"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "graph/sources/bad.yaml:3: not a text file (it "
               "contains NUL bytes); expected UTF-8 YAML text (hint: is this the right file?)"),
    "latin-1": ("source:\n  title: Préfecture\n".encode("latin-1"), "graph/sources/bad.yaml:2: the file "
                "is not UTF-8 (byte 0xe9 at offset 19); expected UTF-8 text (hint: re-save the file as "
                "UTF-8 in your editor)"),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_bad_file_gives_its_message(name: str, minimal: Path, cli) -> None:
    data, message = GENERATED[name]
    _write(minimal, data)
    run = cli("build", "--project", str(minimal))
    assert (run.code, run.err) == (1, f"error: {message}\n")


def test_huge_file_is_refused_before_parsing(minimal: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlfile, "MAX_BYTES", 1500)
    _write(minimal, b"# padding\n" * 200)
    run = cli("build", "--project", str(minimal))
    assert (run.code, run.err) == (1, "error: graph/sources/bad.yaml: file is too large (2,000 bytes); "
                                      "expected a fact file under 1,500 bytes (hint: split it into several "
                                      "source files)\n")


def test_default_size_limit_is_a_few_megabytes() -> None:
    assert 1_000_000 <= yamlfile.MAX_BYTES <= 64_000_000


def test_alias_bomb_is_refused(minimal: Path, cli) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, "
              f"*a{i-1}, *a{i-1}]" for i in range(1, 8)]
    _write(minimal, ("\n".join(lines) + "\n").encode())
    run = cli("build", "--project", str(minimal))
    assert run.code == 1
    assert run.err == ("error: graph/sources/bad.yaml:1: the document expands to more than 1,000,904 values and "
                       "characters through YAML aliases; expected a fact file that is about as long as it looks "
                       "(hint: YAML aliases (*name) are expanding too far; write the values out)\n")


def test_yaml_one_one_booleans_stay_text(minimal: Path) -> None:
    data = yamlfile.parse_yaml("on: yes\nlist: [no, off, true]\n", "x.yaml")
    assert data == {"on": "yes", "list": ["no", "off", True]}
