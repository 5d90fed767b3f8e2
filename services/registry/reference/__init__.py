"""Read-only reference data: the vocabularies and the areas of Norway."""
