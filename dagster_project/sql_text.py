"""Quoting names and literals that come from data (file and column names) for DuckDB SQL."""


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def string_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
