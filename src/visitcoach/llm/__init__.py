"""The model layer: prompt registry and chat backends."""
