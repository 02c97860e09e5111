package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/central"
)

// TestRestoreRebindFlow is the operator's flow of the README: a counter
// restored from its backup and used since is refused (exit 4, naming the
// rebind); after loket-central station rebind, loket sync gets the history
// back, says which ticket was renumbered and how to reprint it, and sends
// the rest.
func TestRestoreRebindFlow(t *testing.T) {
	dir := t.TempDir()
	cs, err := central.OpenBolt(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&central.Server{Storage: cs, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Serve(ctx, ln, "", "")
	}()
	t.Cleanup(func() { cancel(); <-done; cs.Close() })
	_, tok, err := cs.AddStation("3273", "L3", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}

	te := newTestEnv(t)
	var mu sync.Mutex
	now := fixedNow
	te.now = func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Minute); return now }
	te.mustRun("init", "--server", "http://"+ln.Addr().String(), "--token", tok)
	for range 3 {
		te.mustRun("add", "--service", "A", "--name", "Siti", "--nik", nik)
	}
	te.mustRun("sync")
	backup := filepath.Join(te.dir, "backup.db")
	te.mustRun("backup", backup)
	te.mustRun("call")
	te.mustRun("serve", "A-001")
	te.mustRun("done", "A-001")
	te.mustRun("add", "--service", "A", "--name", "Budi", "--nik", nik)
	te.mustRun("add", "--service", "A", "--name", "Wati", "--nik", nik)
	te.mustRun("sync")

	data, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(te.env["LOKET_DATA"], store.FileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := te.mustRun("add", "--service", "A", "--name", "Late", "--nik", nik); !strings.Contains(out, "A-004") {
		t.Fatalf("the restored counter gave: %s", out)
	}
	if _, errOut, code := te.run("sync"); code != 4 || !strings.Contains(errOut, "loket-central station rebind 3273/L3") {
		t.Fatalf("sync of a restored counter used since: exit %d %q", code, errOut)
	}
	if err := cs.Rebind("3273/L3"); err != nil {
		t.Fatal(err)
	}
	out := te.mustRun("sync")
	for _, want := range []string{"recovered from the server: 5", "ticket A-004 of 2026-11-27", "is now A-006", "loket receipt", "pending: 0"} {
		if !strings.Contains(out, want) {
			t.Fatalf("sync after the rebind lacks %q:\n%s", want, out)
		}
	}
	if out := te.mustRun("show", "A-001"); !strings.Contains(out, "done") {
		t.Fatalf("A-001 after recovery: %s", out)
	}
	if out := te.mustRun("add", "--service", "A", "--name", "Next", "--nik", nik); !strings.Contains(out, "A-007") {
		t.Fatalf("after recovery the counter gave: %s", out)
	}
}
