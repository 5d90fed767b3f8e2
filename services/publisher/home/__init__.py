"""The node's landing page (``/``): what the node publishes and where, for people."""
