package main

// Helpers of the hub's process tests: a real `loket hub` process on
// loopback (the test binary acting as loket), counter processes that work
// through it, and a fault proxy between them.

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	hubSeed   = flag.Int64("hub.seed", 0, "seed of the hub's random process tests (0: from the clock; the seed is logged)")
	hubRounds = flag.Int("hub.rounds", 15, "rounds of each counter in TestHubThreeCounters")
	hubKills  = flag.Int("hub.kills", 4, "kill -9s of the hub in TestHubKilled")
	hubLoad   = flag.Duration("hub.load", 0, "how long TestHubLoad's counters work; 0 skips it (BENCHMARKS.md: -hub.load 30s)")
)

// testSeed is the seed of a random test: -hub.seed, else the clock's; logged.
func testSeed(t *testing.T) int64 {
	seed := *hubSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay: go test ./cmd/loket -run '^%s$' -hub.seed=%d)", seed, t.Name(), seed)
	return seed
}

// freeAddr is a loopback address with a free port.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// hubProc is a `loket hub` process on the data directory of te.
type hubProc struct {
	t       *testing.T
	te      *testEnv
	addr    string
	sshAddr string
	extra   []string

	mu     sync.Mutex
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	exited chan struct{}
}

// startHub starts `loket hub` on addr (and sshAddr, when not "") and waits
// until it tells systemd's socket (a test's) READY=1.
func startHub(t *testing.T, te *testEnv, addr, sshAddr string, extra ...string) *hubProc {
	h := &hubProc{t: t, te: te, addr: addr, sshAddr: sshAddr, extra: extra}
	h.start()
	t.Cleanup(func() { h.kill() })
	return h
}

func (h *hubProc) url() string { return "http://" + h.addr }

func (h *hubProc) start() {
	h.t.Helper()
	dir, err := os.MkdirTemp("", "lkn") // a short path: a socket's is at most 108 bytes
	if err != nil {
		h.t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	notify := filepath.Join(dir, "notify")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: notify, Net: "unixgram"})
	if err != nil {
		h.t.Fatal(err)
	}
	defer ln.Close()
	args := append([]string{"hub", "--addr", h.addr}, h.extra...)
	if h.sshAddr != "" {
		args = append(args, "--ssh-addr", h.sshAddr)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(procEnv(h.te.env), "NOTIFY_SOCKET="+notify)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	h.mu.Lock()
	h.cmd, h.stderr, h.exited = cmd, &stderr, exited
	h.mu.Unlock()
	_ = ln.SetReadDeadline(time.Now().Add(30 * time.Second))
	buf := make([]byte, 256)
	n, _, err := ln.ReadFromUnix(buf)
	if err != nil || string(buf[:n]) != "READY=1" {
		h.kill()
		h.t.Fatalf("loket hub did not tell systemd it is ready: %q %v\n%s", buf[:n], err, stderr.String())
	}
}

// kill sends SIGKILL (kill -9) and waits for the process to be gone.
func (h *hubProc) kill() {
	h.mu.Lock()
	cmd, exited := h.cmd, h.exited
	h.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// stop sends SIGTERM and returns the exit code and stderr.
func (h *hubProc) stop() (int, string) {
	h.mu.Lock()
	cmd, exited, stderr := h.cmd, h.exited, h.stderr
	h.mu.Unlock()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		h.t.Fatal("loket hub did not stop within 60 s of SIGTERM")
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// procEnv is the environment of a loket process of te: nothing of the
// test's own leaks in.
func procEnv(env map[string]string) []string {
	out := []string{"LOKET_TEST_MAIN=1", "PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// counterEnv is a counter PC behind the hub at url with token, set by
// $LOKET_HUB and $LOKET_HUB_TOKEN.
func counterEnv(t *testing.T, url, token string) *testEnv {
	te := newTestEnv(t)
	te.env["LOKET_HUB"] = url
	te.env["LOKET_HUB_TOKEN"] = token
	return te
}

// runProc runs one loket command in a process of its own, with extra
// variables, and returns stdout, stderr and the exit code.
func runProc(t *testing.T, te *testEnv, extra map[string]string, args ...string) (string, string, int) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = procEnv(te.env)
	for k, v := range extra {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Dir = te.cwd
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("loket %s: %v", strings.Join(args, " "), err)
	return "", "", -1
}

// addCounter registers a counter at the hub of te (through the running
// hub's owner socket, or the file) and returns its token.
func addCounter(t *testing.T, te *testEnv, code string, flags ...string) string {
	t.Helper()
	out := te.mustRun(append([]string{"hub", "counter", "add", code, "--format", "json"}, flags...)...)
	var v struct{ Counter, Token string }
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Token == "" {
		t.Fatalf("hub counter add %s: %v %q", code, err, out)
	}
	return v.Token
}

// hubEnv is the hub PC's environment: its zone, and English.
func hubEnv(t *testing.T) *testEnv {
	te := newTestEnv(t)
	cfg := "timezone = \"Asia/Jakarta\"\nlanguage = \"en\"\n[office]\nname = \"DPMPTSP Kota Bandung\"\n"
	if err := os.WriteFile(te.env["LOKET_CONFIG"], []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return te
}

// letters spells n in letters, for applicants' names that must be unique.
func letters(n int) string {
	const abc = "abcdefghijklmnopqrstuvwxyz"
	s := ""
	for {
		s = string(abc[n%26]) + s
		n /= 26
		if n == 0 {
			break
		}
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
