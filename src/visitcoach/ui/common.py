"""What every tab's wiring shares: errors as one message next to the action, in the chosen language,
and the signed-in user's name.

A handler wired with `wire()` gets one extra output, the action's message box. When the handler
raises a user error (`UserError`, any `VisitCoachError`, a `ValueError`), the other outputs are left
as they were (`gr.skip()`) and the message box says what to fix, in the session's language; the
server logs one INFO line. Anything else is a fault: logged with its traceback, and the message
says so without details.
"""

import contextlib
import functools
import html
import inspect
import logging
import queue
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from visitcoach.errors import VisitCoachError
from visitcoach.text import JURISDICTIONS as TYPED_JURISDICTIONS
from visitcoach.ui.i18n import t

log = logging.getLogger("visitcoach.ui")

#: The jurisdiction pickers: every jurisdiction, or one.
JURISDICTIONS = ["ALL", *TYPED_JURISDICTIONS]

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
_LANGS: "OrderedDict[str, str]" = OrderedDict()  # session hash -> "en" | "zh" (the switch's value)
_MAX_SESSIONS = 10_000


class UserError(VisitCoachError):
    """A mistake the user can fix: a message key of `visitcoach.ui.i18n.STRINGS` and its parameters."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key, self.params = key, params
        super().__init__(t(key, "en", **params))

    def text(self, lang: str) -> str:
        """The message in `lang`; a `field` parameter is a label key, shown as that label."""
        params = {k: (_field(val, lang) if k == "field" else ("、" if lang == "zh" else ", ").join(_field(f, lang) for f in val)
                      if k == "fields" else val) for k, val in self.params.items()}
        return t(self.key, lang, **params)


def _field(key: str, lang: str) -> str:
    from visitcoach.ui.i18n import STRINGS

    if key not in STRINGS:
        return key
    return re.sub(r"\s*[（(].*$", "", t(key, lang))  # the label without its hint in brackets


def set_lang(request: Any, lang: str) -> None:
    key = str(getattr(request, "session_hash", None) or "")
    if key:
        _LANGS[key] = "zh" if lang == "zh" else "en"
        _LANGS.move_to_end(key)
        while len(_LANGS) > _MAX_SESSIONS:
            _LANGS.popitem(last=False)


def lang_of(request: Any) -> str:
    return _LANGS.get(str(getattr(request, "session_hash", None) or ""), "en")


def localise(exc: BaseException, lang: str) -> str:
    """The message of a user error in `lang`: a keyed message, the matching half of an "English / 中文"
    message, or the library's English line introduced in Chinese."""
    if isinstance(exc, UserError):
        return exc.text(lang)
    message = str(exc).strip()
    if " / " in message:
        left, _, right = message.rpartition(" / ")
        if _CJK.search(right) and not _CJK.search(left):
            return right if lang == "zh" else left
    if lang == "zh" and not _CJK.search(message):
        return t("err.input", "zh", message=message)
    return message


def message_html(text: str, kind: str = "error") -> str:
    return f'<div class="vc-msg vc-msg-{kind}" role="alert">{html.escape(text)}</div>' if text else ""


