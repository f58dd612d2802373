// A Switchboard client in Java with grpc-java: one Prompt, then a StreamPrompt that is interrupted
// after three events and resumed from the last token it saw, then the session's messages.
//
// Build with ./setup.sh (or mvn package), then: java -jar target/switchboard-example.jar
// The gateway address is SWITCHBOARD_ADDR (host:port), localhost:8080 by default.
package dev.switchboard.example;

import dev.switchboard.v1.ListMessagesRequest;
import dev.switchboard.v1.ListMessagesResponse;
import dev.switchboard.v1.Message;
import dev.switchboard.v1.PromptRequest;
import dev.switchboard.v1.PromptResponse;
import dev.switchboard.v1.PromptServiceGrpc;
import dev.switchboard.v1.SessionServiceGrpc;
import dev.switchboard.v1.StreamPromptRequest;
import dev.switchboard.v1.StreamPromptResponse;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

public final class Main {
  /** How many events the first StreamPrompt reads before it drops the call. */
  private static final int EVENTS_BEFORE_INTERRUPT = 3;

  public static void main(String[] args) throws Exception {
    String address = System.getenv("SWITCHBOARD_ADDR");
    if (address == null || address.isEmpty()) address = "localhost:8080";

    // The gateway speaks cleartext HTTP/2 (h2c) on its port, so no TLS here.
    ManagedChannel channel =
        Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build();
    try {
      run(channel);
    } catch (StatusRuntimeException error) {
      // A failed RPC carries a status code and a message that says what to do.
      System.err.println(
          "error: " + error.getStatus().getCode() + ": " + error.getStatus().getDescription());
      System.exit(1);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static void run(ManagedChannel channel) throws Exception {
    // A stub's deadline starts when the stub is made: 30 s for the whole example.
    PromptServiceGrpc.PromptServiceBlockingStub prompts =
        PromptServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    SessionServiceGrpc.SessionServiceBlockingStub sessions =
        SessionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);

    // 1. One answer. An empty session_id starts a new session.
    PromptResponse answer =
        prompts.prompt(PromptRequest.newBuilder().setPrompt("Say hello from Java").build());
    System.out.println("prompt answer: " + answer.getText());
    System.out.println("prompt model: " + answer.getModel() + " session: " + answer.getSessionId());

    // 2. A streamed answer in the same session, read for a few events, then interrupted by
    // canceling its context, as a dropped connection would. A blocking call belongs to the
    // context that is current when it starts, so it is started inside the cancellable one.
    StreamPromptRequest request =
        StreamPromptRequest.newBuilder()
            .setPrompt("Now stream a longer answer")
            .setSessionId(answer.getSessionId())
            .build();
    StringBuilder text = new StringBuilder();
    String lastToken;
    try (Context.CancellableContext interruptible = Context.current().withCancellation()) {
      Iterator<StreamPromptResponse> stream = interruptible.call(() -> prompts.streamPrompt(request));
      StreamPromptResponse event = null;
      for (int i = 0; i < EVENTS_BEFORE_INTERRUPT; i++) {
        event = stream.next();
        apply(text, event);
        printEvent("stream", event);
      }
      lastToken = event.getResumeToken();
    } // close() cancels the context, and with it the call; the gateway keeps generating.
    System.out.println("interrupted after " + EVENTS_BEFORE_INTERRUPT + " events");

    // 3. Resume: the events after lastToken come exactly once (no second "started"), then the
    // live rest of the answer.
    Iterator<StreamPromptResponse> resumed =
        prompts.streamPrompt(StreamPromptRequest.newBuilder().setResumeToken(lastToken).build());
    while (resumed.hasNext()) {
      StreamPromptResponse event = resumed.next();
      apply(text, event);
      printEvent("resumed", event);
    }
    System.out.println("stream text: " + text);

    // 4. The session's history: both turns, each a user message and an answer.
    ListMessagesResponse messages =
        sessions.listMessages(
            ListMessagesRequest.newBuilder().setSessionId(answer.getSessionId()).build());
    System.out.println("messages: " + messages.getMessagesCount());
    for (Message message : messages.getMessagesList()) {
      System.out.println("message: " + message.getRole() + " " + quote(message.getText()));
    }
  }

  /** Updates the answer's text for one event: deltas append, a discarding model switch clears. */
  private static void apply(StringBuilder text, StreamPromptResponse event) {
    switch (event.getEventCase()) {
      case DELTA -> text.append(event.getDelta().getText());
      case MODEL_SWITCHED -> {
        if (event.getModelSwitched().getDiscardPreviousText()) text.setLength(0);
      }
      default -> {}
    }
  }

  /** Prints one line per event: its sequence, its type and what it carries. */
  private static void printEvent(String label, StreamPromptResponse event) {
    String prefix = label + ": seq=" + event.getSequence() + " type=";
    String line =
        switch (event.getEventCase()) {
          case STARTED -> "started model=" + event.getStarted().getModel()
              + " resumed=" + event.getStarted().getResumed();
          case DELTA -> "delta text=" + quote(event.getDelta().getText());
          case MODEL_SWITCHED -> "model_switched to=" + event.getModelSwitched().getToModel()
              + " discard=" + event.getModelSwitched().getDiscardPreviousText();
          case COMPLETED -> "completed result=" + event.getCompleted().getResult();
          case EVENT_NOT_SET -> "unknown";
        };
    System.out.println(prefix + line);
  }

  /** The text in double quotes, escaped as in JSON, so that spaces and quotes stay visible. */
  private static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        default -> {
          if (c < 0x20) quoted.append(String.format("\\u%04x", (int) c));
          else quoted.append(c);
        }
      }
    }
    return quoted.append('"').toString();
  }
}
