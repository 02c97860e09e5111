package store

import (
	"errors"
	"testing"

	"github.com/loket-id/loket/queue"
)

// TestImportHistoryRefusesBadInput: a history that cannot continue this
// database's log is refused with an error saying why, and nothing changes.
func TestImportHistoryRefusesBadInput(t *testing.T) {
	src, _ := openTest(t)
	for range 3 {
		mustRegister(t, src, walkIn("A", "Siti Aminah"))
	}
	var evs []queue.Event
	_ = src.View(ctx, func(tx *Tx) (err error) { evs, err = tx.Events(0, 0); return })

	foreign := func(e queue.Event) queue.Event { e.Epoch = "ffffffffffffffffffffffffffffffff"; return e }
	for _, tc := range []struct {
		name    string
		history []queue.Event
		want    error
	}{
		{"not consecutive", []queue.Event{evs[0], evs[2]}, queue.ErrInvalid},
		{"starts past the end of this log", evs[2:], queue.ErrInvalid},
		{"two identities", []queue.Event{evs[0], foreign(evs[1])}, queue.ErrInvalid},
		{"another identity sharing events", evs[1:], queue.ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst, _ := openTest(t)
			if tc.name == "another identity sharing events" {
				mustRegister(t, dst, walkIn("A", "Budi"))
			}
			before, _ := dst.SyncState(ctx)
			id := dst.Identity()
			_, err := dst.ImportHistory(ctx, tc.history)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			after, _ := dst.SyncState(ctx)
			if after != before || dst.Identity() != id {
				t.Fatalf("a refused import changed the database: %+v -> %+v", before, after)
			}
			mustCheck(t, dst)
		})
	}
}

// TestImportHistoryIntoEmptyDatabase: a new database takes over the
// identity and history of another, and tickets continue.
func TestImportHistoryIntoEmptyDatabase(t *testing.T) {
	src, _ := openTest(t)
	for range 3 {
		mustRegister(t, src, walkIn("A", "Siti Aminah"))
	}
	var evs []queue.Event
	_ = src.View(ctx, func(tx *Tx) (err error) { evs, err = tx.Events(0, 0); return })
	dst, _ := openTest(t)
	rec, err := dst.ImportHistory(ctx, evs)
	if err != nil || !rec.Adopted || rec.Imported != 3 || dst.Identity().StationID != src.Identity().StationID {
		t.Fatalf("import: %+v %v", rec, err)
	}
	if st, _ := dst.SyncState(ctx); st.Acked != 3 || st.Pending() != 0 {
		t.Fatalf("sync state %+v", st)
	}
	if r := mustRegister(t, dst, walkIn("A", "Budi")); r.Ticket != "A-004" || r.Station != src.Identity().StationID {
		t.Fatalf("next: %s of %s", r.Ticket, r.Station)
	}
	mustCheck(t, dst)
	// Reopened, it is still the adopted station.
	path := dst.Path()
	dst.Close()
	again, err := Open(path, Options{Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.Identity().Epoch != src.Identity().Epoch {
		t.Fatalf("identity after reopen: %+v", again.Identity())
	}
}
