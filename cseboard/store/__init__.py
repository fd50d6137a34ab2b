"""Store: the DuckDB file on disk, its schema, and the runner for the named SQL in queries/; may use methods and the base modules."""
