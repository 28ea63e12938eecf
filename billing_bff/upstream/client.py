"""Placeholder until the resilient client lands."""


def ping() -> None:
    return None
