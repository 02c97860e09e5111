package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loket-id/loket/relay"
)

func TestMain(m *testing.M) {
	if os.Getenv("LOKET_CENTRAL_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func run(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &App{Stdout: &out, Stderr: &errOut, Cwd: dir, Getenv: func(k string) string {
		if k == "LOKET_CENTRAL_DATA" {
			return filepath.Join(dir, "data")
		}
		return ""
	}}
	code := exitCode(a.Run(context.Background(), args), &errOut)
	return out.String(), errOut.String(), code
}

// startServer starts `loket-central serve` on dir's data directory and
// waits for its owner socket; it returns the server's address.
func startServer(t *testing.T, dir string) string {
	t.Helper()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "serve", "--addr", addr, "--data", filepath.Join(dir, "data"))
	cmd.Env = append(os.Environ(), "LOKET_CENTRAL_TEST_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGKILL); cmd.Wait() })
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(dir, "data", sockName)); err == nil {
			return addr
		}
		if i > 200 {
			t.Fatal("server did not start")
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestServerRunsOnlyDatabaseCommands: the running server runs the commands
// sent to its socket that work on its database, and refuses the others
// (before, it answered `version` and tried to `serve` a second time).
func TestServerRunsOnlyDatabaseCommands(t *testing.T) {
	dir := t.TempDir()
	startServer(t, dir)
	sock := filepath.Join(dir, "data", sockName)
	// Bounded: the old server served a second database for the forwarded
	// serve (it had dropped the client's environment), and never answered.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, args := range [][]string{{"version"}, {"serve", "--addr", "127.0.0.1:0"}} {
		resp, err := relay.Forward(ctx, sock, relay.Request{Args: args, Cwd: dir})
		if err != nil || resp.Code != 2 || !strings.Contains(resp.Stderr, "cannot run through the owner socket") || resp.Stdout != "" {
			t.Errorf("forwarded %q: %+v %v; want exit 2, refused", args, resp, err)
		}
	}
	resp, err := relay.Forward(context.Background(), sock, relay.Request{Args: []string{"station", "list"}, Cwd: dir})
	if err != nil || resp.Code != 0 || !strings.HasPrefix(resp.Stdout, "STATION") {
		t.Errorf("forwarded station list: %+v %v", resp, err)
	}
}

// TestAdminCommands: station commands with the server stopped and running.
func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := run(t, dir, "station", "add", "--office", "3273", "--station", "L1", "--name", "Loket 1", "--format", "json")
	var added map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &added) != nil || added["station"] != "3273/L1" || !strings.HasPrefix(added["token"], "lkt_") {
		t.Fatalf("station add: exit %d %q %q", code, out, errOut)
	}
	if _, errOut, code := run(t, dir, "station", "add", "--office", "3273", "--station", "L1"); code != 2 || !strings.Contains(errOut, "exists") {
		t.Fatalf("duplicate station: exit %d %q", code, errOut)
	}

	// The server holds the database: the same commands go through it.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "serve", "--addr", addr, "--data", filepath.Join(dir, "data"))
	cmd.Env = append(os.Environ(), "LOKET_CENTRAL_TEST_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGKILL); cmd.Wait() }()
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(dir, "data", sockName)); err == nil {
			break
		}
		if i > 200 {
			t.Fatal("server did not start")
		}
		time.Sleep(25 * time.Millisecond)
	}
	if out, errOut, code := run(t, dir, "station", "add", "--office", "3273", "--station", "L2"); code != 0 || !strings.Contains(out, "token   lkt_") {
		t.Fatalf("station add while serving: exit %d %q %q", code, out, errOut)
	}
	if _, _, code := run(t, dir, "station", "revoke", "3273/L2"); code != 0 {
		t.Fatal("revoke while serving")
	}
	if _, errOut, code := run(t, dir, "station", "rebind", "3273/NOPE"); code != 2 || !strings.Contains(errOut, "no such station") {
		t.Fatalf("rebind unknown: exit %d %q", code, errOut)
	}
	out, _, _ = run(t, dir, "station", "list")
	if !strings.Contains(out, "3273/L1") || !strings.Contains(out, "unbound") || !strings.Contains(out, "revoked") {
		t.Fatalf("station list = %q", out)
	}
	if out, _, code := run(t, dir, "export", "--format", "csv"); code != 0 || !strings.HasPrefix(out, "id,tracking_code,ticket,service,status") {
		t.Fatalf("export: %d %q", code, out)
	}
	os.WriteFile(filepath.Join(dir, "cat.json"), []byte(`[{"code":"A","name_id":"Izin","name_en":"Permit"}]`), 0o600)
	if out, _, code := run(t, dir, "catalog", "publish", "cat.json"); code != 0 || !strings.Contains(out, "version 1") {
		t.Fatalf("catalog publish: %d %q", code, out)
	}
	if out, _, code := run(t, dir, "check"); code != 0 || out != "ok\n" {
		t.Fatalf("check: %d %q", code, out)
	}
	if _, errOut, code := run(t, dir, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown") {
		t.Fatalf("unknown command: %d %q", code, errOut)
	}
	if _, _, code := run(t, dir, "backup", "copy.db"); code != 0 {
		t.Fatal("backup while serving")
	}
	if _, err := os.Stat(filepath.Join(dir, "copy.db")); err != nil {
		t.Fatal(err)
	}
}
