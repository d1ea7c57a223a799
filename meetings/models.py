"""Attendance meetings and TAC/TAF meetings (built with the case issue)."""
