package relay

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestForwardRoundTrip(t *testing.T) {
	dir, err := os.MkdirTemp("", "os") // short: socket paths are limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, FileName)
	// No socket file, then a stale one (a killed owner's): nobody owns.
	if _, err := Forward(context.Background(), sock, Request{}); !errors.Is(err, ErrNoOwner) {
		t.Fatalf("no socket: %v", err)
	}
	ln, _ := net.Listen("unix", sock)
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := Forward(context.Background(), sock, Request{}); !errors.Is(err, ErrNoOwner) {
		t.Fatalf("stale socket: %v", err)
	}
	// A new owner replaces the stale file and answers.
	ln, err = Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(sock); info.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v", info.Mode())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- Serve(ctx, ln, func(ctx context.Context, req Request) Response {
			return Response{Stdout: strings.Join(req.Args, " ") + " in " + req.Cwd, Code: 7}
		})
	}()
	resp, err := Forward(context.Background(), sock, Request{Args: []string{"list", "--date", "2026-11-27"}, Cwd: "/home/sari"})
	if err != nil || resp.Code != 7 || resp.Stdout != "list --date 2026-11-27 in /home/sari" {
		t.Fatalf("forward: %+v %v", resp, err)
	}
	// A malformed request gets a usage answer, not a hang or a crash.
	c, _ := net.Dial("unix", sock)
	c.Write([]byte("{not json\n"))
	c.(*net.UnixConn).CloseWrite()
	buf := make([]byte, 512)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _ := c.Read(buf)
	c.Close()
	if !strings.Contains(string(buf[:n]), `"code":2`) {
		t.Fatalf("malformed request answered %q", buf[:n])
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func shortDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "os") // short: socket paths are limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// TestForwardToStoppedOwner: an owner that never reads (a stopped process:
// the kernel still accepts the connection into the backlog) makes Forward
// fail with ErrNoAnswer instead of hanging.
func TestForwardToStoppedOwner(t *testing.T) {
	sock := filepath.Join(shortDir(t), FileName)
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close() // never accepts
	done := make(chan error, 1)
	go func() {
		_, err := Forward(context.Background(), sock, Request{Args: []string{"add"}})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNoAnswer) {
			t.Fatalf("forward to a stopped owner: %v, want ErrNoAnswer", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("forward to a stopped owner hangs")
	}
}

// TestExpiredRequestNotRun: a request read after its StartBy is answered
// without running it.
func TestExpiredRequestNotRun(t *testing.T) {
	sock := filepath.Join(shortDir(t), FileName)
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int32
	done := make(chan error)
	go func() {
		done <- Serve(ctx, ln, func(ctx context.Context, req Request) Response { ran.Add(1); return Response{} })
	}()
	// Sent in time, read late (as by an owner stopped meanwhile).
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	json.NewEncoder(c).Encode(Request{Args: []string{"add"}, StartBy: time.Now().Add(-time.Millisecond)})
	var resp Response
	err = json.NewDecoder(c).Decode(&resp)
	c.Close()
	if err != nil || resp.Code != CodeNotStarted || !strings.Contains(resp.Stderr, "not run") {
		t.Fatalf("expired request: %+v %v", resp, err)
	}
	if _, err := Forward(context.Background(), sock, Request{Args: []string{"add"}}); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	if ran.Load() != 1 {
		t.Fatalf("handler ran %d times, want 1 (the request in time only)", ran.Load())
	}
}

// TestHeartbeatKeepsLongCommand: a command that runs longer than the
// silence timeout is waited for, because its owner keeps saying it is alive.
func TestHeartbeatKeepsLongCommand(t *testing.T) {
	defer func(h, s time.Duration) { Heartbeat, SilenceTimeout = h, s }(Heartbeat, SilenceTimeout)
	Heartbeat, SilenceTimeout = 10*time.Millisecond, 100*time.Millisecond
	sock := filepath.Join(shortDir(t), FileName)
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	// The handler finishes only after it has heartbeated for ten silence timeouts.
	go func() {
		done <- Serve(ctx, ln, func(ctx context.Context, req Request) Response {
			time.Sleep(10 * SilenceTimeout)
			return Response{Stdout: "finished"}
		})
	}()
	resp, err := Forward(context.Background(), sock, Request{Args: []string{"backup"}})
	if err != nil || resp.Stdout != "finished" {
		t.Fatalf("long command: %+v %v", resp, err)
	}
	cancel()
	<-done
}

// TestOwnerDiesMidCommand: the connection breaking after the request was
// sent is a lost answer, not a refusal.
func TestOwnerDiesMidCommand(t *testing.T) {
	sock := filepath.Join(shortDir(t), FileName)
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		var req Request
		json.NewDecoder(c).Decode(&req)
		c.Write([]byte("\n"))
		c.Close() // dies after starting
	}()
	if _, err := Forward(context.Background(), sock, Request{Args: []string{"add"}}); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("owner died mid-command: %v, want ErrNoAnswer", err)
	}
}

// TestOwnerFallsSilent: an owner that started the command and then stops
// answering (stopped mid-command) is a lost answer, found by its silence.
func TestOwnerFallsSilent(t *testing.T) {
	defer func(s time.Duration) { SilenceTimeout = s }(SilenceTimeout)
	SilenceTimeout = 100 * time.Millisecond
	sock := filepath.Join(shortDir(t), FileName)
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	release := make(chan struct{})
	defer close(release)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var req Request
		json.NewDecoder(c).Decode(&req)
		c.Write([]byte("\n")) // started, then nothing more
		<-release
	}()
	done := make(chan error, 1)
	go func() {
		_, err := Forward(context.Background(), sock, Request{Args: []string{"call"}})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNoAnswer) {
			t.Fatalf("silent owner: %v, want ErrNoAnswer", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("forward to an owner fallen silent hangs")
	}
}
