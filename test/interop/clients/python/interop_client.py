"""The grpcio row of the interop matrix.

Runs every case against the gateway at sys.argv[1] (host:port) and prints one JSON line per case:
{"case": ..., "ok": ..., "detail": ...}. Run ./setup.sh once, then:
.venv/bin/python interop_client.py host:port
"""

import json
import sys
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

# The switchboard.v1 modules that setup.sh generates; their imports are absolute
# ("from switchboard.v1 import types_pb2"), so gen/ goes on the import path as a package root.
sys.path.insert(0, str(Path(__file__).resolve().parent / "gen"))

from switchboard.v1 import (  # noqa: E402  (needs the path above)
    errors_pb2,
    prompt_service_pb2,
    prompt_service_pb2_grpc,
    session_service_pb2,
    session_service_pb2_grpc,
    types_pb2,
)

# The matrix's fixed inputs; test/interop/interop-cases.ts has the same values.
PROMPT = "Hello from the interop matrix"
FAILING_MODEL = "fail:always-503"
SLOW_MODEL = "slow:echo"
UNKNOWN_SESSION_ID = "00000000-0000-4000-8000-000000000000"
DEADLINE_S = 0.2
TIMEOUT_S = 30


def report(case, ok, detail):
    print(json.dumps({"case": case, "ok": ok, "detail": detail}), flush=True)


def stream_case(prompts, unary_text):
    kinds, text = [], ""
    for expected, event in enumerate(
        prompts.StreamPrompt(
            prompt_service_pb2.StreamPromptRequest(prompt=PROMPT), timeout=TIMEOUT_S
        ),
        start=1,
    ):
        if event.sequence != expected:
            return False, f"sequence {event.sequence} where {expected} was due"
        kinds.append(event.WhichOneof("event"))
        if event.HasField("delta"):
            text += event.delta.text
    if len(kinds) < 3 or kinds[0] != "started" or kinds[-1] != "completed":
        return False, f"events {kinds}"
    if text != unary_text:
        return False, f"text {text!r} differs from the unary answer"
    return True, f"{len(kinds)} events, started to completed"


def attempt_trail(error):
    """Decodes the switchboard.v1.AttemptTrail detail from grpc-status-details-bin."""
    status = rpc_status.from_call(error)
    if status is None:
        return False, "no grpc-status-details-bin"
    for detail in status.details:
        if detail.Is(errors_pb2.AttemptTrail.DESCRIPTOR):
            trail = errors_pb2.AttemptTrail()
            detail.Unpack(trail)
            outcomes = [
                f"{attempt.model}={types_pb2.AttemptOutcome.Name(attempt.outcome)}"
                for attempt in trail.attempts
            ]
            return True, f"attempts={len(outcomes)} {','.join(outcomes)}"
    return False, f"no AttemptTrail among {len(status.details)} details"


def expect_error(case, call, code, describe=lambda error: (True, error.details())):
    """Runs `call`, which must fail with `code`; `describe` says what the status held."""
    try:
        call()
    except grpc.RpcError as error:
        if error.code() != code:
            report(case, False, f"want {code.name}, got {error.code().name}: {error.details()}")
        else:
            report(case, *describe(error))
        return
    report(case, False, "the call succeeded")


def main():
    with grpc.insecure_channel(sys.argv[1]) as channel:
        prompts = prompt_service_pb2_grpc.PromptServiceStub(channel)
        sessions = session_service_pb2_grpc.SessionServiceStub(channel)

        # unary: one complete answer from the demo model.
        answer = ""
        try:
            answer = prompts.Prompt(
                prompt_service_pb2.PromptRequest(prompt=PROMPT), timeout=TIMEOUT_S
            ).text
            report("unary", "[demo]" in answer, answer)
        except grpc.RpcError as error:
            report("unary", False, f"{error.code().name}: {error.details()}")

        # stream: started … completed with sequences 1, 2, 3 …, the text equal to the unary answer.
        try:
            report("stream", *stream_case(prompts, answer))
        except grpc.RpcError as error:
            report("stream", False, f"{error.code().name}: {error.details()}")

        # unavailable: the failing model's route ends UNAVAILABLE with an AttemptTrail detail.
        expect_error(
            "unavailable",
            lambda: prompts.Prompt(
                prompt_service_pb2.PromptRequest(prompt=PROMPT, models=[FAILING_MODEL]),
                timeout=TIMEOUT_S,
            ),
            grpc.StatusCode.UNAVAILABLE,
            attempt_trail,
        )

        # not-found: an unknown (well-formed) session id.
        expect_error(
            "not-found",
            lambda: sessions.GetSession(
                session_service_pb2.GetSessionRequest(session_id=UNKNOWN_SESSION_ID),
                timeout=TIMEOUT_S,
            ),
            grpc.StatusCode.NOT_FOUND,
        )

        # deadline: the slow model cannot answer within the call's deadline.
        expect_error(
            "deadline",
            lambda: prompts.Prompt(
                prompt_service_pb2.PromptRequest(prompt=PROMPT, models=[SLOW_MODEL]),
                timeout=DEADLINE_S,
            ),
            grpc.StatusCode.DEADLINE_EXCEEDED,
        )

        # health: the whole server ("") is SERVING.
        try:
            health = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT_S
            )
            name = health_pb2.HealthCheckResponse.ServingStatus.Name(health.status)
            report("health", name == "SERVING", name)
        except grpc.RpcError as error:
            report("health", False, f"{error.code().name}: {error.details()}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: interop_client.py host:port")
    main()
