package dev.switchboard.interop;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.switchboard.v1.Attempt;
import dev.switchboard.v1.AttemptTrail;
import dev.switchboard.v1.GetSessionRequest;
import dev.switchboard.v1.PromptRequest;
import dev.switchboard.v1.PromptServiceGrpc;
import dev.switchboard.v1.SessionServiceGrpc;
import dev.switchboard.v1.StreamPromptRequest;
import dev.switchboard.v1.StreamPromptResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The grpc-java row of the interop matrix: runs every case against the gateway at args[0]
 * (host:port) and prints one JSON line per case: {"case":…,"ok":…,"detail":…}.
 */
public final class InteropClient {
  // The matrix's fixed inputs; test/interop/interop-cases.ts has the same values.
  private static final String PROMPT = "Hello from the interop matrix";
  private static final String FAILING_MODEL = "fail:always-503";
  private static final String SLOW_MODEL = "slow:echo";
  private static final String UNKNOWN_SESSION_ID = "00000000-0000-4000-8000-000000000000";
  private static final long DEADLINE_MS = 200;

  private InteropClient() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 1) {
      System.err.println("usage: java -jar interop-client.jar host:port");
      System.exit(2);
    }
    ManagedChannel channel =
        Grpc.newChannelBuilder(args[0], InsecureChannelCredentials.create()).build();
    try {
      run(channel);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static void run(ManagedChannel channel) {
    PromptServiceGrpc.PromptServiceBlockingStub prompts =
        PromptServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);

    // unary: one complete answer from the demo model.
    String answer = "";
    try {
      answer = prompts.prompt(PromptRequest.newBuilder().setPrompt(PROMPT).build()).getText();
      report("unary", answer.contains("[demo]"), answer);
    } catch (StatusRuntimeException e) {
      report("unary", false, e.getStatus().toString());
    }

    // stream: started … completed with sequences 1, 2, 3 …, the text equal to the unary answer.
    try {
      streamCase(prompts, answer);
    } catch (StatusRuntimeException e) {
      report("stream", false, e.getStatus().toString());
    }

    // unavailable: the failing model's route ends UNAVAILABLE with an AttemptTrail detail.
    try {
      prompts.prompt(
          PromptRequest.newBuilder().setPrompt(PROMPT).addModels(FAILING_MODEL).build());
      report("unavailable", false, "the Prompt succeeded");
    } catch (StatusRuntimeException e) {
      unavailableCase(e);
    }

    // not-found: an unknown (well-formed) session id.
    try {
      SessionServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .getSession(GetSessionRequest.newBuilder().setSessionId(UNKNOWN_SESSION_ID).build());
      report("not-found", false, "GetSession succeeded");
    } catch (StatusRuntimeException e) {
      reportCode("not-found", e, Status.Code.NOT_FOUND);
    }

    // deadline: the slow model cannot answer within the call's deadline.
    try {
      PromptServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS)
          .prompt(PromptRequest.newBuilder().setPrompt(PROMPT).addModels(SLOW_MODEL).build());
      report("deadline", false, "the Prompt succeeded");
    } catch (StatusRuntimeException e) {
      reportCode("deadline", e, Status.Code.DEADLINE_EXCEEDED);
    }

    // health: the whole server ("") is SERVING.
    try {
      HealthCheckResponse health =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .check(HealthCheckRequest.newBuilder().setService("").build());
      report(
          "health",
          health.getStatus() == HealthCheckResponse.ServingStatus.SERVING,
          health.getStatus().name());
    } catch (StatusRuntimeException e) {
      report("health", false, e.getStatus().toString());
    }
  }

  private static void streamCase(
      PromptServiceGrpc.PromptServiceBlockingStub prompts, String unaryText) {
    Iterator<StreamPromptResponse> events =
        prompts.streamPrompt(StreamPromptRequest.newBuilder().setPrompt(PROMPT).build());
    List<String> kinds = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    long expected = 1;
    while (events.hasNext()) {
      StreamPromptResponse event = events.next();
      if (event.getSequence() != expected) {
        report("stream", false, "sequence " + event.getSequence() + " where " + expected + " was due");
        return;
      }
      expected++;
      kinds.add(event.getEventCase().name());
      if (event.hasDelta()) text.append(event.getDelta().getText());
    }
    if (kinds.size() < 3 || !kinds.get(0).equals("STARTED") || !kinds.get(kinds.size() - 1).equals("COMPLETED")) {
      report("stream", false, "events " + kinds);
    } else if (!text.toString().equals(unaryText)) {
      report("stream", false, "text " + text + " differs from the unary answer");
    } else {
      report("stream", true, kinds.size() + " events, started to completed");
    }
  }

  /** Decodes the switchboard.v1.AttemptTrail detail from grpc-status-details-bin. */
  private static void unavailableCase(StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
      report("unavailable", false, "want UNAVAILABLE, got " + e.getStatus());
      return;
    }
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details == null) {
      report("unavailable", false, "no grpc-status-details-bin");
      return;
    }
    for (Any detail : details.getDetailsList()) {
      if (!detail.is(AttemptTrail.class)) continue;
      try {
        List<String> outcomes = new ArrayList<>();
        for (Attempt attempt : detail.unpack(AttemptTrail.class).getAttemptsList()) {
          outcomes.add(attempt.getModel() + "=" + attempt.getOutcome().name());
        }
        report(
            "unavailable", true, "attempts=" + outcomes.size() + " " + String.join(",", outcomes));
      } catch (InvalidProtocolBufferException invalid) {
        report("unavailable", false, "undecodable AttemptTrail: " + invalid.getMessage());
      }
      return;
    }
    report("unavailable", false, "no AttemptTrail among " + details.getDetailsCount() + " details");
  }

  private static void reportCode(String name, StatusRuntimeException e, Status.Code want) {
    Status status = e.getStatus();
    report(
        name,
        status.getCode() == want,
        status.getCode() == want ? String.valueOf(status.getDescription()) : "want " + want + ", got " + status);
  }

  private static void report(String name, boolean ok, String detail) {
    System.out.println(
        "{\"case\":" + json(name) + ",\"ok\":" + ok + ",\"detail\":" + json(detail) + "}");
  }

  /** A JSON string literal (no JSON library needed for three fields). */
  private static String json(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
