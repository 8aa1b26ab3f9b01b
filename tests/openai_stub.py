"""A real HTTP server on loopback that speaks the OpenAI chat-completions protocol.

It stands in for vLLM / Ollama / llama.cpp: tests enqueue replies and read back the requests.
A queued reply is a string (the completion), a callable taking the request body and returning
one (to echo what was sent), an int (an HTTP error status) or `Slow(seconds, reply)` (answer
late, to exercise timeouts). Requests with `"stream": true` are answered as server-sent events,
a few characters per chunk, `chunk_delay` seconds apart (0 unless a test sets it).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | int | Callable[[dict[str, Any]], str]


@dataclass
class Slow:
    seconds: float
    reply: Reply


class OpenAIStub:
    def __init__(self) -> None:
        self.replies: deque[Reply | Slow] = deque()
        self.requests: list[dict[str, Any]] = []
        self.chunk_delay = 0.0
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                stub.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                reply: Reply | Slow = stub.replies.popleft() if stub.replies else "No reply queued."
                if isinstance(reply, Slow):
                    time.sleep(reply.seconds)
                    reply = reply.reply
                if isinstance(reply, int):
                    self._send(reply, {"error": {"message": "stub error", "type": "server_error"}})
                    return
                text = reply(body) if callable(reply) else reply
                if body.get("stream"):
                    self._stream(body, text)
                    return
                self._send(
                    200,
                    {
                        "id": "chatcmpl-stub",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "stub"),
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                        ],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                    },
                )

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [text[i : i + 7] for i in range(0, len(text), 7)] or [""]
                for n, piece in enumerate(pieces):
                    chunk = {
                        "id": "chatcmpl-stub",
                        "object": "chat.completion.chunk",
                        "created": int(time.time()),
                        "model": body.get("model", "stub"),
                        "choices": [
                            {
                                "index": 0,
                                "delta": {"role": "assistant", "content": piece} if n == 0 else {"content": piece},
                                "finish_reason": None,
                            }
                        ],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(stub.chunk_delay)
                end = {
                    "id": "chatcmpl-stub",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": body.get("model", "stub"),
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                }
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def bodies(self) -> str:
        """Every request body received, as one JSON string (to assert that nothing identifying was sent)."""
        return json.dumps([r["body"] for r in self.requests], ensure_ascii=False)

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
