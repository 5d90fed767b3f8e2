"""LDES event stream of the node's offer versions."""
