"""The chart JavaScript: Vega, Vega-Lite and vega-embed (BSD-3-Clause) as one script,
from the vl-convert-python package (PyPI), so the report needs no CDN.

Bundling takes a few seconds, so the script is kept per vl-convert version in the
warehouse and copied into each report.
"""

from __future__ import annotations

import os
from pathlib import Path

import vl_convert

CACHE_DIR_NAME = ".report-cache"


def vega_bundle(warehouse: Path) -> Path:
    """The bundled script, written on first use for this vl-convert version."""
    cached = warehouse / CACHE_DIR_NAME / f"vega-{vl_convert.__version__}.js"
    if not cached.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        temporary.write_text(vl_convert.javascript_bundle(), encoding="utf-8")
        os.replace(temporary, cached)
    return cached
