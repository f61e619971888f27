// Package logging owns the agent's log: JSON lines in <dir>/syncagent.log written by a
// small rotating writer (File), the logger set up over it (New), and the engine behind
// `syncagent logs` (Print), which reads the rotated files and the live one back as
// readable lines and can follow the live file across rotations.
//
// A service's stdout and stderr are thrown away (Windows SCM, systemd without a
// terminal), so this file is the record staff and IT read. Field conventions, so that
// `syncagent logs --component C --store S` finds every line it should:
//
//   - "component" on every line: the part of the agent that speaks, one of the Comp*
//     constants (components.go: "dropfolder", "push", "orders", …). Derive a logger once
//     with Component(l, CompPush).
//   - "store" wherever a line concerns one marketplace account: the store's name from
//     the config ("trendyol-main"). Derive it with Store(l, name).
//   - errors under "error" (zerolog's Err), never folded into the message.
//   - "time" in RFC 3339 with milliseconds and the local UTC offset
//     (2026-11-23T10:15:00.123+03:00), "level" and "message" as zerolog writes them.
//
// Messages follow the project's habit: quiet when healthy, precise when not; say what
// happened, to what, and what the agent does next. Foreign text (file names, marketplace
// replies) goes into fields, which the reader quotes.
//
// Secrets never reach a line: config.Secret marshals as "***" through every zerolog
// path (Interface, Stringer, Any), and auth headers or request bodies are not logged.
//
// Tests in other packages that want to see what was logged use ToWriter(&buf), which
// writes the same JSON lines into any io.Writer; zerolog.Nop() discards everything.
package logging
