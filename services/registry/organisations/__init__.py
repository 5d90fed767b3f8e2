"""Member organisations (tenants) and their agencies (etater/seksjoner)."""
