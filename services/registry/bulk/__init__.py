"""Bulk mapping: offers registered many at once from a filled XLSX template."""
