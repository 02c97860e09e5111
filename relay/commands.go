package relay

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// NewRequest is the request that forwards the command line args of a
// process in directory cwd: it carries the variables of env that getenv
// has, so that the owner runs the command as the client would have.
func NewRequest(args []string, cwd string, getenv func(string) string, env []string) Request {
	vars := map[string]string{}
	for _, k := range env {
		if v := getenv(k); v != "" {
			vars[k] = v
		}
	}
	return Request{Args: args, Cwd: cwd, Env: vars}
}

// Getenv is the value of the client's environment variable k ("" when it
// was not forwarded): the owner's commands read it instead of their own.
func (r Request) Getenv(k string) string { return r.Env[k] }

// Runner runs one forwarded command line in the owner: in the client's
// directory and environment (req.Cwd, req.Getenv), printing on stdout and
// stderr what the command would have printed, and returns its exit code.
type Runner func(ctx context.Context, req Request, stdout, stderr io.Writer) int

// Commands is the handler of a program (prog: its name in messages) whose
// commands run in the owner: an empty command line is refused, any other
// is run by run and its output and exit code answered.
func Commands(prog string, run Runner) Handler {
	return func(ctx context.Context, req Request) Response {
		if len(req.Args) == 0 {
			return Response{Stderr: fmt.Sprintf("%s: empty forwarded command\n", prog), Code: 2}
		}
		var stdout, stderr strings.Builder
		code := run(ctx, req, &stdout, &stderr)
		return Response{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
	}
}
