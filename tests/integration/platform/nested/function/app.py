"""Says the greeting its stack was deployed with."""

import os


def handler(event: dict, context: object) -> dict:
    return {"greeting": os.environ["GREETING"]}
