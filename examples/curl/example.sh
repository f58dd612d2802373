#!/usr/bin/env bash
# Switchboard with nothing but bash, curl and sed, over the Connect protocol (plain HTTP + JSON).
#
# One Prompt, then a StreamPrompt in the same session that is interrupted after three events and
# resumed from the last token it saw, then the session's messages.
#
# Run: ./example.sh. The gateway is SWITCHBOARD_URL, http://localhost:8080 by default.
# Texts are printed as JSON strings, exactly as the gateway sent them.
set -euo pipefail

# Bytes, not characters: the stream reader below counts bytes, as Connect's frame lengths do.
export LC_ALL=C

url="${SWITCHBOARD_URL:-http://localhost:8080}"
stream_prompt="Tell me about resumable streams"

# A JSON string with its quotes and escapes, e.g. "say \"hi\"".
json_string='"([^"\\]|\\.)*"'

# call METHOD JSON: a unary RPC; the Connect protocol is a POST of the request as JSON. A failed
# RPC answers with a non-200 status and {"code":…,"message":…}, which is printed before exiting.
call() {
  local reply
  if ! reply=$(curl -sS --fail-with-body -H 'content-type: application/json' -d "$2" "$url/$1"); then
    echo "error: $1: $reply" >&2
    exit 1
  fi
  printf '%s' "$reply"
}

# string_field NAME JSON: the value of a string field whose value has no quotes (ids, tokens).
string_field() {
  sed -nE 's/.*"'"$1"'":"([^"]*)".*/\1/p' <<<"$2"
}

# frame JSON: a streaming request message. Connect frames every message of a stream with 5 bytes:
# a flags byte (0), then the JSON's length as a 4-byte big-endian integer.
frame() {
  local hex
  printf -v hex '%08x' "${#1}"
  printf "\\x00\\x${hex:0:2}\\x${hex:2:2}\\x${hex:4:2}\\x${hex:6:2}%s" "$1"
}

# read_frame FD: reads one frame of the response stream on FD into $flags and $message; fails at
# the end of the input. `read -d '' -n 1` reads one byte and returns a NUL byte as "".
read_frame() {
  local byte value length=0 i
  for i in 0 1 2 3 4; do
    IFS= read -r -d '' -n 1 -u "$1" byte || return 1
    printf -v value '%d' "'$byte"
    if ((i == 0)); then flags=$value; else length=$((length * 256 + value)); fi
  done
  message=""
  if ((length > 0)); then IFS= read -r -N "$length" -u "$1" message; fi
}

# open_stream JSON: starts a StreamPrompt and opens the response stream as file descriptor $events,
# with curl's process id in $stream_pid. A failed stream still answers 200 and ends with an error
# frame; --fail catches the rest (a wrong URL, a proxy's error page).
open_stream() {
  exec {events}< <(exec curl -sSN --fail -H 'content-type: application/connect+json' \
    --data-binary @<(frame "$1") "$url/switchboard.v1.PromptService/StreamPrompt")
  stream_pid=$!
}

# next_event LABEL: reads the next event of $events, prints `LABEL <sequence> <type> [<text>]`,
# and adds a delta's text to $answer. Fails after the stream's last frame.
next_event() {
  if ! read_frame "$events"; then
    echo "error: StreamPrompt: the stream broke off before its end" >&2
    exit 1
  fi
  # Flag 2 marks the last frame: {} after success, or {"error":{"code":…,"message":…}}.
  if ((flags & 2)); then
    if [[ $message == *'"error"'* ]]; then
      echo "error: StreamPrompt: $message" >&2
      exit 1
    fi
    return 1
  fi
  sequence=$(string_field sequence "$message")
  token=$(string_field resumeToken "$message")
  # The event's type is the one field whose value is an object: started, delta, completed …
  type=$(sed -E 's/^\{[^{]*"([A-Za-z]+)":\{.*/\1/' <<<"$message")
  case $type in
    delta)
      text=$(sed -E 's/.*"delta":\{"text":('"$json_string"').*/\1/' <<<"$message")
      echo "$label $sequence $type $text"
      # Both sides are JSON string bodies, so their concatenation is one too.
      answer+=${text:1:-1}
      ;;
    modelSwitched)
      echo "$label $sequence $type"
      # The next model answers from the start: the text so far is replaced.
      if [[ $message == *'"discardPreviousText":true'* ]]; then answer=""; fi
      ;;
    *) echo "$label $sequence $type" ;;
  esac
}

# 1. One complete answer. No sessionId starts a new session.
reply=$(call switchboard.v1.PromptService/Prompt '{"prompt":"Hello from curl"}')
echo "prompt: $(sed -E 's/.*"text":('"$json_string"').*/\1/' <<<"$reply")"
session=$(string_field sessionId "$reply")
echo "session: $session (model $(string_field model "$reply"))"

# 2. A streamed answer in the same session, dropped after its third event as if the connection
#    broke. The gateway keeps generating: only this request ends.
answer=""
label=stream
open_stream "{\"prompt\":\"$stream_prompt\",\"sessionId\":\"$session\"}"
for _ in 1 2 3; do next_event; done
exec {events}<&-
kill "$stream_pid" 2>/dev/null || true
echo "interrupted after event $sequence; resuming from its token"

# 3. Resume from the last event processed: the events after it come exactly once (no second
#    `started`), then the live rest, ending with `completed`.
label=resumed
open_stream "{\"resumeToken\":\"$token\"}"
while next_event; do :; done
exec {events}<&-
echo "answer: \"$answer\""

# 4. The session's history, oldest first: both turns, each a user and an assistant message.
listing=$(call switchboard.v1.SessionService/ListMessages "{\"sessionId\":\"$session\"}")
messages=$(grep -oE '"role":"[A-Z_]+","text":'"$json_string" <<<"$listing" || true)
echo "messages: $(grep -c . <<<"$messages" || true)"
sed -E 's/^"role":"([A-Z_]+)","text":(.*)$/  \1: \2/' <<<"$messages"
