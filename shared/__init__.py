"""The contract between agent and hub: snapshot format, seal, portable types, errors.

Imports nothing from the rest of the project.
"""

__version__ = "0.1.0"
