"""The national HSDS 3.1 API (Open Referral): every offer in the federation as a service."""
