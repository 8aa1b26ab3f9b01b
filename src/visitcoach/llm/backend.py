"""The model backend: one interface over the offline engine and any OpenAI-compatible server.

`LLMClient.complete()` redacts borrower identifiers from everything it sends (`visitcoach.llm.redact`:
known people, names in free text, fail-safe identifier shapes), retries transient failures with
exponential backoff, streams when asked, restores the identifiers in the reply and writes one row per
call to the call log (the *redacted* prompt, and the reply with anything identifying the model
produced itself masked too). Any failure becomes one `BackendError` naming the setting to fix, its
text scrubbed; callers fall back to their offline output with a notice.

With `VISITCOACH_LLM=offline` there is no model: `available()` is False and every feature uses its
deterministic engine (extractive answers, templates, the persona state machine).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from visitcoach.config import Settings
from visitcoach.errors import BackendError, ConfigError
from visitcoach.llm.calllog import CallLog
from visitcoach.llm.redact import Redactor, scrub
from visitcoach.tokens import count_tokens

log = logging.getLogger(__name__)

#: USD per million tokens (input, output): list prices of common OpenAI models, used only for the
#: call log's cost estimate when VISITCOACH_LLM_PRICE_INPUT / _OUTPUT are not set.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}


@dataclass
class Completion:
    text: str  # identifiers restored
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    attempts: int
    cost_usd: float


def available(settings: Settings) -> bool:
    """Whether a model is configured (otherwise every feature runs its offline engine)."""
    return settings.llm == "openai"


def _where(settings: Settings) -> str:
    return f"VISITCOACH_OPENAI_BASE_URL={settings.openai_base_url}" if settings.openai_base_url else "the OpenAI API"


def explain(exc: BaseException, settings: Settings) -> tuple[str, bool]:
    """(one clear message naming the setting to fix, whether the error is worth retrying)."""
    import openai

    model = settings.chat_model
    if isinstance(exc, openai.APITimeoutError):
        return f"the model did not answer within {settings.llm_timeout:g} s (VISITCOACH_LLM_TIMEOUT)", True
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot reach {_where(settings)} (check VISITCOACH_OPENAI_BASE_URL and that the server runs)", True
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return f"{_where(settings)} rejected the API key (check OPENAI_API_KEY)", False
    if isinstance(exc, openai.NotFoundError):
        return f"model {model!r} not found at {_where(settings)} (check VISITCOACH_CHAT_MODEL)", False
    if isinstance(exc, openai.RateLimitError):
        return f"{_where(settings)} is rate-limiting requests (HTTP 429)", True
    if isinstance(exc, openai.InternalServerError):
        return f"{_where(settings)} failed with HTTP {getattr(exc, 'status_code', '5xx')} for model {model!r}", True
    if isinstance(exc, openai.APIStatusError):
        return f"{_where(settings)} refused the request: HTTP {exc.status_code} (check VISITCOACH_CHAT_MODEL)", False
    return f"model {model!r} at {_where(settings)} failed: {type(exc).__name__}: {exc}", False


#: The unfinished end of a placeholder: an open bracket with no close yet, or a bare `PERSON_` prefix.
_OPEN_PLACEHOLDER = re.compile(r"[\[【［][^\]】］]{0,22}$|(?<![A-Za-z0-9_])[A-Z][A-Z_]{0,8}\d{0,3}$")


class StreamRestorer:
    """Restores placeholders in streamed text, holding back a chunk that ends inside one (`[PERS`, `【PERSON_`)."""

    def __init__(self, redactor: Redactor, emit: Callable[[str], None]) -> None:
        self._redactor, self._emit, self._pending = redactor, emit, ""

    def feed(self, piece: str) -> None:
        self._pending += piece
        held = _OPEN_PLACEHOLDER.search(self._pending)
        if held:
            ready, self._pending = self._pending[: held.start()], self._pending[held.start():]
        else:
            ready, self._pending = self._pending, ""
        if ready:
            self._emit(self._redactor.restore(ready))

    def close(self) -> None:
        if self._pending:
            self._emit(self._redactor.restore(self._pending))
            self._pending = ""


class LLMClient:
    """Chat completions against the configured OpenAI-compatible server."""

    def __init__(
        self,
        settings: Settings,
        call_log: CallLog | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not available(settings):
            raise ConfigError("no model configured: set VISITCOACH_LLM=openai with OPENAI_API_KEY or VISITCOACH_OPENAI_BASE_URL")
        if not (settings.openai_api_key or settings.openai_base_url):
            raise ConfigError("VISITCOACH_LLM=openai needs OPENAI_API_KEY or VISITCOACH_OPENAI_BASE_URL")
        self.settings = settings
        self.call_log = call_log if call_log is not None else CallLog(settings.data_dir / "calls.sqlite")
        self._sleep = sleep
        self._model: Any = None

    def _chat_model(self) -> Any:
        if self._model is None:
            from langchain_openai import ChatOpenAI

            s = self.settings
            self._model = ChatOpenAI(
                model=s.chat_model,
                api_key=s.openai_api_key or "not-needed",  # type: ignore[arg-type]
                base_url=s.openai_base_url,
                timeout=s.llm_timeout,
                max_retries=0,  # retries are ours: logged, with backoff, and only for transient errors
                temperature=0,
            )
        return self._model

    def complete(
        self,
        task: str,
        system: str,
        user: str,
        *,
        redactor: Redactor | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Completion:
        """One completion; `on_token` streams the reply (identifiers restored) as it arrives."""
        from langchain_core.messages import HumanMessage, SystemMessage

        redactor = redactor or Redactor()
        sent_system, sent_user = redactor.redact(system), redactor.redact(user)
        messages = [SystemMessage(sent_system), HumanMessage(sent_user)]
        prompt_tokens = count_tokens(sent_system) + count_tokens(sent_user)
        s = self.settings
        started = time.perf_counter()
        attempts, reply, error = 0, "", None
        while True:
            attempts += 1
            try:
                reply = self._stream(messages, redactor, on_token) if on_token else str(self._chat_model().invoke(messages).content)
                error = None
                break
            except Exception as exc:  # noqa: BLE001 -- the SDK raises many types; `explain` sorts them
                message, transient = explain(exc, s)
                message = scrub(message)  # a server may echo the request in its error text
                error = message
                if not transient or attempts > s.llm_retries:
                    break
                delay = s.llm_backoff * 2 ** (attempts - 1)
                log.warning("model call for %s failed (%s); retry %d in %.1f s", task, message, attempts, delay)
                self._sleep(delay)
        latency = (time.perf_counter() - started) * 1000
        completion_tokens = count_tokens(reply) if reply else 0
        cost = self._cost(prompt_tokens, completion_tokens)
        self.call_log.record(
            task=task,
            model=s.chat_model,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            latency_ms=latency,
            cost_usd=cost,
            attempts=attempts,
            status="error" if error else "ok",
            error=error,
            redacted_prompt=f"[system]\n{sent_system}\n[user]\n{sent_user}",
            # The model saw only placeholders, but it may invent a number or a name of its own.
            redacted_reply=redactor.redact(reply) if reply else reply,
        )
        if error:
            tries = f" (after {attempts} attempts)" if attempts > 1 else ""
            raise BackendError(error + tries)
        return Completion(redactor.restore(reply), s.chat_model, prompt_tokens, completion_tokens, latency, attempts, cost)

    def _stream(self, messages: list[Any], redactor: Redactor, on_token: Callable[[str], None]) -> str:
        restorer = StreamRestorer(redactor, on_token)
        parts: list[str] = []
        for chunk in self._chat_model().stream(messages):
            piece = str(chunk.content or "")
            if piece:
                parts.append(piece)
                restorer.feed(piece)
        restorer.close()
        return "".join(parts)

    def _cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        s = self.settings
        table_in, table_out = PRICES.get(s.chat_model, (0.0, 0.0))
        price_in = s.llm_price_input if s.llm_price_input is not None else table_in
        price_out = s.llm_price_output if s.llm_price_output is not None else table_out
        return round((prompt_tokens * price_in + completion_tokens * price_out) / 1_000_000, 6)


def chat(settings: Settings, system: str, user: str, task: str = "chat", redactor: Redactor | None = None) -> str:
    """One completion's text (identifiers redacted out and restored back); BackendError on failure."""
    return LLMClient(settings).complete(task, system, user, redactor=redactor).text
