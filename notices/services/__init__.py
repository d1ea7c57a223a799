"""Every write of the notices app: keyword-only, atomic, audited, on the chronology."""
