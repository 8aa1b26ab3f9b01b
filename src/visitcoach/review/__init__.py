"""The compliance review desk: stored artifacts, the spot-check queue, reviews with an append-only
audit trail, export, retention purge and statistics (SQLite by default, PostgreSQL via its URL)."""

from visitcoach.review.desk import AppendOnlyError, IntegrityMismatch, ReviewDesk, ReviewError
from visitcoach.review.records import Artifact, Event, PurgeResult, SampleRun, content_hash
from visitcoach.review.sampling import SamplingPolicy

__all__ = [
    "AppendOnlyError",
    "Artifact",
    "Event",
    "IntegrityMismatch",
    "PurgeResult",
    "ReviewDesk",
    "ReviewError",
    "SampleRun",
    "SamplingPolicy",
    "content_hash",
]
