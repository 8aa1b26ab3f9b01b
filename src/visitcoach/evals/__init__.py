"""Evaluation: datasets, scorers and runners."""
