"""Exit codes of `pipehealth run` (public interface: docs/operations.md), and how a gate stop
is told."""

EXIT_PUBLISHED = 0
EXIT_GATE_FAILED = 1
EXIT_ERROR = 2

# A `dagster.Failure` carrying this metadata key is a quality-gate stop, not a crash.
GATE_FAILURE_METADATA_KEY = "stopped_by_quality_gate"
