"""Billed and unbilled usage: caching, refresh tasks and exports."""
