package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/loket-id/loket/internal/boltcheck/boltchecktest"
)

var damageSeed = flag.Uint64("damage.seed", 1, "seed of the random truncations and flips of TestDamagedDatabase")

// TestDamagedDatabase damages copies of central.db (truncations, flipped
// bytes in the meta pages, the freelist and a leaf, random ones from a
// seed) and runs check, export and station list on each in a real process,
// so that a fatal error fails the test instead of killing it. Each must end
// with exit 1 and a message naming the file, never a goroutine dump and
// never exit 2; a random flip that lands where nothing reads may pass unseen.
func TestDamagedDatabase(t *testing.T) {
	t.Logf("damage seed %d (change with -damage.seed)", *damageSeed)
	dir := t.TempDir()
	for i := 1; i <= 40; i++ {
		if _, errOut, code := run(t, dir, "station", "add", "--office", "3273", "--station", fmt.Sprintf("L%d", i), "--name", fmt.Sprintf("Loket %d", i)); code != 0 {
			t.Fatalf("station add: exit %d %s", code, errOut)
		}
	}
	path := filepath.Join(dir, "data", "central.db")
	good, info := boltchecktest.Read(t, path)
	commands := [][]string{{"check"}, {"export", "--format", "csv"}, {"station", "list"}}
	for _, d := range boltchecktest.Cases(t, good, info, "stations", *damageSeed, 6) {
		bad := d.Apply(good)
		for _, args := range commands {
			t.Run(d.Name+"/"+args[0], func(t *testing.T) {
				data := t.TempDir()
				p := filepath.Join(data, "central.db")
				if err := os.WriteFile(p, bad, 0o600); err != nil {
					t.Fatal(err)
				}
				out, code := runCentral(t, data, args)
				d.Check(t, "loket-central "+args[0], p, out, code)
			})
		}
	}
}

// runCentral runs one loket-central command in a process of its own on the
// data directory data and returns its output (stdout and stderr) and exit code.
func runCentral(t *testing.T, data string, args []string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], append(args, "--data", data)...)
	cmd.Env = []string{"LOKET_CENTRAL_TEST_MAIN=1", "PATH=" + os.Getenv("PATH"), "HOME=" + data}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("loket-central %s did not finish within a minute", args[0])
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), 0
}
