"""The node's HSDS 3.0 API (Open Referral)."""
