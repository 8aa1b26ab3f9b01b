"""Loading knowledge files into documents and cutting them into citable chunks."""

from visitcoach.corpus.chunking import Chunk, chunk_document
from visitcoach.corpus.loader import Document, Section, discover, load_document

__all__ = ["Chunk", "Document", "Section", "chunk_document", "discover", "load_document"]
