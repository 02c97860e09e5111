package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loket-id/loket/internal/pgtest"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/centraltest"
	"github.com/loket-id/loket/sync/station"
)

// runEnv runs a command line with LOKET_CENTRAL_DATA=dir/data and the
// extra variables env.
func runEnv(t *testing.T, dir string, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &App{Stdout: &out, Stderr: &errOut, Cwd: dir, Getenv: func(k string) string {
		if k == "LOKET_CENTRAL_DATA" {
			return filepath.Join(dir, "data")
		}
		return env[k]
	}}
	code := exitCode(a.Run(context.Background(), args), &errOut)
	return out.String(), errOut.String(), code
}

// startPG starts `loket-central serve --db url extra...` and returns its base URL.
func startPG(t *testing.T, url string, extra ...string) string {
	t.Helper()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", addr, "--db", url}, extra...)...)
	cmd.Env = append(os.Environ(), "LOKET_CENTRAL_TEST_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGKILL); cmd.Wait() })
	for i := 0; ; i++ {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return "http://" + addr
		}
		if i > 400 {
			t.Fatal("server did not start")
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestPostgresCommands: a bbolt centre with a synced counter moves to
// PostgreSQL (migrate-from-bolt, the two compared), every database command
// works on it with --db or $LOKET_CENTRAL_DB, and the counter syncs on
// through two serve --db processes in turn, nothing lost or doubled.
func TestPostgresCommands(t *testing.T) {
	url := pgtest.URL(t)
	dir := t.TempDir()
	out, errOut, code := run(t, dir, "station", "add", "--office", "3273", "--station", "L1", "--format", "json")
	var added map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &added) != nil {
		t.Fatalf("station add: %d %q %q", code, out, errOut)
	}
	os.WriteFile(filepath.Join(dir, "cat.json"), []byte(`[{"code":"A","name_id":"Izin","name_en":"Permit"}]`), 0o600)
	if _, errOut, code := run(t, dir, "catalog", "publish", "cat.json"); code != 0 {
		t.Fatalf("catalog publish: %q", errOut)
	}
	cs, err := central.OpenBolt(filepath.Join(dir, "data"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	counter := centraltest.Counter(t)
	centraltest.Work(t, counter, 8)
	(&centraltest.Rig{T: t, S: cs, URL: centraltest.Serve(t, cs), Tokens: map[string]string{"3273/L1": added["token"]}}).Sync("3273/L1", counter)
	cs.Close()
	boltExport, _, _ := run(t, dir, "export", "--format", "json", "--unmasked")

	if _, errOut, code := run(t, dir, "migrate-from-bolt"); code != 2 || !strings.Contains(errOut, "--db") {
		t.Fatalf("migrate-from-bolt without --db: %d %q", code, errOut)
	}
	out, errOut, code = run(t, dir, "migrate-from-bolt", "--db", url)
	if code != 0 || !strings.Contains(out, "1 stations") || !strings.Contains(out, "8 requests") || !strings.Contains(out, "compare equal") {
		t.Fatalf("migrate-from-bolt: %d %q %q", code, out, errOut)
	}
	if _, errOut, code := run(t, dir, "migrate-from-bolt", "--db", url); code == 0 || !strings.Contains(errOut, "empty") {
		t.Fatalf("a second move: %d %q", code, errOut)
	}
	env := map[string]string{"LOKET_CENTRAL_DB": url}
	pg := func(args ...string) (string, string, int) { t.Helper(); return runEnv(t, dir, env, args...) }
	if out, errOut, code := pg("export", "--format", "json", "--unmasked"); code != 0 || out != boltExport {
		t.Fatalf("export from PostgreSQL: %d %q\n%s\nwant\n%s", code, errOut, out, boltExport)
	}
	if out, errOut, code := pg("migrate"); code != 0 || !strings.Contains(out, "nothing to do") {
		t.Fatalf("migrate: %d %q %q", code, out, errOut)
	}
	if out, errOut, code := pg("check"); code != 0 || out != "ok\n" {
		t.Fatalf("check: %d %q %q", code, out, errOut)
	}
	if out, errOut, code := pg("station", "add", "--office", "3273", "--station", "L2"); code != 0 || !strings.Contains(out, "token   lkt_") {
		t.Fatalf("station add: %d %q %q", code, out, errOut)
	}
	if _, errOut, code := pg("station", "add", "--office", "3273", "--station", "L2"); code != 2 || !strings.Contains(errOut, "exists") {
		t.Fatalf("duplicate station: %d %q", code, errOut)
	}
	if _, _, code := pg("station", "revoke", "3273/L2"); code != 0 {
		t.Fatal("revoke")
	}
	if out, _, _ := pg("station", "list"); !strings.Contains(out, "3273/L1") || !strings.Contains(out, "revoked") {
		t.Fatalf("station list: %q", out)
	}
	if out, errOut, code := pg("token", "add", "--role", "supervisor", "--office", "3273"); code != 0 || !strings.Contains(out, "lkt_") {
		t.Fatalf("token add: %d %q %q", code, out, errOut)
	}
	today := time.Now().In(centraltest.WIB).Format(time.DateOnly)
	if out, errOut, code := pg("stats", "--office", "3273", "--from", today, "--format", "json"); code != 0 || !strings.Contains(out, `"arrivals": 8`) {
		t.Fatalf("stats: %d %q %q", code, out, errOut)
	}
	if _, errOut, code := pg("backup", "x.db"); code != 2 || !strings.Contains(errOut, "pg_dump") {
		t.Fatalf("backup of a PostgreSQL centre: %d %q", code, errOut)
	}
	// The centre's own retention and the compaction, on PostgreSQL too.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"purge", "--before", "2026-01-01", "--dry-run", "--format", "json"}, `"dry_run": true`},
		{[]string{"purge", "--before", "2026-01-01"}, "erased the personal part of 0 requests closed before 2026-01-01"},
		{[]string{"compact"}, "compacted the personal and surveys tables: "},
	} {
		if out, errOut, code := pg(c.args...); code != 0 || !strings.Contains(out, c.want) {
			t.Fatalf("%v: %d %q %q", c.args, code, out, errOut)
		}
	}
	// The counter syncs on through two server processes in turn (one with
	// the nightly retention).
	urls := []string{startPG(t, url, "--retention-days", "30"), startPG(t, url)}
	for i := range 4 {
		centraltest.Work(t, counter, 3)
		c := &station.Client{URL: urls[i%2], Token: added["token"], Store: counter}
		if res, err := c.Sync(context.Background()); err != nil || res.Pending != 0 {
			t.Fatalf("sync %d through server %d: %+v %v", i, i%2, res, err)
		}
	}
	var n int
	for _, line := range strings.Split(strings.TrimSpace(mustOut(pg("export", "--format", "csv"))), "\n")[1:] {
		if line != "" {
			n++
		}
	}
	if n != 8+4*3 {
		t.Fatalf("%d requests at the centre, want %d", n, 8+4*3)
	}
	if out, _, code := pg("check"); code != 0 || out != "ok\n" {
		t.Fatalf("check after: %q", out)
	}
}

func mustOut(out, _ string, _ int) string { return out }
