"""Intake: reading extracts, the contract checks, identifying-data checks, quality report, and the one load path; may use the store and methods."""
