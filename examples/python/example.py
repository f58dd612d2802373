"""Switchboard from Python with grpcio.

One Prompt, then a StreamPrompt in the same session that is interrupted after three events and
resumed from the last token it saw, then the session's messages.

Run ./setup.sh once, then: .venv/bin/python example.py
The gateway address is SWITCHBOARD_ADDR (host:port), localhost:8080 by default.
"""

import json
import os
import sys
from pathlib import Path

import grpc

# setup.sh generates the switchboard.v1 modules into gen/. Their imports are absolute
# ("from switchboard.v1 import types_pb2"), so gen/ is put on the import path as a package root.
sys.path.insert(0, str(Path(__file__).resolve().parent / "gen"))

from switchboard.v1 import (  # noqa: E402  (needs the path above)
    prompt_service_pb2,
    prompt_service_pb2_grpc,
    session_service_pb2,
    session_service_pb2_grpc,
)

ADDRESS = os.environ.get("SWITCHBOARD_ADDR", "localhost:8080")
STREAM_PROMPT = "Tell me about resumable streams"


def show(prefix, event):
    """Prints one stream event: its sequence, its type and, for text, the text as JSON."""
    kind = event.WhichOneof("event")
    text = f" {json.dumps(event.delta.text)}" if kind == "delta" else ""
    print(f"{prefix} {event.sequence} {kind}{text}")


def apply(answer, event):
    """The answer text after `event`: deltas append; a model switch may restart the text."""
    kind = event.WhichOneof("event")
    if kind == "delta":
        return answer + event.delta.text
    if kind == "model_switched" and event.model_switched.discard_previous_text:
        return ""
    return answer


def main():
    # The gateway speaks gRPC over cleartext HTTP/2 on its one port.
    with grpc.insecure_channel(ADDRESS) as channel:
        prompts = prompt_service_pb2_grpc.PromptServiceStub(channel)
        sessions = session_service_pb2_grpc.SessionServiceStub(channel)

        # 1. One complete answer. An empty session_id starts a new session.
        reply = prompts.Prompt(
            prompt_service_pb2.PromptRequest(prompt="Hello from Python"), timeout=30
        )
        print(f"prompt: {reply.text}")
        print(f"session: {reply.session_id} (model {reply.model})")

        # 2. A streamed answer in the same session, dropped after its third event as if the
        #    connection broke. The gateway keeps generating: only this RPC ends.
        call = prompts.StreamPrompt(
            prompt_service_pb2.StreamPromptRequest(
                prompt=STREAM_PROMPT, session_id=reply.session_id
            ),
            timeout=60,
        )
        answer = ""
        seen = []
        for event in call:
            show("stream", event)
            answer = apply(answer, event)
            seen.append(event)
            if len(seen) == 3:
                break
        call.cancel()
        last = seen[-1]
        print(f"interrupted after event {last.sequence}; resuming from its token")

        # 3. Resume from the last event processed: the events after it come exactly once (no
        #    second `started`), then the live rest, ending with `completed`.
        resumed = prompts.StreamPrompt(
            prompt_service_pb2.StreamPromptRequest(resume_token=last.resume_token), timeout=60
        )
        for event in resumed:
            show("resumed", event)
            answer = apply(answer, event)
        print(f"answer: {answer}")

        # 4. The session's history, oldest first: both turns, each a user and an assistant message.
        listing = sessions.ListMessages(
            session_service_pb2.ListMessagesRequest(session_id=reply.session_id), timeout=30
        )
        print(f"messages: {len(listing.messages)}")
        for message in listing.messages:
            role = session_service_pb2.Role.Name(message.role)
            print(f"  {role}: {message.text}")


if __name__ == "__main__":
    try:
        main()
    except grpc.RpcError as error:
        # A failed RPC carries a status code and a message that says what to do.
        sys.exit(f"error: {error.code().name}: {error.details()}")
