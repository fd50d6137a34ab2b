"""Drawings of one question each: a function per chart kind, taking the section's Chart and returning a Plotly figure."""
