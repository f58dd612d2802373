// The grpc-go row of the interop matrix: runs every case against the gateway at os.Args[1]
// (host:port) and prints one JSON line per case: {"case":…,"ok":…,"detail":…}.
//
// Build: ./setup.sh <binary> (generates gen/ and builds).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	switchboardv1 "switchboard.interop/go-client/gen/switchboard/v1"
)

// The matrix's fixed inputs; test/interop/interop-cases.ts has the same values.
const (
	prompt           = "Hello from the interop matrix"
	failingModel     = "fail:always-503"
	slowModel        = "slow:echo"
	unknownSessionID = "00000000-0000-4000-8000-000000000000"
	deadline         = 200 * time.Millisecond
)

type result struct {
	Case   string `json:"case"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

func report(name string, ok bool, detail string) {
	line, _ := json.Marshal(result{Case: name, OK: ok, Detail: detail})
	fmt.Println(string(line))
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go-client host:port")
		os.Exit(2)
	}
	conn, err := grpc.NewClient(os.Args[1], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintf(os.Stderr, "connect: %v\n", err)
		os.Exit(1)
	}
	defer conn.Close()
	prompts := switchboardv1.NewPromptServiceClient(conn)
	sessions := switchboardv1.NewSessionServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// unary: one complete answer from the demo model.
	answer, err := prompts.Prompt(ctx, &switchboardv1.PromptRequest{Prompt: prompt})
	if err != nil {
		report("unary", false, err.Error())
	} else {
		report("unary", strings.Contains(answer.GetText(), "[demo]"), answer.GetText())
	}

	// stream: started … completed with sequences 1, 2, 3 …, the text equal to the unary answer.
	ok, detail := streamCase(ctx, prompts, answer.GetText())
	report("stream", ok, detail)

	// unavailable: the failing model's route ends UNAVAILABLE with an AttemptTrail detail.
	_, err = prompts.Prompt(ctx, &switchboardv1.PromptRequest{Prompt: prompt, Models: []string{failingModel}})
	report(statusCase("unavailable", err, codes.Unavailable, attemptTrail))

	// not-found: an unknown (well-formed) session id.
	_, err = sessions.GetSession(ctx, &switchboardv1.GetSessionRequest{SessionId: unknownSessionID})
	report(statusCase("not-found", err, codes.NotFound, message))

	// deadline: the slow model cannot answer within the call's deadline.
	shortCtx, shortCancel := context.WithTimeout(ctx, deadline)
	_, err = prompts.Prompt(shortCtx, &switchboardv1.PromptRequest{Prompt: prompt, Models: []string{slowModel}})
	shortCancel()
	report(statusCase("deadline", err, codes.DeadlineExceeded, message))

	// health: the whole server ("") is SERVING.
	health, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: ""})
	if err != nil {
		report("health", false, err.Error())
	} else {
		report("health", health.GetStatus() == healthpb.HealthCheckResponse_SERVING, health.GetStatus().String())
	}
}

func streamCase(ctx context.Context, prompts switchboardv1.PromptServiceClient, unaryText string) (bool, string) {
	stream, err := prompts.StreamPrompt(ctx, &switchboardv1.StreamPromptRequest{Prompt: prompt})
	if err != nil {
		return false, err.Error()
	}
	var kinds []string
	var text strings.Builder
	for expected := uint64(1); ; expected++ {
		event, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return false, err.Error()
		}
		if event.GetSequence() != expected {
			return false, fmt.Sprintf("sequence %d where %d was due", event.GetSequence(), expected)
		}
		switch e := event.GetEvent().(type) {
		case *switchboardv1.StreamPromptResponse_Started:
			kinds = append(kinds, "started")
		case *switchboardv1.StreamPromptResponse_Delta:
			kinds = append(kinds, "delta")
			text.WriteString(e.Delta.GetText())
		case *switchboardv1.StreamPromptResponse_Completed:
			kinds = append(kinds, "completed")
		default:
			kinds = append(kinds, fmt.Sprintf("%T", e))
		}
	}
	if len(kinds) < 3 || kinds[0] != "started" || kinds[len(kinds)-1] != "completed" {
		return false, fmt.Sprintf("events %v", kinds)
	}
	if text.String() != unaryText {
		return false, fmt.Sprintf("text %q differs from the unary answer", text.String())
	}
	return true, fmt.Sprintf("%d events, started to completed", len(kinds))
}

// statusCase checks that err carries the wanted code; describe says what the status held.
func statusCase(name string, err error, want codes.Code, describe func(*status.Status) (bool, string)) (string, bool, string) {
	got, _ := status.FromError(err)
	if err == nil || got.Code() != want {
		return name, false, fmt.Sprintf("want %v, got %v", want, err)
	}
	ok, detail := describe(got)
	return name, ok, detail
}

// message accepts any status of the wanted code and reports its message.
func message(s *status.Status) (bool, string) {
	return true, s.Message()
}

// attemptTrail decodes the switchboard.v1.AttemptTrail detail from grpc-status-details-bin.
func attemptTrail(s *status.Status) (bool, string) {
	for _, detail := range s.Details() {
		if trail, ok := detail.(*switchboardv1.AttemptTrail); ok {
			outcomes := make([]string, 0, len(trail.GetAttempts()))
			for _, attempt := range trail.GetAttempts() {
				outcomes = append(outcomes, attempt.GetModel()+"="+attempt.GetOutcome().String())
			}
			return true, fmt.Sprintf("attempts=%d %s", len(outcomes), strings.Join(outcomes, ","))
		}
	}
	return false, fmt.Sprintf("no AttemptTrail among %d details", len(s.Details()))
}
