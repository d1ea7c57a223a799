"""Support plans, attendance contracts, early help, reasonable adjustments (built with the case issue)."""
