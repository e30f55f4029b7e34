"""dbt's docs blocks for the metrics, copied from docs/metrics.md, the one place a metric
is defined.

In docs/metrics.md a definition is one list item, `- **NAME** ...`, between the lines
`<!-- docs NAME -->` and `<!-- enddocs -->` (HTML comments, so the page reads the same on
GitHub). This module writes each as `{% docs NAME %}` into dbt/models/marts/_metrics.md,
without its list marker and bold (dbt docs shows a column's description as plain text in
its table), and lists them all as the metric glossary on the docs site's overview page. A
mart column named NAME takes `{{ doc("NAME") }}` as its description.
`python -m dagster_project.transform.metric_docs` (`make metric-docs`) rewrites the file;
tests/test_metric_docs.py fails when it, or a column's description, drifts.
"""

from __future__ import annotations

import re
import textwrap

from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT

METRICS_DOC = REPO_ROOT / "docs" / "metrics.md"
DOCS_BLOCKS_FILE = DBT_PROJECT_DIR / "models" / "marts" / "_metrics.md"

DEFINITION = re.compile(r"^<!-- docs (\w+) -->\n(.*?)^<!-- enddocs -->$", re.M | re.S)
HEADER = (
    "Generated from docs/metrics.md by `make metric-docs`: edit the definitions there.\n"
    "dbt reads only the docs blocks below.\n"
)
OVERVIEW = """\
# pipehealth

A sales-pipeline warehouse: raw CRM extracts are loaded, gated by data-quality checks and
modelled here into the marts (schema `marts`) that BI tools read from the published file.
The repository's docs/metrics.md holds every rule behind these figures.

## Metric glossary

Each mart column of one of these names is described by its definition.

"""


def metric_definitions(markdown: str) -> dict[str, str]:
    """Each marked definition of docs/metrics.md by name: its list item's text without
    the list marker and the bold of the name."""
    definitions: dict[str, str] = {}
    for name, item in DEFINITION.findall(markdown):
        if name in definitions:
            raise ValueError(f"docs/metrics.md defines {name!r} twice")
        opening = f"- **{name}**"
        if not item.startswith(opening):
            raise ValueError(f"docs/metrics.md: the definition of {name!r} is not `{opening}...`")
        first_line, _, rest = item.removeprefix("- **").replace("**", "", 1).partition("\n")
        definitions[name] = (first_line + "\n" + textwrap.dedent(rest)).strip()
    return definitions


def glossary_item(name: str, text: str) -> str:
    """A definition as a Markdown list item, its name in bold."""
    return "- **" + text.replace(name, f"{name}**", 1).replace("\n", "\n  ")


def docs_blocks(definitions: dict[str, str]) -> str:
    """The dbt file: the overview page with the glossary, then one docs block per
    definition, in the page's order."""
    glossary = "\n".join(glossary_item(name, text) for name, text in definitions.items())
    overview = f"{{% docs __overview__ %}}\n{OVERVIEW}{glossary}\n{{% enddocs %}}\n"
    blocks = [
        f"{{% docs {name} %}}\n{text}\n{{% enddocs %}}\n" for name, text in definitions.items()
    ]
    return "\n".join([HEADER, overview, *blocks])


def main() -> None:
    """Rewrite the dbt file when the definitions changed (a dbt run may be reading it)."""
    blocks = docs_blocks(metric_definitions(METRICS_DOC.read_text()))
    if not DOCS_BLOCKS_FILE.exists() or DOCS_BLOCKS_FILE.read_text() != blocks:
        DOCS_BLOCKS_FILE.write_text(blocks)
        print(f"wrote {DOCS_BLOCKS_FILE.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
