package synctest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/station"
)

var clerk = queue.Actor{Counter: "L1", Clerk: "Sari"}

// walkIn registers one applicant for service A and returns the ticket.
func (s *counterDB) walkIn(t *testing.T) queue.Request {
	t.Helper()
	s.now = s.now.Add(2 * time.Minute)
	r, err := s.st.Register(bg, queue.NewRequest{Service: "A", Name: fmt.Sprintf("Pemohon %d", s.rng.Intn(1e6)), NIK: "3201014107900001"}, clerk)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// serveNext calls, serves and finishes the next in line.
func (s *counterDB) serveNext(t *testing.T) queue.Request {
	t.Helper()
	r, err := s.st.CallNext(bg, nil, clerk)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []queue.Action{queue.ActServe, queue.ActDone} {
		s.now = s.now.Add(time.Minute)
		if r, err = s.st.Act(bg, r.ID, act, "", clerk); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// restore puts a backup file in place of the station's database, as an
// operator does: counter closed, file copied over.
func (s *counterDB) restore(t *testing.T, backup string) {
	t.Helper()
	s.close()
	data, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s.open(t)
}

func (s *counterDB) backup(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "loket-backup.db")
	if _, err := s.st.BackupFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func (s *counterDB) check(t *testing.T) {
	t.Helper()
	rep, err := s.st.Check(bg)
	if err != nil || !rep.OK() {
		t.Fatalf("station check: %v %v", err, rep.Problems)
	}
}

// centralFigures are the office's figures of the day on the central server
// (stopped for the look and started again).
func centralFigures(t *testing.T, srv *server, day string) stats.Figures {
	t.Helper()
	srv.kill()
	defer srv.start()
	var f stats.Figures
	srv.admin(func(st central.Storage) {
		var err error
		if f, err = central.Stats(st, "3273", "", "", day, day, wib); err != nil {
			t.Fatal(err)
		}
	})
	return f
}

func rebind(t *testing.T, srv *server, key string) {
	t.Helper()
	srv.kill()
	srv.admin(func(st central.Storage) {
		if err := st.Rebind(key); err != nil {
			t.Fatal(err)
		}
	})
	srv.start()
}

// noDuplicateTickets fails when a station has one ticket twice on a day.
func noDuplicateTickets(t *testing.T, rows []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, row := range rows {
		f := strings.Split(row, ",")
		key := f[9] + " " + f[10][:10] + " " + f[2] // station, arrival day, ticket
		if seen[key] {
			t.Fatalf("ticket given twice: %s", key)
		}
		seen[key] = true
	}
}

// TestRestoredStationAfterRebind is the reported scenario: a counter is
// restored from a backup after the centre has more of its history, hands out
// one ticket, is refused, rebound and synced. The centre's figures never go
// back; the counter gets its lost history back, its new applicant gets the
// next free ticket, and its export equals the centre's.
func TestRestoredStationAfterRebind(t *testing.T) { eachStorage(t, testRestoredStationAfterRebind) }

func testRestoredStationAfterRebind(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	s := newStation(t, 41)
	c := s.client(srv.url(), tokens["3273/L1"])
	day := s.now.Format(time.DateOnly)
	for range 3 {
		s.walkIn(t)
	}
	syncUntilDone(t, c, 3)
	backup := s.backup(t)

	if r := s.serveNext(t); r.Ticket != "A-001" || r.Status != queue.StatusDone {
		t.Fatalf("served %s %s", r.Ticket, r.Status)
	}
	s.walkIn(t)
	s.walkIn(t)
	syncUntilDone(t, c, 3)
	before := s.export(t)
	if f := centralFigures(t, srv, day); f.Served != 1 || f.Waiting+f.Unclosed != 4 { // open: waiting now, or left open on an earlier day
		t.Fatalf("central figures before the restore: served %d, open %d", f.Served, f.Waiting+f.Unclosed)
	}

	s.restore(t, backup)
	c = s.client(srv.url(), tokens["3273/L1"])
	late := s.walkIn(t) // handed out before anyone synced: A-004 again on this database
	if late.Ticket != "A-004" {
		t.Fatalf("the restored database gave %s", late.Ticket)
	}
	if _, err := c.Sync(bg); !errors.Is(err, station.ErrRefused) || !strings.Contains(err.Error(), "rebind") {
		t.Fatalf("a restored database that has moved on must be refused (exit 4): %v", err)
	}
	if f := centralFigures(t, srv, day); f.Served != 1 || f.Waiting+f.Unclosed != 4 { // open: waiting now, or left open on an earlier day
		t.Fatalf("central figures after the refused sync: served %d, open %d", f.Served, f.Waiting+f.Unclosed)
	}

	rebind(t, srv, "3273/L1")
	syncUntilDone(t, s.client(srv.url(), tokens["3273/L1"]), 3)
	f := centralFigures(t, srv, day)
	if f.Served != 1 || f.Waiting+f.Unclosed != 5 || f.Arrivals != 6 {
		t.Fatalf("central figures after the rebind: served %d, open %d, arrivals %d; want 1, 5, 6", f.Served, f.Waiting+f.Unclosed, f.Arrivals)
	}
	srv.kill()
	central := centralExport(t, srv, "3273")
	noDuplicateTickets(t, central)
	sameRows(t, "the counter after recovery vs the centre", s.export(t), central)
	// Everything the centre held before is still there, unchanged.
	for _, row := range before {
		found := false
		for _, c := range central {
			found = found || c == row
		}
		if !found {
			t.Fatalf("the centre lost or changed %s", row)
		}
	}
	// The late applicant keeps its tracking code, with the next free ticket;
	// numbers continue after it.
	got, err := s.st.Get(bg, late.TrackingCode)
	if err != nil || got.Ticket != "A-006" || got.ID != late.ID {
		t.Fatalf("the late applicant: %+v %v", got, err)
	}
	if r := s.walkIn(t); r.Ticket != "A-007" {
		t.Fatalf("the next ticket is %s, want A-007", r.Ticket)
	}
	s.check(t)
}
