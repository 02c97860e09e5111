package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/internal/boltcheck/boltchecktest"
	"github.com/loket-id/loket/store"
)

var damageSeed = flag.Uint64("damage.seed", 1, "seed of the random truncations and flips of TestDamagedDatabase")

// TestDamagedDatabase damages copies of a database (truncations, flipped
// bytes in the meta pages, the freelist and a leaf, random ones from a
// seed) and runs check, list, add and export on each in a real process, so
// that a fatal error fails the test instead of killing it. Each must end
// with exit 1 and a message naming the file, never a goroutine dump and
// never exit 2 (the exit of a Go crash, which the README keeps for bad
// input); a random flip that lands where nothing reads may pass unseen.
func TestDamagedDatabase(t *testing.T) {
	t.Logf("damage seed %d (change with -damage.seed)", *damageSeed)
	te := newTestEnv(t)
	te.now = func() time.Time { return fixedNow } // the same file, the same random cases, every run
	te.mustRun("demo", "--days", "3")
	path := filepath.Join(te.env["LOKET_DATA"], store.FileName)
	good, info := boltchecktest.Read(t, path)
	commands := [][]string{
		{"check"},
		{"list"},
		{"add", "--service", "A", "--name", "Budi Santoso", "--nik", nik},
		{"export", "--format", "csv"},
	}
	for _, d := range boltchecktest.Cases(t, good, info, "requests", *damageSeed, 6) {
		bad := d.Apply(good)
		for _, args := range commands {
			t.Run(d.Name+"/"+args[0], func(t *testing.T) {
				dir := t.TempDir()
				p := filepath.Join(dir, store.FileName)
				if err := os.WriteFile(p, bad, 0o600); err != nil {
					t.Fatal(err)
				}
				out, code := runDamaged(t, te, dir, args)
				d.Check(t, "loket "+args[0], p, out, code)
				if args[0] == "add" {
					if got, _ := os.ReadFile(p); d.Structural && !bytes.Equal(got, bad) {
						t.Fatal("loket add wrote into a damaged file")
					}
				}
			})
		}
	}
}

// runDamaged runs one loket command in a process of its own on the data
// directory dir and returns its output (stdout and stderr) and exit code.
func runDamaged(t *testing.T, te *testEnv, dir string, args []string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = []string{"LOKET_TEST_MAIN=1", "PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"LOKET_DATA=" + dir, "LOKET_CONFIG=" + te.env["LOKET_CONFIG"]}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("loket %s did not finish within a minute", args[0])
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), 0
}

// TestCheckFindsKeyOrder: loket check (whose open walks the file as the
// check does, which then does not walk again) finds keys out of order in a
// page, damage the walk of every other command's open does not look for:
// exit 1 naming the file, and the damage is recorded, so that a later
// loket add is refused and the file left as it was.
func TestCheckFindsKeyOrder(t *testing.T) {
	te := newTestEnv(t)
	te.now = func() time.Time { return fixedNow }
	te.mustRun("demo", "--days", "3")
	path := filepath.Join(te.env["LOKET_DATA"], store.FileName)
	good, info := boltchecktest.Read(t, path)
	for _, d := range boltchecktest.KeyOrder(t, good, info, "requests") {
		t.Run(d.Name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, store.FileName)
			bad := d.Apply(good)
			if err := os.WriteFile(p, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			out, code := runDamaged(t, te, dir, []string{"check"})
			if code != 1 || !strings.Contains(out, p) || !strings.Contains(out, "damaged") || !strings.Contains(out, "key") {
				t.Fatalf("loket check: exit %d:\n%s", code, out)
			}
			out, code = runDamaged(t, te, dir, []string{"add", "--service", "A", "--name", "Budi Santoso", "--nik", nik})
			if code != 1 || !strings.Contains(out, "damaged") {
				t.Fatalf("loket add after check found keys out of order: exit %d:\n%s", code, out)
			}
			if got, _ := os.ReadFile(p); !bytes.Equal(got, bad) {
				t.Fatal("the file changed")
			}
		})
	}
}
