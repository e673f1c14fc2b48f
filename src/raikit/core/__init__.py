"""Core: value types, the RAI taxonomy, errors and the resumable results store."""
