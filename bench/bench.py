"""The pipehealth benchmark: the real pipeline against the engine floor and a pandas peer.

    python bench/bench.py --scale M [--work DIR] [--results bench/RESULTS.md]

For one generated scale it measures, in one run and on one machine:
- full build: `pipehealth run` over every drop but the last, wall time split by stage
  (load, raw gate, dbt, publish), and the peak RSS of the whole process tree;
- nightly incremental: the last day's drop added, `pipehealth run` again;
- the floor (bench/floor.py): the compiled SQL of every model in one bare DuckDB
  connection, on a copy of the built warehouse;
- the peer (bench/peer.py): pandas over the landing CSV drops for three marts,
  asserted equal to the marts.
`--pipeline-only` measures the full build and the nightly alone: at L the references
take a quarter of an hour more, which a before/after pair of the pipeline can spare.
Results are appended to RESULTS.md, earlier runs kept. Engine settings come from
PIPEHEALTH_DUCKDB_MEMORY_LIMIT / PIPEHEALTH_DUCKDB_THREADS, as for the dbt profile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from dagster_project.settings import SERVED_DATABASE_NAME

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
BIN = Path(sys.executable).parent
SAMPLE_SECONDS = 0.1
# Sizes of the one-drop raw gate memory probe: about a full deals export at each scale.
RAW_GATE_MEMORY_ROWS = {
    "XS": (10_000,),
    "S": (100_000, 300_000),
    "M": (1_000_000, 3_000_000),
    "L": (3_000_000,),
}


@dataclass
class Measured:
    """A child process's wall time, peak RSS of its tree and its JSON report."""

    wall_seconds: float
    peak_rss_bytes: int
    report: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class References:
    """What the pipeline is measured against, and the probes run beside it."""

    floor: Measured
    peer: Measured
    raw_gate_memory: str
    snapshot_parquet: str


class MeasuredFailure(Exception):
    """A measured command exited non-zero; carries what was measured up to then."""

    def __init__(self, command: list[str], returncode: int, log: Path, measured: Measured) -> None:
        super().__init__(f"{' '.join(command)} failed ({returncode}); see {log}")
        self.returncode = returncode
        self.measured = measured


