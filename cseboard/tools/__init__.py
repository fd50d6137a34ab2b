"""Tools: the synthetic generator, the benchmark, the server helper and the shell commands; may use every layer."""
