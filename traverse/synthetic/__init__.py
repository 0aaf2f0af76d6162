"""Synthetic GRAS products with known truth: test fixtures and the demo's sample archive."""
