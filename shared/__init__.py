"""Code shared by the Nettungen services: vocabularies, reference data, contracts."""

from shared import validation

# Before any schema of ours is built, so every marshmallow message carries its code.
validation.install()
