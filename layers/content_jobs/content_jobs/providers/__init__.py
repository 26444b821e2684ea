"""External services behind small interfaces, each with a local implementation."""
