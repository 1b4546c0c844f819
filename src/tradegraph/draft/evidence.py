"""Evidence checked against the source's own text: every quote must occur in its local copy.

A source file's header may name its stored text (``file:``, a path relative to the project's
folder). Every ``evidence`` quote of that source's facts must then occur in that text, once
whitespace, quote marks, dashes and ellipses are written one way; a quote that does not is an
error with its file and line. A source without a local copy gets one warning.

The local copy is read only when it lies, links resolved, inside the project's folder or one
of the folders the caller allows (``texts``, the CLI's ``--texts``): ``../../etc/passwd`` or a
symlink out of the project is refused unread, with a warning that names the path and never
shows a byte of it. It is read through :func:`tradegraph.files.localfile.read_regular`, so a
FIFO or a device is refused, not waited for.

>>> normalise("“Japan’s  point man” — on\\ntariffs…")
'"Japan\\'s point man" - on tariffs...'
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tradegraph.errors import Location, TradegraphError, printable
from tradegraph.files.localfile import read_regular
from tradegraph.files.yamlfile import YList, YMap, load_yaml
from tradegraph.project import Project

#: The largest local copy read.
MAX_TEXT_BYTES = 8 * 1024 * 1024
_TRANSLATE = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"',
                            "–": "-", "—": "-", "―": "-", "‐": "-", "‑": "-", "−": "-", "\u00a0": " "})


@dataclass(frozen=True)
class Finding:
    """One result of the check: where, what, and whether it is an error or a warning."""

    where: Location
    what: str
    error: bool

    def __str__(self) -> str:
        return f"{self.where}: {printable(self.what)}"


def normalise(text: str) -> str:
    """``text`` with quote marks straight, dashes as ``-``, ``…`` as ``...`` and runs of white
    space as one space: the form quotes and the local copy are compared in."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).replace("…", "...")
    return re.sub(r"\s+", " ", text).strip()


def check_evidence(project: Project, *, texts: Sequence[Path] = (), files: Sequence[Path] | None = None) \
        -> list[Finding]:
    """Check every source file of ``project`` (or ``files``) against its local copy."""
    allowed = [Path(os.path.realpath(project.root)), *(Path(os.path.realpath(t)) for t in texts)]
    findings: list[Finding] = []
    for path in files if files is not None else project.source_files():
        shown = project.relative(path)
        doc = load_yaml(path, shown)
        header = doc.get("source") if isinstance(doc, YMap) else None
        if not isinstance(header, YMap):
            continue
        facts = doc.get("facts")
        items = [item for item in facts if isinstance(item, YMap)] if isinstance(facts, YList) else []
        copy = header.get("file")
        if not isinstance(copy, str) or not copy.strip():
            findings.append(Finding(header.where(), f"source '{header.get('id')}' has no local copy (`file:`), so "
                                    "its evidence is not checked against its text", False))
            continue
        text = _local_copy(project, copy, header.where("file"), allowed, findings)
        if text is None:
            continue
        for item in items:
            for quote in _quotes(item.get("evidence")):
                if normalise(quote) not in text:
                    findings.append(Finding(item.where("evidence"), f"the evidence of '{item.get('id')}' is not in "
                                            f"the local copy {copy}: {quote[:80]!r}", True))
    return findings


def _local_copy(project: Project, copy: str, where: Location, allowed: list[Path],
                findings: list[Finding]) -> str | None:
    """The normalised text of the local copy, or ``None`` (with a finding) when it may not or cannot be read."""
    path = Path(os.path.realpath(project.root / copy))
    if not any(path == root or root in path.parents for root in allowed):
        findings.append(Finding(where, f"the local copy {copy} lies outside the project's folder, so it is not "
                                "read and the evidence is not checked (pass --texts DIR to allow its folder)", False))
        return None
    if not path.exists():
        findings.append(Finding(where, f"the local copy {copy} does not exist, so the evidence is not checked", False))
        return None
    try:
        data = read_regular(path, what="a plain-text copy of the source", max_bytes=MAX_TEXT_BYTES, shown=copy)
        return normalise(data.decode("utf-8-sig"))
    except TradegraphError as error:
        findings.append(Finding(where, f"the local copy cannot be read: {error.what}", True))
    except UnicodeDecodeError:
        findings.append(Finding(where, f"the local copy {copy} is not UTF-8 text", True))
    return None


def _quotes(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
