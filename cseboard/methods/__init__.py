"""Methods: pure statistical functions, one per method (intervals, funnel limits, disclosure control); no data access, no display."""
