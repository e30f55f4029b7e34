"""The raw quality gate: the Great Expectations suites in `expectations/` run as blocking
Dagster asset checks on the drops of `raw.<entity>` that have not passed the gate yet."""
