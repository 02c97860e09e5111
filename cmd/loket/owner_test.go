package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

var ownerSeed = flag.Uint64("owner-seed", 0, "seed of TestKilledOwnerNeverTwice (0: from the clock)")

// requestsByName opens the database directly (no owner may run) and counts
// the requests of each name.
func (te *testEnv) requestsByName() map[string][]queue.Request {
	te.t.Helper()
	st, err := store.Open(filepath.Join(te.env["LOKET_DATA"], store.FileName), store.Options{})
	if err != nil {
		te.t.Fatal(err)
	}
	defer st.Close()
	if rep, err := st.Check(context.Background()); err != nil || !rep.OK() {
		te.t.Fatalf("check: %v %v", err, rep.Problems)
	}
	out := map[string][]queue.Request{}
	st.View(context.Background(), func(tx *store.Tx) error {
		return tx.Between("", "", func(r queue.Request) error { out[r.Name] = append(out[r.Name], r); return nil })
	})
	return out
}

// TestKilledOwnerNeverTwice: the owner is killed (kill -9) while it runs
// `loket add`, again and again: after the registration is saved and before
// it answers, or at a random moment. Every client either says it registered
// (exit 0, and the applicant is registered exactly once), or says the
// outcome is unknown (exit 5); no client says it failed (exit 1) when the
// applicant is registered, and nobody is registered twice.
func TestKilledOwnerNeverTwice(t *testing.T) {
	seed := *ownerSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -owner-seed %d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	te := newTestEnv(t)
	// A printer that, when told to, hangs: the owner is then between the
	// saved registration and its answer.
	bin := t.TempDir()
	hold, printing := filepath.Join(bin, "hold"), filepath.Join(bin, "printing")
	script := fmt.Sprintf("#!/bin/sh\nif [ -e %s ]; then rm -f %s; : > %s; exec sleep 10; fi\nexit 0\n", hold, hold, printing)
	if err := os.WriteFile(filepath.Join(bin, "lp"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cfg, _ := os.ReadFile(te.env["LOKET_CONFIG"])
	os.WriteFile(te.env["LOKET_CONFIG"], append(cfg, []byte("[receipt]\nprinter = \"kasir\"\n")...), 0o600)

	type outcome struct {
		name, mode string
		code       int
		out        string
	}
	var outcomes []outcome
	for i := range 8 {
		os.Remove(printing)
		mode := "after save"
		if rng.IntN(2) == 0 {
			mode = "at random"
		} else if err := os.WriteFile(hold, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		owner := te.startOwner()
		name := fmt.Sprintf("Applicant %d", i)
		client := exec.Command(os.Args[0], "add", "--service", "A", "--name", name, "--nik", nik)
		client.Env = owner.Env
		var stdout, stderr bytes.Buffer
		client.Stdout, client.Stderr = &stdout, &stderr
		if err := client.Start(); err != nil {
			t.Fatal(err)
		}
		if mode == "after save" {
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				if _, err := os.Stat(printing); err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("iteration %d: the owner never reached the printer", i)
				}
			}
		} else {
			time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		}
		_ = owner.Process.Signal(syscall.SIGKILL)
		_ = owner.Wait()
		err := client.Wait()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		os.Remove(hold)
		t.Logf("iteration %d, killed %s: exit %d %s", i, mode, code, strings.TrimSpace(stderr.String()))
		outcomes = append(outcomes, outcome{name, mode, code, stdout.String()})
	}
	got := te.requestsByName()
	for _, o := range outcomes {
		rs := got[o.name]
		switch {
		case len(rs) > 1:
			t.Errorf("%s (killed %s) is registered %d times", o.name, o.mode, len(rs))
		case o.code == 0 && (len(rs) != 1 || !strings.Contains(o.out, rs[0].ID)):
			t.Errorf("%s (killed %s): exit 0 printing %q, but registered as %+v", o.name, o.mode, o.out, rs)
		case o.code != 0 && o.code != exitUnknown && len(rs) != 0:
			t.Errorf("%s (killed %s): exit %d says it failed, but it is registered", o.name, o.mode, o.code)
		}
	}
}

// TestForwardedRelativePaths: a relative --config (or --data, or file)
// given to a command that goes through the owner is the client's: the
// owner, in another directory, reads the same config file the client
// named. Before, it looked in its own directory, found nothing and ran the
// command on the default config (another counter code).
func TestForwardedRelativePaths(t *testing.T) {
	te := newTestEnv(t)
	cfg := "timezone = \"Asia/Jakarta\"\n[station]\ncode = \"L7\"\n[clerk]\nname = \"Wayan\"\n"
	if err := os.WriteFile(filepath.Join(te.cwd, "other.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	te.startOwner()
	out := te.mustRun("add", "--config", "other.toml", "--service", "A", "--name", "Siti", "--nik", nik, "--format", "json")
	var r queue.Request
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("add: %v\n%s", err, out)
	}
	if r.Counter != "L7" || r.Clerk != "Wayan" {
		t.Fatalf("add through the owner with --config other.toml: counter %q clerk %q, want L7 Wayan", r.Counter, r.Clerk)
	}
}
