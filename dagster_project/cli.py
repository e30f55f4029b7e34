"""The `pipehealth` command: generate, run, status, rollback, report, metrics, serve, prepare.

Exit codes of `run` are part of the public interface (docs/operations.md): 0 published,
1 stopped by a quality gate (nothing published), 2 any other error. Every command maps
an error it did not expect to 2, with one line on stderr and the traceback in a log file.
"""

from __future__ import annotations

import argparse
import os
import sys
import webbrowser
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.error_report import report_exception
from dagster_project.exit_codes import EXIT_ERROR, EXIT_PUBLISHED
from dagster_project.instance_config import ensure_instance_config
from dagster_project.publish.checksums import mart_lines
from dagster_project.publish.publisher import NothingToRollBackError
from dagster_project.sample_data.scales import SCALES
from dagster_project.settings import REPO_ROOT, Paths, current_paths
from dagster_project.supervise import run_until_stopped
from dagster_project.warehouse_access import WarehouseBusyError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except Exception as error:
        return report_exception(f"pipehealth {args.command} failed", error, _error_log(args))


def _error_log(args: argparse.Namespace) -> Path:
    """Where the traceback of a command that failed goes: the warehouse's logs folder."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return current_paths().warehouse / "logs" / f"pipehealth-{args.command}-{stamp}.log"


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pipehealth", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND", dest="command")

    generate = commands.add_parser("generate", help="write deterministic sample CRM drops")
    generate.add_argument("--scale", choices=list(SCALES), help="preset size (overrides --reps)")
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--reps", type=int, default=40)
    generate.add_argument("--days", type=int, default=730)
    generate.add_argument(
        "--format", dest="file_format", choices=["csv", "parquet", "jsonl"], default="csv"
    )
    generate.add_argument("--out", type=Path, default=None, help="landing folder to write")
    generate.set_defaults(handler=_generate)

    run = commands.add_parser("run", help="load pending drops, gate, build, publish")
    _add_location_options(run)
    run.add_argument("--target", choices=["duckdb", "postgres"], default=None)
    run.add_argument(
        "--verbose",
        action="store_true",
        help="print the gate line of every raw table, not only of those the drops delivered",
    )
    run.set_defaults(handler=_run)

    status = commands.add_parser("status", help="what is loaded and published")
    _add_location_options(status)
    status.set_defaults(handler=_status)

    rollback = commands.add_parser(
        "rollback", help="serve the previous published marts again (run again to undo)"
    )
    _add_location_options(rollback)
    rollback.set_defaults(handler=_rollback)

    metrics = commands.add_parser(
        "metrics",
        help="query the semantic layer's metrics on the served file (MetricFlow; "
        "docs/metrics.md, 'Semantic layer')",
    )
    _add_location_options(metrics)
    metrics.add_argument("--metrics", required=True, help="comma-separated, e.g. win_rate,bookings")
    metrics.add_argument(
        "--group-by",
        default="",
        help="comma-separated, e.g. metric_time__fiscal_quarter,deal_day__owner_id",
    )
    metrics.add_argument(
        "--where",
        action="append",
        default=[],
        help="a filter, e.g. \"{{ Dimension('deal_day__pipeline') }} = 'new_business'\"",
    )
    metrics.set_defaults(handler=_metrics)

    report = commands.add_parser(
        "report", help="rebuild the weekly pipeline review from the served marts"
    )
    _add_location_options(report)
    report.add_argument("--open", action="store_true", help="open it in the web browser")
    report.set_defaults(handler=_report)

    serve = commands.add_parser(
        "serve", help="start the Dagster UI and daemon on this machine (`dagster dev`)"
    )
    _add_location_options(serve)
    serve.add_argument("--port", type=int, default=3000)
    serve.set_defaults(handler=_serve)

    prepare = commands.add_parser(
        "prepare",
        help="parse the dbt project and write DAGSTER_HOME/dagster.yaml "
        "(before starting dagster-webserver or dagster-daemon as services)",
    )
    _add_location_options(prepare)
    prepare.set_defaults(handler=_prepare)
    return parser


def _add_location_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--landing", type=Path, default=None, help="landing folder of drops")
    parser.add_argument("--warehouse", type=Path, default=None, help="warehouse folder")


def _apply_locations(args: argparse.Namespace) -> Paths:
    """Options win over the environment; child processes (dbt, Dagster) inherit both."""
    if args.landing is not None:
        os.environ["PIPEHEALTH_LANDING"] = str(args.landing.resolve())
    if args.warehouse is not None:
        os.environ["PIPEHEALTH_WAREHOUSE"] = str(args.warehouse.resolve())
    paths = current_paths()
    os.environ["PIPEHEALTH_LANDING"] = str(paths.landing)
    os.environ["PIPEHEALTH_WAREHOUSE"] = str(paths.warehouse)
    dagster_home = Path(
        os.environ.setdefault("DAGSTER_HOME", str(paths.warehouse / "dagster_home"))
    )
    ensure_instance_config(dagster_home)
    return paths


def _generate(args: argparse.Namespace) -> int:
    from dagster_project.sample_data import generate, generate_scale

    out = (args.out or current_paths().landing).resolve()
    if args.scale:
        summary = generate_scale(out, args.scale, seed=args.seed, file_format=args.file_format)
    else:
        summary = generate(
            out, seed=args.seed, reps=args.reps, days=args.days, file_format=args.file_format
        )
    print(
        f"Wrote {summary.drops} drops ({summary.first_drop} .. {summary.last_drop}) to {out} "
        f"in {summary.elapsed_seconds:.1f} s"
    )
    for entity, rows in summary.rows.items():
        print(f"  {entity:<20} {rows:>12,} rows")
    return EXIT_PUBLISHED


def _run(args: argparse.Namespace) -> int:
    paths = _apply_locations(args)
    if args.target:
        os.environ["PIPEHEALTH_TARGET"] = args.target
    from dagster_project.run import run_pipeline

    return run_pipeline(paths, verbose=args.verbose)


def _status(args: argparse.Namespace) -> int:
    paths = _apply_locations(args)
    import dagster as dg

    from dagster_project.status import status_lines

    with dg.DagsterInstance.get() as instance:
        for line in status_lines(paths, instance, today=datetime.now(UTC).date()):
            print(line)
    return EXIT_PUBLISHED


def _rollback(args: argparse.Namespace) -> int:
    paths = _apply_locations(args)
    from dagster_project.publish.rollback import roll_back

    try:
        report = roll_back(paths)
    except (NothingToRollBackError, WarehouseBusyError) as error:
        print(f"{error}: nothing was changed.", file=sys.stderr)
        return EXIT_ERROR
    print(f"Rolled back: now serving publish {report.publish_id} at {report.served_database}")
    for line in mart_lines(report.marts):
        print(line)
    return EXIT_PUBLISHED


def _metrics(args: argparse.Namespace) -> int:
    paths = _apply_locations(args)
    from dagster_project.project import prepare_manifest
    from dagster_project.semantic_layer import query_metrics

    prepare_manifest()
    answer = query_metrics(
        paths,
        metrics=_names(args.metrics),
        group_by=_names(args.group_by),
        where=args.where,
    )
    # Six places, as the marts publish figures: never pandas' rounded scientific notation.
    print(answer.to_string(index=False, float_format="{:.6f}".format))
    return EXIT_PUBLISHED


def _names(comma_separated: str) -> list[str]:
    return [name.strip() for name in comma_separated.split(",") if name.strip()]


def _report(args: argparse.Namespace) -> int:
    paths = _apply_locations(args)
    from dagster_project.report.build import rebuild_report

    try:
        result = rebuild_report(paths)
    except (FileNotFoundError, WarehouseBusyError) as error:
        print(f"{error}: no report was built.", file=sys.stderr)
        return EXIT_ERROR
    print(
        f"Weekly review of publish {result.publish_id}: {result.index} "
        f"({result.pages} pages in {result.seconds:.1f} s)"
    )
    if args.open:
        webbrowser.open(result.index.resolve().as_uri())
    return EXIT_PUBLISHED


def _prepare(args: argparse.Namespace) -> int:
    _apply_locations(args)
    from dagster_project.project import dbt_project, prepare_manifest

    prepare_manifest()
    print(f"dbt manifest: {dbt_project.manifest_path}")
    print(f"Dagster instance: {Path(os.environ['DAGSTER_HOME']) / 'dagster.yaml'}")
    return EXIT_PUBLISHED


def _serve(args: argparse.Namespace) -> int:
    _apply_locations(args)
    from dagster_project.project import prepare_manifest

    prepare_manifest()
    command = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        "dagster_project.definitions",
        "-p",
        str(args.port),
    ]
    # `dagster dev` re-parses dbt on every reload with the `dbt` found on PATH.
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment["PATH"]])
    return run_until_stopped(command, cwd=REPO_ROOT, env=environment)


if __name__ == "__main__":
    raise SystemExit(main())
