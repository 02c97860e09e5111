package main

// The owner stopped (SIGSTOP), which only Linux tests: its state is read
// from /proc.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
)

// TestStoppedOwnerDoesNotRunLate: with the owner stopped (kill -STOP), a
// command fails within seconds with exit 5 (outcome unknown) instead of
// hanging, and after kill -CONT the owner does not run it behind the
// client's back.
func TestStoppedOwnerDoesNotRunLate(t *testing.T) {
	te := newTestEnv(t)
	owner := te.startOwner()
	te.mustRun("add", "--service", "A", "--name", "Waiting Applicant", "--nik", nik)
	if err := owner.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitStopped(t, owner.Process.Pid)
	var cont sync.Once
	resume := func() { cont.Do(func() { _ = owner.Process.Signal(syscall.SIGCONT) }) }
	defer resume()

	type result struct {
		cmd          string
		code         int
		out, errText string
	}
	results := make(chan result, 2)
	for _, args := range [][]string{
		{"add", "--service", "A", "--name", "During Stop", "--nik", nik},
		{"call"},
	} {
		go func() {
			out, errOut, code := te.run(args...)
			results <- result{args[0], code, out, errOut}
		}()
	}
	var said []string
	for range 2 {
		select {
		case r := <-results:
			said = append(said, fmt.Sprintf("%s: exit %d\n%s%s", r.cmd, r.code, r.out, r.errText))
			if r.code != exitUnknown || !strings.Contains(r.errText, "loket list") {
				t.Fatalf("%s to a stopped owner: exit %d, want %d (outcome unknown)\n%s%s", r.cmd, r.code, exitUnknown, r.out, r.errText)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("a command sent to a stopped owner hangs")
		}
	}

	resume()
	// This command is accepted after the abandoned ones; then the owner
	// stops cleanly, finishing whatever it runs.
	te.mustRun("list")
	_ = owner.Process.Signal(syscall.SIGTERM)
	if err := owner.Wait(); err != nil {
		t.Fatalf("owner: %v", err)
	}
	got := te.requestsByName()
	if n := len(got["During Stop"]); n != 0 {
		log, _ := os.ReadFile(filepath.Join(te.env["LOKET_DATA"], "loket.log"))
		t.Fatalf("the add abandoned by its client was run after SIGCONT (%d requests)\nclients:\n%s\nowner's log:\n%s", n, strings.Join(said, "\n"), log)
	}
	if w := got["Waiting Applicant"]; len(w) != 1 || w[0].Status != queue.StatusWaiting {
		t.Fatalf("the call abandoned by its client was run after SIGCONT: %+v", w)
	}
}

// waitStopped waits until the kernel reports process pid stopped: kill
// returns when the signal is queued, and a loaded machine may let the
// process run on for a while before it takes it.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Skipf("cannot read the process state: %v", err)
		}
		// pid (comm) state ...: comm may hold spaces, the state follows its last ')'.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && len(stat) > i+2 && stat[i+2] == 'T' {
			return
		}
	}
	t.Fatalf("process %d did not stop within 10s of SIGSTOP", pid)
}
