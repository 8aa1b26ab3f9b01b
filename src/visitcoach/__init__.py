"""visitcoach: a retrieval-augmented compliance assistant for debt-collection field visits."""

__version__ = "0.1.0"
