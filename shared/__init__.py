"""Code shared by the Nettungen services: vocabularies, reference data, contracts."""
