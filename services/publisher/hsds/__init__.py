"""The node's HSDS 3.1 API (Open Referral)."""
