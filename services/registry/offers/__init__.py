"""Offers (tilbud): the working copy, the lifecycle and the immutable published versions."""
