"""Notices to improve, penalty notices and letters (built with the notices issue)."""
