"""tests/lib/seeds.py - writes a fuzz target's seed inputs (made by a
script from source, never kept as blobs) into the folder a make rule names.
"""
import os


def write_seeds(out, seeds):
    """Writes each name: bytes of seeds as the file out/name."""
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
