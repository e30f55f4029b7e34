"""`pipehealth metrics`: the metrics of dbt's semantic layer (MetricFlow), answered on the
served file.

MetricFlow plans each query from dbt's semantic manifest (written beside the manifest by
the parse every run does) and renders DuckDB SQL. The SQL runs on the served file opened
read-only, as a BI tool opens it: published marts only, never the build database, so a
query neither waits for a run nor blocks one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd
from dbt_metricflow.cli.dbt_connectors.dbt_config_accessor import dbtArtifacts
from metricflow.data_table.mf_table import MetricFlowDataTable
from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
from metricflow.protocols.sql_client import SqlClient, SqlEngine
from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
from metricflow.sql.render.sql_plan_renderer import SqlPlanRenderer
from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup
from metricflow_semantics.sql.sql_bind_parameters import SqlBindParameterSet

from dagster_project.settings import DBT_PROJECT_DIR, Paths
from dagster_project.sql_text import quote_identifier, string_literal

NO_BIND_PARAMETERS = SqlBindParameterSet()


class ServedFileClient(SqlClient):
    """MetricFlow's SQL client on the served DuckDB file, read-only. The semantic manifest
    names the tables in the build database's catalog (`build.marts.<mart>`): the served
    file, which holds the same `marts` schema, is attached under that name."""

    def __init__(self, served_database: Path, catalog: str) -> None:
        self._connection = duckdb.connect()
        served = string_literal(str(served_database))
        self._connection.execute(f"attach {served} as {quote_identifier(catalog)} (read_only)")

    @property
    def sql_engine_type(self) -> SqlEngine:
        return SqlEngine.DUCKDB

    @property
    def sql_plan_renderer(self) -> SqlPlanRenderer:
        return DuckDbSqlPlanRenderer()

    def query(
        self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_BIND_PARAMETERS
    ) -> MetricFlowDataTable:
        self._refuse_bind_parameters(sql_bind_parameter_set)
        result = self._connection.execute(stmt)
        columns = [description[0] for description in result.description or []]
        return MetricFlowDataTable.create_from_rows(column_names=columns, rows=result.fetchall())

    def execute(
        self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_BIND_PARAMETERS
    ) -> None:
        self._refuse_bind_parameters(sql_bind_parameter_set)
        self._connection.execute(stmt)

    def dry_run(
        self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_BIND_PARAMETERS
    ) -> None:
        self._refuse_bind_parameters(sql_bind_parameter_set)
        self._connection.execute(f"explain {stmt}")

    def close(self) -> None:
        self._connection.close()

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        # As dbt-metricflow's own client: MetricFlow's DuckDB queries bind no parameters.
        raise NotImplementedError("bind parameters are not used on DuckDB")

    @staticmethod
    def _refuse_bind_parameters(parameters: SqlBindParameterSet) -> None:
        if parameters.param_items:
            raise NotImplementedError("bind parameters are not used on DuckDB")


def query_metrics(
    paths: Paths,
    metrics: Sequence[str],
    group_by: Sequence[str] = (),
    where: Sequence[str] = (),
    order_by: Sequence[str] = (),
) -> pd.DataFrame:
    """The metrics by the dimensions in `group_by` (MetricFlow names, e.g.
    `metric_time__fiscal_quarter`, `deal_days__owner_id`), on the served file."""
    manifest = dbtArtifacts.build_semantic_manifest_from_dbt_project_root(DBT_PROJECT_DIR)
    [catalog] = {model.node_relation.database for model in manifest.semantic_models}
    client = ServedFileClient(paths.served_database, catalog)
    try:
        engine = MetricFlowEngine(SemanticManifestLookup(manifest), sql_client=client)
        request = MetricFlowQueryRequest.create(
            metric_names=list(metrics),
            group_by_names=list(group_by),
            where_constraints=list(where),
            order_by_names=list(order_by) or list(group_by),
        )
        table = engine.query(request).result_df
    finally:
        client.close()
    return pd.DataFrame(list(table.rows), columns=list(table.column_names))
