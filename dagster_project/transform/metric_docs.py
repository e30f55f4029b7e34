"""dbt's docs blocks for the metrics, copied from docs/metrics.md, the one place a metric
is defined.

In docs/metrics.md a definition is one list item between the lines `<!-- docs NAME -->`
and `<!-- enddocs -->` (HTML comments, so the page reads the same on GitHub). This module
writes each as `{% docs NAME %}` into dbt/models/marts/_metrics.md, without its list
marker; a mart column named NAME takes `{{ doc("NAME") }}` as its description.
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
LIST_ITEM_MARKER = "- "
HEADER = (
    "Generated from docs/metrics.md by `make metric-docs`: edit the definitions there.\n"
    "dbt reads only the docs blocks below.\n"
)


def metric_definitions(markdown: str) -> dict[str, str]:
    """Each marked definition of docs/metrics.md by name: its list item's text."""
    definitions: dict[str, str] = {}
    for name, item in DEFINITION.findall(markdown):
        if name in definitions:
            raise ValueError(f"docs/metrics.md defines {name!r} twice")
        if not item.startswith(LIST_ITEM_MARKER):
            raise ValueError(f"docs/metrics.md: the definition of {name!r} is not a list item")
        first_line, _, rest = item.removeprefix(LIST_ITEM_MARKER).partition("\n")
        definitions[name] = (first_line + "\n" + textwrap.dedent(rest)).strip()
    return definitions


def docs_blocks(definitions: dict[str, str]) -> str:
    """The dbt file holding one docs block per definition, in the page's order."""
    blocks = [
        f"{{% docs {name} %}}\n{text}\n{{% enddocs %}}\n" for name, text in definitions.items()
    ]
    return "\n".join([HEADER, *blocks])


def main() -> None:
    DOCS_BLOCKS_FILE.write_text(docs_blocks(metric_definitions(METRICS_DOC.read_text())))
    print(f"wrote {DOCS_BLOCKS_FILE.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
