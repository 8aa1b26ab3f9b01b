"""Chat backends. `openai` is LangChain's ChatOpenAI against any OpenAI-compatible base URL."""

from __future__ import annotations

import logging

from visitcoach.config import Settings
from visitcoach.errors import BackendError, ConfigError

log = logging.getLogger(__name__)


def chat(settings: Settings, system: str, user: str) -> str:
    """One chat completion; raises BackendError with the setting to check on any failure."""
    from langchain_core.messages import HumanMessage, SystemMessage
    from langchain_openai import ChatOpenAI

    if not (settings.openai_api_key or settings.openai_base_url):
        raise ConfigError("VISITCOACH_LLM=openai needs OPENAI_API_KEY or VISITCOACH_OPENAI_BASE_URL")
    model = ChatOpenAI(
        model=settings.chat_model,
        api_key=settings.openai_api_key or "not-needed",
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout,
        max_retries=2,
        temperature=0,
    )
    where = settings.openai_base_url or "the OpenAI API"
    try:
        reply = model.invoke([SystemMessage(system), HumanMessage(user)])
    except Exception as exc:  # the SDK raises many types; all mean the same to the user
        raise BackendError(
            f"model {settings.chat_model!r} at {where} failed: {type(exc).__name__}: {exc} "
            "(check VISITCOACH_OPENAI_BASE_URL, OPENAI_API_KEY and VISITCOACH_CHAT_MODEL)"
        ) from exc
    return str(reply.content)
