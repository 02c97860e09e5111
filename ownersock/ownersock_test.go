package ownersock

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
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
