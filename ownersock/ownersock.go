// Package ownersock lets one process own the counter's database while other
// `loket` commands still work: the owner (the terminal UI, `loket daemon`)
// listens on a Unix socket in the data directory, and a command that finds
// the database locked sends its whole command line there and prints the
// answer as if it had run by itself.
//
// Protocol: one connection per command. The client writes one JSON Request,
// the owner answers with one JSON Response and closes. The socket file is
// mode 0600 inside the 0700 data directory, so only the owner's user can
// connect.
//
// A socket file left by a killed owner is stale: connecting to it is
// refused. A new owner removes it before listening; it may do so safely
// because it already holds the database's file lock, so no other owner can
// be alive.
package ownersock

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

// Request is a command forwarded to the owner.
type Request struct {
	Args []string          `json:"args"`
	Cwd  string            `json:"cwd"`
	Env  map[string]string `json:"env"`
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
	resp := h(ctx, req)
	_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if err := json.NewEncoder(conn).Encode(resp); err != nil {
		slog.Warn("owner socket: write response", "err", err)
	}
}

// Forward sends req to the owner at path and returns its answer. It returns
// ErrNoOwner when nobody listens there (no file, or a stale one).
func Forward(ctx context.Context, path string, req Request) (Response, error) {
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
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
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return Response{}, fmt.Errorf("send to owner socket %s: %w", path, err)
	}
	var resp Response
	if err := json.NewDecoder(io.LimitReader(conn, maxMessage)).Decode(&resp); err != nil {
		if ctx.Err() != nil {
			return Response{}, ctx.Err()
		}
		return Response{}, fmt.Errorf("read from owner socket %s: %w", path, err)
	}
	return resp, nil
}

// OpenOrForward opens a database with open. While open reports the file
// locked (locked(err)), it sends req to the owner listening on sock and
// returns the owner's answer instead. A holder that does not answer (a short
// command finishing) is waited for, up to wait in all; then the last error
// is returned, with a note that nothing answers on sock.
func OpenOrForward[T any](ctx context.Context, sock string, req Request, wait time.Duration,
	open func() (T, error), locked func(error) bool) (T, *Response, error) {
	deadline := time.Now().Add(wait)
	for {
		db, err := open()
		if err == nil || !locked(err) {
			return db, nil, err
		}
		resp, ferr := Forward(ctx, sock, req)
		if ferr == nil {
			return db, &resp, nil
		}
		if !errors.Is(ferr, ErrNoOwner) {
			return db, nil, ferr
		}
		if time.Now().After(deadline) {
			return db, nil, fmt.Errorf("%w, and no process answers on %s", err, sock)
		}
		select {
		case <-ctx.Done():
			return db, nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