def _request_in(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The handler's request (Gradio passes a `gr.Request`; anything with a session hash will do)."""
    if kwargs.get("request") is not None:
        return kwargs["request"]
    return next((value for value in args if hasattr(value, "session_hash")), None)


class Busy(VisitCoachError):
    """No worker was free within the configured wait, or an answer took longer than allowed."""


#: Per kind of request (one handler), how many run at once and how long a request waits for a turn.
_admission = {"workers": 4, "wait": 20.0}
_slots: dict[str, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def admit(workers: int, wait: float) -> None:
    """Set how many requests of one kind run at once (`workers`) and how many seconds one waits for a
    turn before the user is told the app is busy (`wait`). `build_demo` calls it from the settings."""
    with _slots_lock:
        _admission.update(workers=workers, wait=wait)
        _slots.clear()


@contextlib.contextmanager
def turn(name: str) -> Iterator[None]:
    """A worker for the kind of request `name`, or `Busy` after the configured wait."""
    with _slots_lock:
        slot = _slots.setdefault(name, threading.BoundedSemaphore(int(_admission["workers"])))
    if not slot.acquire(timeout=float(_admission["wait"])):
        raise Busy(f"no free worker for {name} within {_admission['wait']:g} s")
    try:
        yield
    finally:
        slot.release()


def _failure(fn: Callable[..., Any], exc: Exception, args: tuple[Any, ...], kwargs: dict[str, Any], n_outputs: int) -> tuple[Any, ...]:
    """What a guarded handler shows for `exc`: skips for the outputs and one message (or a `gr.Error` to raise)."""
    import gradio as gr

    if isinstance(exc, gr.Error):
        raise exc
    lang = lang_of(_request_in(args, kwargs))
    if isinstance(exc, Busy):
        log.warning("%s: busy: %s", fn.__name__, exc)
        return (*[gr.skip()] * n_outputs, message_html(t("err.busy", lang)))
    if isinstance(exc, VisitCoachError | ValueError):
        if type(exc).__name__ == "Forbidden":  # not a mistake to fix: the API caller gets an error
            log.info("%s: forbidden: %s", fn.__name__, exc)
            raise gr.Error(str(exc)) from None
        log.info("%s: user error: %s", fn.__name__, exc)
        return (*[gr.skip()] * n_outputs, message_html(localise(exc, lang)))
    log.error("handler %s failed", fn.__name__, exc_info=exc)
    return (*[gr.skip()] * n_outputs, message_html(t("err.fault", lang, kind=type(exc).__name__)))


def _with_message(out: Any, n_outputs: int) -> tuple[Any, ...]:
    if n_outputs == 1:
        out = (out,)
    elif n_outputs == 0:
        out = ()
    return (*out, "")


def guarded(fn: Callable[..., Any], n_outputs: int) -> Callable[..., Any]:
    """`fn` returning its `n_outputs` values plus "" for the message box; on a user error, skips for
    the outputs and the message. The signature stays `fn`'s (Gradio injects `gr.Request` by it).
    At most `admit`'s workers run one handler at once; a request that waits longer for its turn gets the
    "busy, try again" message in the user's language. A generator `fn` (a streamed answer) takes its own
    `turn` for the work it streams (not for showing it), and stays a generator: each update it yields gets the empty
    message, and an error part-way leaves what was shown and adds the message."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def streaming(*args: Any, **kwargs: Any) -> Any:
            try:
                for out in fn(*args, **kwargs):
                    yield _with_message(out, n_outputs)
            except Exception as exc:  # noqa: BLE001 - mapped to a message (or re-raised) by _failure
                yield _failure(fn, exc, args, kwargs, n_outputs)

        return streaming

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with turn(f"{fn.__module__}.{fn.__qualname__}"):
                out = fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - mapped to a message (or re-raised) by _failure
            return _failure(fn, exc, args, kwargs, n_outputs)
        return _with_message(out, n_outputs)

    return wrapper


def wire(trigger: Callable[..., Any], fn: Callable[..., Any], inputs: Any, outputs: Any, msg: Any, **kwargs: Any) -> Any:
    """`trigger(fn, inputs, outputs + [msg])` with `fn` guarded: errors go to `msg`, the outputs stay."""
    outs = list(outputs) if isinstance(outputs, list | tuple) else ([] if outputs is None else [outputs])
    return trigger(guarded(fn, len(outs)), inputs, [*outs, msg], **kwargs)


def safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """For handlers without a message box (scripts, the API): a user error becomes one `gr.Error`."""
    import gradio as gr

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except (VisitCoachError, ValueError) as exc:
            log.info("%s: user error: %s", fn.__name__, exc)
            raise gr.Error(localise(exc, lang_of(_request_in(args, kwargs)))) from None
        except Exception as exc:
            log.exception("handler %s failed", fn.__name__)
            raise gr.Error(t("err.fault", lang_of(_request_in(args, kwargs)), kind=type(exc).__name__)) from exc

    return wrapper


def user_of(request: Any) -> str:
    return getattr(request, "username", None) or ""


#: Where an offline answer is shown growing: after a sentence's end and the `[n]` markers that follow it
#: (a full stop only before a space and a capital, so "15 U.S.C. 1692c" stays whole), and at paragraphs.
_SENTENCE_END = re.compile(r"(?:[。！？]|[.!?](?=\s+[A-Z\[]))(?:\s*\[\d+\])*|\n\n")


#: At most this many states of a growing reply (each is one update the server sends every viewer's
#: browser: an eight-sentence answer shown in eight steps cost the loaded server more than it read better).
GROWING_STEPS = 4


def growing(text: str, steps: int = GROWING_STEPS) -> list[str]:
    """`text` cut after whole sentences: the successive states of a reply shown as it reads, at most
    `steps` of them, evenly spaced, the first sentence first and the last whole."""
    states = list(dict.fromkeys(s for s in [*(text[: m.end()].rstrip() for m in _SENTENCE_END.finditer(text)), text] if s.strip()))
    if len(states) <= steps:
        return states
    picks = sorted({round(i * (len(states) - 1) / (steps - 1)) for i in range(steps)})
    return [states[i] for i in picks]


def in_background(work: Callable[[Callable[[str], None], threading.Event], Any],
                   timeout: float) -> Iterator[tuple[str, Any]]:
    """Run `work(on_token, cancel)` in a thread; yield ("token", text) as it streams, then ("done", its
    result). An exception in `work` is raised here, after the tokens it let through. After `timeout`
    seconds without a result, `cancel` is set (the work stores nothing) and `Busy` is raised."""
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    cancel = threading.Event()

    def run() -> None:
        try:
            events.put(("done", work(lambda token: events.put(("token", token)), cancel)))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            events.put(("error", exc))

    threading.Thread(target=run, name="visitcoach-turn", daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        try:
            event, value = events.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            cancel.set()
            raise Busy(f"no answer within {timeout:g} s") from None
        if event == "error":
            raise value
        yield event, value
        if event == "done":
            return
