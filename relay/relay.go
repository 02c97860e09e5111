// Package relay runs a command line in the process that holds the
// counter's database. It lets one process own the counter's database while other
// `loket` commands still work: the owner (the terminal UI, `loket daemon`)
// listens on a Unix socket in the data directory, and a command that finds
// an owner there sends its whole command line and prints the answer as if it
// had run by itself.
//
// Protocol: one connection per command. The client writes one JSON Request;
// the owner answers with one JSON Response and closes. The socket file is
// mode 0600 inside the 0700 data directory, so only the owner's user can
// connect.
//
// Deadlines. Every request carries StartBy, the time by which the owner must
// start it (StartTimeout after it was sent). An owner that reads the request
// later (it was stopped, or swamped) drops it without running it. Once it
// starts, the owner writes a newline at once and then every Heartbeat until
// the response: JSON ignores whitespace before a value, so the response is
// still one JSON value. The client gives up when the owner has not started
// by StartBy plus a short grace, or falls silent for SilenceTimeout after
// starting: a stopped or dead owner is detected within seconds, whatever the
// kernel accepted into the socket's backlog, while a long command (a backup,
// a sync) that keeps its owner alive is waited for.
//
// A lost answer is not a refusal: when the connection breaks or falls silent
// after the request was sent, Forward returns ErrNoAnswer, and whether the
// command ran is unknown. Mutating commands therefore carry an idempotency
// key (Request.Key) that the owner's store records with what the command
// did, so the client may send the same request again: a request whose key
// was already applied returns the first result instead of acting twice.
//
// A socket file left by a killed owner is stale: connecting to it is
// refused. A new owner removes it before listening; it may do so safely
// because it already holds the database's file lock, so no other owner can
// be alive.
package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// FileName is the socket's name in the data directory.
const FileName = "loket.sock"

// maxMessage bounds a request or response (a long export is sent as a file
// path, never through the socket... except list output, which is small).
const maxMessage = 64 << 20

// Timeouts of a forwarded call (variables so that tests can shorten them).
var (
	// StartTimeout is how long after sending a request the owner may still
	// start it; later, it drops the request unrun.
	StartTimeout = 1500 * time.Millisecond
	// startGrace is how much longer than StartBy the client waits for the
	// owner's first byte (an owner that started just before StartBy).
	startGrace = 500 * time.Millisecond
	// Heartbeat is how often a running owner writes a newline.
	Heartbeat = 500 * time.Millisecond
	// SilenceTimeout is how long a client waits for the next byte from an
	// owner that has started its command.
	SilenceTimeout = 3 * time.Second
)

// Request is a command forwarded to the owner.
type Request struct {
	Args []string          `json:"args"`
	Cwd  string            `json:"cwd"`
	Env  map[string]string `json:"env"`
	// Key is the idempotency key of a mutating command ("" for others): the
	// same key sent twice acts once.
	Key string `json:"key,omitempty"`
	// StartBy is the time by which the owner must start the command; the
	// zero time means StartTimeout after Forward sends it.
	StartBy time.Time `json:"start_by,omitzero"`
}

// Response is what the command printed and its exit code.
type Response struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Code   int    `json:"code"`
}

// Relay prints what the owner printed and returns its exit code.
func (r Response) Relay(stdout, stderr io.Writer) int {
	_, _ = io.WriteString(stdout, r.Stdout)
	_, _ = io.WriteString(stderr, r.Stderr)
	return r.Code
}

// CodeNotStarted is the exit code of a request the owner dropped because its
// StartBy had passed: it did not run.
const CodeNotStarted = 1

// Handler runs a forwarded command.
type Handler func(ctx context.Context, req Request) Response

// ErrNoOwner means no process answers on the socket (none, or a stale file).
var ErrNoOwner = errors.New("no process owns the database")

// Listen replaces any stale socket at path and listens there, mode 0600.
// Call it only while holding the database lock.
func Listen(path string) (net.Listener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	return ln, nil
}

// Serve answers connections on ln with h until ctx is done, then closes ln,
// removes the socket file and waits for the commands under way.
func Serve(ctx context.Context, ln net.Listener, h Handler) error {
	var wg sync.WaitGroup
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("accept on owner socket: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			handle(ctx, conn, h)
		}()
	}
}

