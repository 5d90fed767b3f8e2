"""The audit trail: who did what, when, and what changed, for every write."""
