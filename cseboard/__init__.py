"""CSE strategic dashboard: contract, store, queries, statistics and disclosure control."""
