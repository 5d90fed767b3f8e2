"""The national HSDS 3.0 API (Open Referral): every offer in the federation as a service."""
