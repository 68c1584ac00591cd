"""Attacks that show why privacy protections are needed (and check that they work)."""
