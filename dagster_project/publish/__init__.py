"""Marts -> the served BI database file and Parquet per mart, swapped in atomically."""
