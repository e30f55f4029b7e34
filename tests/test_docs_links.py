"""The docs stand alone: every relative link of README.md and docs/ resolves (file and
heading), no tracked file refers to a document outside the repository, and
docs/metrics.md names every column of every mart."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from markdown_it import MarkdownIt

from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
METRICS_DOC = REPO_ROOT / "docs" / "metrics.md"

# The engineers' design notes and their workspace live outside the repository, so a
# clone lacks them; the third-party exports the tests read are in tests/fixtures/.
# (Put together from pieces, so this file does not name them itself.)
OUTSIDE_REFERENCE = re.compile(
    "|".join(
        re.escape(piece + suffix)
        for piece, suffix in [("METRICS", ".md"), ("DESIGN", ".md"), ("..", "/shared")]
    )
)


def markdown_links(path: Path) -> list[str]:
    """Targets of the links and images of a Markdown file, outside code."""
    targets = []
    for token in MarkdownIt("commonmark").enable("table").parse(path.read_text()):
        for child in token.children or []:
            if child.type == "link_open":
                targets.append(str(child.attrs["href"]))
            elif child.type == "image":
                targets.append(str(child.attrs["src"]))
    return targets


def heading_anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings: lower case, punctuation dropped,
    spaces to hyphens."""
    tokens = MarkdownIt("commonmark").enable("table").parse(path.read_text())
    headings = [
        tokens[index + 1].content
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def relative_links() -> list[tuple[Path, str]]:
    return [
        (doc, target)
        for doc in DOCS
        for target in markdown_links(doc)
        if not urlsplit(target).scheme and not target.startswith("mailto:")
    ]


def test_the_docs_have_relative_links_to_check() -> None:
    linked = {doc.name for doc, _ in relative_links()}
    assert {"README.md", "metrics.md", "bi.md", "operations.md"} <= linked


@pytest.mark.parametrize(
    ("doc", "target"),
    relative_links(),
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_a_relative_link_resolves(doc: Path, target: str) -> None:
    parts = urlsplit(target)
    linked = (doc.parent / unquote(parts.path)).resolve() if parts.path else doc

    assert linked.exists(), f"{doc.relative_to(REPO_ROOT)}: {target} does not exist"
    assert linked.is_relative_to(REPO_ROOT), f"{doc.name}: {target} leaves the repository"
    if parts.fragment:
        assert linked.suffix == ".md", f"{doc.name}: {target}: an anchor into a non-Markdown file"
        assert parts.fragment in heading_anchors(linked), (
            f"{doc.relative_to(REPO_ROOT)}: {target}: no such heading"
        )


def test_no_tracked_file_refers_to_a_document_outside_the_repository() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    offending = []
    for name in filter(None, tracked):
        path = REPO_ROOT / name.decode()
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_bytes().decode(errors="ignore").splitlines()):
            if OUTSIDE_REFERENCE.search(line):
                offending.append(f"{name.decode()}:{number + 1}: {line.strip()}")

    assert offending == []


def test_the_outside_reference_pattern_finds_each_outside_document() -> None:
    design, metrics, shared = "DESIGN" + ".md", "METRICS" + ".md", ".." + "/shared"
    assert OUTSIDE_REFERENCE.search(f"see {metrics}, section Stages")
    assert OUTSIDE_REFERENCE.search(f"({design} 'Marts')")
    assert OUTSIDE_REFERENCE.search(f"[spec]({shared}/spec.md)")
    assert OUTSIDE_REFERENCE.search(f"test data in {shared}/data/maven_crm")
    assert not OUTSIDE_REFERENCE.search("see docs/metrics.md")
    assert not OUTSIDE_REFERENCE.search("tests/fixtures/third_party/maven_crm")


def mart_columns() -> dict[str, list[str]]:
    """Every column of every mart model in the dbt YAML, lineage columns left out."""
    marts = {}
    for yml in sorted((DBT_PROJECT_DIR / "models" / "marts").rglob("*.yml")):
        for model in yaml.safe_load(yml.read_text()).get("models", []):
            marts[model["name"]] = [column["name"] for column in model.get("columns", [])]
    return marts


def test_the_metrics_doc_names_every_column_of_every_mart() -> None:
    sections = dict(
        re.findall(r"^### (\w+)\n(.*?)(?=^### |\Z)", METRICS_DOC.read_text(), re.S | re.M)
    )
    marts = mart_columns()
    assert len(marts) >= 14

    missing_marts = sorted(set(marts) - set(sections))
    assert missing_marts == [], "docs/metrics.md has no section for these marts"
    missing_columns = {
        mart: [column for column in columns if not re.search(rf"\b{column}\b", sections[mart])]
        for mart, columns in marts.items()
    }
    assert {mart: columns for mart, columns in missing_columns.items() if columns} == {}
