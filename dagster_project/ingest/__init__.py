"""Landing drops -> the append-only `raw` schema."""
