"""The dbt project as Dagster sees it."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from dagster_project.settings import DBT_PROJECT_DIR, dbt_target

# The dbt installed beside this Python, whether or not the virtualenv is activated.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    target=dbt_target(),
)
# `dagster dev` re-parses on every load so an analyst's SQL edits show at once;
# `pipehealth run`, `make` and the tests prepare the manifest explicitly first.
dbt_project.prepare_if_dev()


# Beside the manifest: what it was parsed from, so an unchanged project is not parsed
# again. A `dbt parse` through DbtCliResource costs about 10 s of CPU even when nothing
# changed (`dbt --version`, every macro loaded in-process, then dbt's own start-up), and
# `pipehealth run` would pay it every night before `dbt build` parses again anyway.
PARSE_STAMP_NAME = "pipehealth_parsed_from.txt"
# Written by dbt, not read by its parser.
NOT_PARSED_FOLDERS = frozenset({"target", "logs", "dbt_packages"})
# Where one installation keeps its files: the profile reads the warehouse folder for the
# DuckDB path, which no parsed node holds, so another installation (a second warehouse,
# each test's own) is the same manifest, not another parse; nor does where dbt writes.
LOCATION_VARIABLES = frozenset({"PIPEHEALTH_LANDING", "PIPEHEALTH_WAREHOUSE", "DBT_TARGET_PATH"})
# How the project's files read the environment: env_var('NAME') or env_var("NAME", default).
ENV_VAR_CALL = re.compile(r"""env_var\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")
# dbt's cache of the last parse: what lets a parse after a small edit take seconds.
PARTIAL_PARSE_NAME = "partial_parse.msgpack"
# dbt's semantic layer (semantic models, metrics), written by the same parse.
SEMANTIC_MANIFEST_NAME = "semantic_manifest.json"


def prepare_manifest(project: DbtProject = dbt_project) -> None:
    """Parse the dbt project into target/manifest.json (what `@dbt_assets` is built from),
    unless that manifest was parsed by this function from the same files, dbt packages and
    environment, and has not been written since."""
    target = project.manifest_path.parent
    stamp = target / PARSE_STAMP_NAME
    inputs = parse_inputs_digest(project.project_dir)
    if stamp.exists() and stamp.read_text() == _stamp_text(project, inputs):
        return
    # Parsed into a folder of this process's own and moved into place in one rename:
    # another process (a second installation, `pipehealth status`) may be reading the
    # manifest meanwhile, and dbt writes it in place, so it would read half a file.
    # dagster-dbt copies target/'s partial-parse cache into it, and the parse's goes back.
    private_target = target / f"parse-{os.getpid()}"
    dbt = DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)
    dbt.cli(["parse", "--quiet"], target_path=private_target).wait()
    os.replace(private_target / PARTIAL_PARSE_NAME, target / PARTIAL_PARSE_NAME)
    os.replace(private_target / project.manifest_path.name, project.manifest_path)
    # What `pipehealth metrics` plans its queries from (dagster_project/semantic_layer.py).
    os.replace(private_target / SEMANTIC_MANIFEST_NAME, target / SEMANTIC_MANIFEST_NAME)
    shutil.rmtree(private_target, ignore_errors=True)
    stamp.write_text(_stamp_text(project, inputs))


def parse_inputs_digest(project_dir: Path) -> str:
    """A digest of what `dbt parse` reads: every file of the project (not dbt's output),
    the installed dbt packages' versions, the target, dbt's own DBT_ settings and the
    variables the project's files read with env_var(), but the locations.

    Other variables of the environment (a run's PIPEHEALTH_PAUSE_AT, an alert URL) are
    not read by dbt, so they are no reason to parse again."""
    files = hashlib.sha256()
    read_variables: set[str] = set()
    for path in _parsed_files(project_dir):
        relative = path.relative_to(project_dir)
        content = path.read_bytes()
        files.update(f"\n{relative.as_posix()}\n".encode())
        files.update(content)
        read_variables.update(ENV_VAR_CALL.findall(content.decode(errors="replace")))
    packages = sorted(
        f"{distribution.metadata['Name']}=={distribution.version}"
        for distribution in importlib.metadata.distributions()
        if distribution.metadata["Name"].lower().startswith("dbt")
    )
    settings = sorted(
        f"{name}={value}"
        for name, value in os.environ.items()
        if (name.startswith("DBT_") or name in read_variables) and name not in LOCATION_VARIABLES
    )
    digest = hashlib.sha256(files.digest())
    digest.update("\n".join([*packages, f"target={dbt_target()}", *settings]).encode())
    return digest.hexdigest()


def _parsed_files(project_dir: Path) -> list[Path]:
    """The project's files, in a stable order; dbt's output folders are not walked (a
    target folder holds thousands of compiled files)."""
    files = []
    for top in project_dir.iterdir():
        if top.name in NOT_PARSED_FOLDERS:
            continue
        files += [top] if top.is_file() else [path for path in top.rglob("*") if path.is_file()]
    return sorted(files)


def _stamp_text(project: DbtProject, inputs: str) -> str:
    # The manifest's own mtime too: a `dbt parse` or `dbt build` run by hand (another
    # target, other vars) rewrites it, and then it is parsed again.
    manifest = project.manifest_path
    written = manifest.stat().st_mtime_ns if manifest.exists() else 0
    return f"{inputs} {written}\n"