func handle(ctx context.Context, conn net.Conn, h Handler) {
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var req Request
	if err := json.NewDecoder(io.LimitReader(conn, maxMessage)).Decode(&req); err != nil {
		slog.Warn("owner socket: malformed request", "err", err)
		_ = json.NewEncoder(conn).Encode(Response{Stderr: "loket: malformed request on owner socket\n", Code: 2})
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	if !req.StartBy.IsZero() && time.Now().After(req.StartBy) {
		// The client has given up on it (this process was stopped or
		// swamped): running it now would act behind the client's back.
		slog.Warn("owner socket: request dropped unrun, its start deadline had passed",
			"command", firstArg(req.Args), "late", time.Since(req.StartBy).Round(time.Millisecond))
		_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
		_ = json.NewEncoder(conn).Encode(Response{Code: CodeNotStarted,
			Stderr: "loket: the counter program could not start this command before its deadline; it was not run\n"})
		return
	}
	// Started: say so at once, then keep saying it until the answer.
	var mu sync.Mutex
	beat := func() {
		mu.Lock()
		defer mu.Unlock()
		_ = conn.SetWriteDeadline(time.Now().Add(SilenceTimeout))
		_, _ = conn.Write([]byte("\n"))
	}
	beat()
	stop := make(chan struct{})
	beating := make(chan struct{})
	go func() {
		defer close(beating)
		t := time.NewTicker(Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				beat()
			}
		}
	}()
	resp := h(ctx, req)
	close(stop)
	<-beating
	_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if err := json.NewEncoder(conn).Encode(resp); err != nil {
		slog.Warn("owner socket: write response", "command", firstArg(req.Args), "err", err)
	}
}

// firstArg is the command's name, the only part of a command line that may
// be logged (the rest can hold a NIK or a phone number).
func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// ErrNoAnswer means the request was sent but no answer came back: the owner
// died, was stopped, or the connection broke. Whether the command ran is
// unknown.
var ErrNoAnswer = errors.New("no answer from the process that owns the database, so whether the command ran is unknown")

// Forward sends req to the owner at path and returns its answer. It returns
// ErrNoOwner when nobody listens there (no file, or a stale one): then
// nothing was sent. Once the request may have reached the owner, every
// failure wraps ErrNoAnswer. The call is bounded by the timeouts above (and
// by ctx); req.StartBy, when zero, is set to StartTimeout from now.
func Forward(ctx context.Context, path string, req Request) (Response, error) {
	if req.StartBy.IsZero() {
		req.StartBy = time.Now().Add(StartTimeout)
	}
	var d net.Dialer
	dctx, cancel := context.WithDeadline(ctx, req.StartBy)
	defer cancel()
	conn, err := d.DialContext(dctx, "unix", path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) {
			return Response{}, ErrNoOwner
		}
		return Response{}, fmt.Errorf("connect to owner socket %s: %w", path, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	lost := func(what string, err error) error {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return fmt.Errorf("%w (%s owner socket %s: %w)", ErrNoAnswer, what, path, err)
	}
	_ = conn.SetWriteDeadline(req.StartBy)
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return Response{}, lost("send to", err)
	}
	// Until the first byte: the owner must start by StartBy. After it: the
	// owner must not fall silent.
	_ = conn.SetReadDeadline(req.StartBy.Add(startGrace))
	var resp Response
	if err := json.NewDecoder(io.LimitReader(&beatReader{conn: conn}, maxMessage)).Decode(&resp); err != nil {
		return Response{}, lost("read from", err)
	}
	return resp, nil
}

// beatReader moves the read deadline on each time the owner sends something.
type beatReader struct{ conn net.Conn }

func (r *beatReader) Read(p []byte) (int, error) {
	n, err := r.conn.Read(p)
	if n > 0 {
		_ = r.conn.SetReadDeadline(time.Now().Add(SilenceTimeout))
	}
	return n, err
}

// OpenOrForward runs a command against the database: through the owner
// listening on sock when there is one (tried first: no wait for a file lock
// that an owner holds all day), else by opening the database with open.
// While open reports the file locked (locked(err)) and nobody answers on
// sock (a short command finishing), it tries both again, up to wait in all;
// then the last error is returned, with a note that nothing answers on sock.
// A lost answer (ErrNoAnswer) is returned as it is: the caller decides
// whether the request may be sent again.
func OpenOrForward[T any](ctx context.Context, sock string, req Request, wait time.Duration,
	open func() (T, error), locked func(error) bool) (T, *Response, error) {
	deadline := time.Now().Add(wait)
	var zero T
	for {
		resp, ferr := Forward(ctx, sock, req)
		if ferr == nil {
			return zero, &resp, nil
		}
		if !errors.Is(ferr, ErrNoOwner) {
			return zero, nil, ferr
		}
		db, err := open()
		if err == nil || !locked(err) {
			return db, nil, err
		}
		if time.Now().After(deadline) {
			return db, nil, fmt.Errorf("%w, and no process answers on %s", err, sock)
		}
		select {
		case <-ctx.Done():
			return db, nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