def run_measured(command: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run `command`, sampling the summed RSS of it and all its descendants."""
    started = time.perf_counter()
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=log_file, text=True
        )
        peak = _PeakSampler(process.pid)
        peak.start()
        stdout, _ = process.communicate()
        peak.stop()
    wall_seconds = time.perf_counter() - started
    log.with_suffix(".out").write_text(stdout)
    if process.returncode != 0:
        failed = Measured(wall_seconds, peak.peak_bytes)
        raise MeasuredFailure(command, process.returncode, log, failed)
    # Our scripts report as JSON on their last line; other commands report nothing.
    last_line = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    report = json.loads(last_line) if last_line.startswith("{") else {}
    return Measured(wall_seconds, peak.peak_bytes, report)


class _PeakSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_bytes = 0
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stopped.is_set():
            total = 0
            try:
                for process in [root, *root.children(recursive=True)]:
                    try:
                        total += process.memory_info().rss
                    except psutil.NoSuchProcess:
                        continue
            except psutil.NoSuchProcess:
                return
            self.peak_bytes = max(self.peak_bytes, total)
            self._stopped.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def generate(scale: str, seed: int, all_drops: Path, log_dir: Path) -> None:
    if all_drops.exists() and any(all_drops.iterdir()):
        return
    command = [str(BIN / "pipehealth"), "generate", "--scale", scale, "--seed", str(seed)]
    run_measured([*command, "--out", str(all_drops)], dict(os.environ), log_dir / "generate.log")


def link_drops(all_drops: Path, landing: Path, *, leave_out_last: bool) -> str:
    """Symlink the drop folders into `landing`; return the name of the last drop."""
    folders = sorted(path for path in all_drops.iterdir() if path.is_dir())
    landing.mkdir(parents=True, exist_ok=True)
    for folder in folders[:-1] if leave_out_last else folders:
        link = landing / folder.name
        if not link.exists():
            link.symlink_to(folder)
    return folders[-1].name


def pipeline_environment(landing: Path, warehouse: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PIPEHEALTH_LANDING": str(landing),
        "PIPEHEALTH_WAREHOUSE": str(warehouse),
        "DAGSTER_HOME": str(warehouse / "dagster_home"),
        "PIPEHEALTH_TARGET": "duckdb",
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }


def run_pipeline(env: dict[str, str], log: Path) -> Measured:
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    return run_measured([str(BIN / "python"), str(BENCH_DIR / "timed_run.py")], env, log)


def run_floor(env: dict[str, str], warehouse: Path, work: Path, log_dir: Path) -> Measured:
    target = work / "dbt_target"
    subprocess.run(
        [
            str(BIN / "dbt"),
            "compile",
            "--quiet",
            # Compiled as a first build: an incremental model's SQL must not read itself.
            "--full-refresh",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
            "--log-path",
            str(work / "dbt_logs"),
        ],
        cwd=REPO_ROOT / "dbt",
        env=env,
        check=True,
    )
    floor_dir = work / "floor"
    shutil.rmtree(floor_dir, ignore_errors=True)
    floor_dir.mkdir()
    # The copy keeps the name build.duckdb: compiled SQL addresses the catalog "build".
    shutil.copy(warehouse / "build.duckdb", floor_dir / "build.duckdb")
    command = [
        str(BIN / "python"),
        str(BENCH_DIR / "floor.py"),
        str(target / "manifest.json"),
        str(floor_dir / "build.duckdb"),
    ]
    log = log_dir / "floor.log"
    try:
        return run_measured(command, env, log)
    except MeasuredFailure as failure:
        # Recorded, not fatal: the nightly run and the peer are still worth measuring.
        # A floor killed by a signal leaves no traceback in its log.
        error = log.read_text().strip().splitlines() or [f"exit {failure.returncode}"]
        stopped = failure.measured
        return Measured(stopped.wall_seconds, stopped.peak_rss_bytes, {"failed": error[-1]})
    finally:
        shutil.rmtree(floor_dir, ignore_errors=True)


def run_peer(landing: Path, warehouse: Path, log_dir: Path) -> Measured:
    """bench/peer.py fails (and so does the benchmark) when its results differ from the marts.

    A peer killed by a signal (the kernel's OOM killer) is a result, not a harness error:
    it is recorded with its time and peak RSS until then."""
    command = [
        str(BIN / "python"),
        str(BENCH_DIR / "peer.py"),
        str(landing),
        str(warehouse / "build.duckdb"),
    ]
    try:
        return run_measured(command, dict(os.environ), log_dir / "peer.log")
    except MeasuredFailure as failure:
        if failure.returncode >= 0:
            raise
        killed = failure.measured
        return Measured(
            killed.wall_seconds, killed.peak_rss_bytes, {"killed_by": -failure.returncode}
        )


def run_raw_gate_memory(scale: str, log_dir: Path) -> str:
    """bench/raw_gate_memory.py: the raw gate's peak RSS against drop and chunk size."""
    rows = [str(count) for count in RAW_GATE_MEMORY_ROWS[scale]]
    return run_bench_script("raw_gate_memory.py", ["--rows", *rows], log_dir)


def run_snapshot_parquet(warehouse: Path, log_dir: Path) -> str:
    """bench/snapshot_parquet.py on the served file of the nightly run: the snapshot's
    Parquet as one file against a folder a month."""
    return run_bench_script("snapshot_parquet.py", [str(warehouse / SERVED_DATABASE_NAME)], log_dir)


def run_bench_script(script: str, arguments: list[str], log_dir: Path) -> str:
    """Run bench/`script` in its own process; the table it prints last (after a blank
    line), its whole output kept in the log folder."""
    completed = subprocess.run(
        [str(BIN / "python"), str(BENCH_DIR / script), *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    log = f"{Path(script).stem}.log"
    (log_dir / log).write_text(completed.stdout + completed.stderr)
    if completed.returncode != 0:
        return f"failed, see {log}"
    return completed.stdout.strip().split("\n\n")[-1]


def machine_description() -> str:
    memory_gib = psutil.virtual_memory().total / 2**30
    return (
        f"{platform.processor() or platform.machine()}, {psutil.cpu_count()} cores, "
        f"{memory_gib:.0f} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _stages(measured: Measured) -> dict[str, float]:
    stages = measured.report.get("stages", {})
    assert isinstance(stages, dict)
    split = {name: float(seconds) for name, seconds in stages.items()}
    # What no step covers: imports, the dbt parse before the job, Dagster's own start.
    split["other"] = float(measured.report["wall_seconds"]) - sum(  # type: ignore[arg-type]
        seconds for name, seconds in split.items() if name != "other"
    )
    return split


def _ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None:
        return "not measured (see above)"
    return f"{numerator / denominator:.2f}"


def _pipeline_seconds_of(full: Measured, floor: Measured) -> float:
    """The full build's dbt node time on the models the floor timed for the peer."""
    model_seconds = full.report.get("model_seconds", {})
    peer_model_ids = floor.report["peer_model_ids"]
    assert isinstance(model_seconds, dict) and isinstance(peer_model_ids, list)
    return sum(float(model_seconds.get(unique_id, 0.0)) for unique_id in peer_model_ids)


def results_section(
    scale: str,
    full: Measured,
    incremental: Measured,
    references: References | None,
    note: str,
) -> str:
    full_stages, incremental_stages = _stages(full), _stages(incremental)
    gib = 2**30
    lines = [
        f"## Scale {scale}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {machine_description()}. DuckDB memory_limit "
        f"{os.environ.get('PIPEHEALTH_DUCKDB_MEMORY_LIMIT', '8GB')}, threads "
        f"{os.environ.get('PIPEHEALTH_DUCKDB_THREADS', '2')}.",
    ]
    if note:
        lines += ["", note]
    lines += [
        "",
        "| figure | full build | nightly incremental |",
        "|---|---:|---:|",
        f"| wall time, whole run (s) | {full.wall_seconds:.1f} | {incremental.wall_seconds:.1f} |",
    ]
    for stage in ("load", "raw_gate", "dbt", "publish", "other"):
        label = "start-up: imports, dbt parse" if stage == "other" else stage
        lines.append(
            f"| {label} (s) | {full_stages.get(stage, 0.0):.1f} | "
            f"{incremental_stages.get(stage, 0.0):.1f} |"
        )
    lines += [
        f"| peak RSS, process tree (GiB) | {full.peak_rss_bytes / gib:.2f} | "
        f"{incremental.peak_rss_bytes / gib:.2f} |",
    ]
    if references is None:
        lines += ["", "References (floor, peer, probes): not run (`--pipeline-only`)."]
        return "\n".join(lines) + "\n"
    floor, peer = references.floor, references.peer
    lines += [
        "",
        "| reference | seconds | peak RSS (GiB) |",
        "|---|---:|---:|",
    ]
    floor_seconds = peer_marts_floor_seconds = peer_seconds = peer_marts_pipeline_seconds = None
    if "failed" in floor.report:
        lines.append(
            f"| floor: compiled models in bare DuckDB - failed after ({floor.report['failed']}) "
            f"| {floor.wall_seconds:.1f} | {floor.peak_rss_bytes / gib:.2f} |"
        )
    else:
        floor_seconds = float(floor.report["floor_seconds"])  # type: ignore[arg-type]
        peer_marts_floor_seconds = float(floor.report["peer_marts_floor_seconds"])  # type: ignore[arg-type]
        peer_marts_pipeline_seconds = _pipeline_seconds_of(full, floor)
        lines += [
            f"| floor: compiled models in bare DuckDB | {floor_seconds:.1f} | "
            f"{floor.peak_rss_bytes / gib:.2f} |",
            f"| floor, the peer's 3 marts and the models upstream of them | "
            f"{peer_marts_floor_seconds:.1f} | |",
            f"| pipeline, the same models (their dbt node times in the full build) | "
            f"{peer_marts_pipeline_seconds:.1f} | |",
        ]
    if "peer_seconds" in peer.report:
        peer_seconds = float(peer.report["peer_seconds"])  # type: ignore[arg-type]
        lines.append(
            f"| peer: pandas, 3 marts (asserted equal to the marts) | {peer_seconds:.1f} | "
            f"{peer.peak_rss_bytes / gib:.2f} |"
        )
    else:
        lines.append(
            f"| peer: pandas, 3 marts - killed by signal {peer.report['killed_by']} "
            f"(out of memory) after | {peer.wall_seconds:.1f} | {peer.peak_rss_bytes / gib:.2f} |"
        )
    dbt_seconds = full_stages.get("dbt", 0.0)
    lines += [
        "",
        "| ratio | value |",
        "|---|---:|",
        f"| pipeline dbt stage / floor | {_ratio(dbt_seconds, floor_seconds)} |",
        f"| whole pipeline / floor | {_ratio(full.wall_seconds, floor_seconds)} |",
        f"| incremental / full (whole run) | "
        f"{_ratio(incremental.wall_seconds, full.wall_seconds)} |",
        f"| pandas peer (3 marts) / pipeline dbt stage (every model and test) | "
        f"{_ratio(peer_seconds, dbt_seconds)} |",
        f"| pandas peer / floor of the same 3 marts and their upstream models | "
        f"{_ratio(peer_seconds, peer_marts_floor_seconds)} |",
        f"| pandas peer / the pipeline's own time for those models | "
        f"{_ratio(peer_seconds, peer_marts_pipeline_seconds)} |",
        "",
        "Raw gate memory (bench/raw_gate_memory.py: one synthetic deals drop, gated alone):",
        "",
        "```",
        references.raw_gate_memory,
        "```",
        "",
        "The snapshot's Parquet (bench/snapshot_parquet.py, on the nightly run's served file):",
        "",
        "```",
        references.snapshot_parquet,
        "```",
    ]
    return "\n".join(lines) + "\n"


def append_results(results: Path, section: str) -> None:
    header = (
        "# pipehealth benchmark results\n\n"
        "Written by `make bench SCALE=...` (bench/bench.py); newest last, earlier runs kept.\n"
    )
    existing = results.read_text() if results.exists() else header
    results.write_text(existing.rstrip("\n") + "\n\n" + section)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(RAW_GATE_MEMORY_ROWS), default="S")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "bench" / "work")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "RESULTS.md")
    parser.add_argument("--note", default=os.environ.get("PIPEHEALTH_BENCH_NOTE", ""))
    parser.add_argument(
        "--drops", type=Path, default=None, help="existing drops to use instead of generating"
    )
    parser.add_argument(
        "--pipeline-only",
        action="store_true",
        help="the full build and the nightly only: no floor, peer or probes",
    )
    args = parser.parse_args()

    work = (args.work / args.scale).resolve()
    all_drops, landing, warehouse = work / "drops", work / "landing", work / "warehouse"
    log_dir = work / "logs"
    # A fresh landing and warehouse each time; the generated drops are kept.
    shutil.rmtree(landing, ignore_errors=True)
    shutil.rmtree(warehouse, ignore_errors=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    warehouse.mkdir(parents=True)

    if args.drops is not None:
        all_drops = args.drops.resolve()
    generate(args.scale, args.seed, all_drops, log_dir)
    env = pipeline_environment(landing, warehouse)
    last_drop = link_drops(all_drops, landing, leave_out_last=True)
    full = run_pipeline(env, log_dir / "full.log")
    print(f"full build: {full.wall_seconds:.1f} s {full.report}", flush=True)
    floor = peer = None
    if not args.pipeline_only:
        floor = run_floor(env, warehouse, work, log_dir)
        print(f"floor: {floor.report}", flush=True)
        peer = run_peer(landing, warehouse, log_dir)
        print(f"peer: {peer.report}", flush=True)
    link_drops(all_drops, landing, leave_out_last=False)
    incremental = run_pipeline(env, log_dir / "incremental.log")
    print(f"incremental ({last_drop}): {incremental.wall_seconds:.1f} s", flush=True)
    references = None
    if floor is not None and peer is not None:
        references = References(
            floor,
            peer,
            run_raw_gate_memory(args.scale, log_dir),
            run_snapshot_parquet(warehouse, log_dir),
        )

    section = results_section(args.scale, full, incremental, references, args.note)
    append_results(args.results, section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
