// A Switchboard client in Go with grpc-go: one Prompt, then a StreamPrompt that is interrupted
// after three events and resumed from the last token it saw, then the session's messages.
//
// Run ./setup.sh once (it generates ./gen), then: go run .
// The gateway address is SWITCHBOARD_ADDR (host:port), localhost:8080 by default.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	switchboardv1 "switchboard.example/go-client/gen/switchboard/v1"
)

// How many events the first StreamPrompt reads before it drops the connection.
const eventsBeforeInterrupt = 3

func main() {
	addr := os.Getenv("SWITCHBOARD_ADDR")
	if addr == "" {
		addr = "localhost:8080"
	}

	// The gateway speaks cleartext HTTP/2 (h2c) on its port, so no TLS here.
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatalf("connect to %s: %v", addr, err)
	}
	defer conn.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	prompts := switchboardv1.NewPromptServiceClient(conn)
	sessions := switchboardv1.NewSessionServiceClient(conn)

	// 1. One answer. An empty session_id starts a new session.
	answer, err := prompts.Prompt(ctx, &switchboardv1.PromptRequest{Prompt: "Say hello from Go"})
	if err != nil {
		log.Fatalf("Prompt: %v", err)
	}
	fmt.Printf("prompt answer: %s\n", answer.GetText())
	fmt.Printf("prompt model: %s session: %s\n", answer.GetModel(), answer.GetSessionId())

	// 2. A streamed answer in the same session, read for a few events, then interrupted by
	// canceling its context, as a dropped connection would.
	streamCtx, interrupt := context.WithCancel(ctx)
	stream, err := prompts.StreamPrompt(streamCtx, &switchboardv1.StreamPromptRequest{
		Prompt:    "Now stream a longer answer",
		SessionId: answer.GetSessionId(),
	})
	if err != nil {
		log.Fatalf("StreamPrompt: %v", err)
	}
	var text, lastToken string
	for range eventsBeforeInterrupt {
		event, err := stream.Recv()
		if err != nil {
			log.Fatalf("StreamPrompt: %v", err)
		}
		text = apply(text, event)
		printEvent("stream", event)
		lastToken = event.GetResumeToken()
	}
	interrupt()
	fmt.Printf("interrupted after %d events\n", eventsBeforeInterrupt)

	// 3. Resume: the gateway kept generating meanwhile. The events after lastToken come exactly
	// once (no second "started"), then the live rest of the answer.
	resumed, err := prompts.StreamPrompt(ctx, &switchboardv1.StreamPromptRequest{ResumeToken: lastToken})
	if err != nil {
		log.Fatalf("StreamPrompt (resume): %v", err)
	}
	for {
		event, err := resumed.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			log.Fatalf("StreamPrompt (resume): %v", err)
		}
		text = apply(text, event)
		printEvent("resumed", event)
	}
	fmt.Printf("stream text: %s\n", text)

	// 4. The session's history: both turns, each a user message and an answer.
	messages, err := sessions.ListMessages(ctx, &switchboardv1.ListMessagesRequest{
		SessionId: answer.GetSessionId(),
	})
	if err != nil {
		log.Fatalf("ListMessages: %v", err)
	}
	fmt.Printf("messages: %d\n", len(messages.GetMessages()))
	for _, message := range messages.GetMessages() {
		fmt.Printf("message: %s %q\n", message.GetRole(), message.GetText())
	}
}

// apply returns the answer's text after one event: deltas append, and a model switch that
// discards the previous text starts it over.
func apply(text string, event *switchboardv1.StreamPromptResponse) string {
	switch e := event.GetEvent().(type) {
	case *switchboardv1.StreamPromptResponse_Delta:
		return text + e.Delta.GetText()
	case *switchboardv1.StreamPromptResponse_ModelSwitched:
		if e.ModelSwitched.GetDiscardPreviousText() {
			return ""
		}
	}
	return text
}

// printEvent prints one line per event: its sequence, its type and what it carries.
func printEvent(label string, event *switchboardv1.StreamPromptResponse) {
	seq := event.GetSequence()
	switch e := event.GetEvent().(type) {
	case *switchboardv1.StreamPromptResponse_Started:
		fmt.Printf("%s: seq=%d type=started model=%s resumed=%t\n",
			label, seq, e.Started.GetModel(), e.Started.GetResumed())
	case *switchboardv1.StreamPromptResponse_Delta:
		fmt.Printf("%s: seq=%d type=delta text=%q\n", label, seq, e.Delta.GetText())
	case *switchboardv1.StreamPromptResponse_ModelSwitched:
		fmt.Printf("%s: seq=%d type=model_switched to=%s discard=%t\n",
			label, seq, e.ModelSwitched.GetToModel(), e.ModelSwitched.GetDiscardPreviousText())
	case *switchboardv1.StreamPromptResponse_Completed:
		fmt.Printf("%s: seq=%d type=completed result=%s\n", label, seq, e.Completed.GetResult())
	default:
		fmt.Printf("%s: seq=%d type=unknown\n", label, seq)
	}
}
