package hub_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// TestNightlyPurge: the hub's purge runs when it starts, then waits until
// 01:00 office time, and each night erases the requests closed before the
// retention's cut, not those closed since; it tells what it erased, and
// its log says how many, never a name or NIK. The clock and the waits are
// the test's: no real time passes.
func TestNightlyPurge(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, hubtest.WIB)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Location: hubtest.WIB, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	closeOne := func(name, nik string) queue.Request {
		r, err := st.Register(bg, queue.NewRequest{Service: "A", Name: name, NIK: nik}, by)
		if err != nil {
			t.Fatal(err)
		}
		if r, err = st.Act(bg, r.ID, queue.ActCancel, "", by); err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := closeOne("Siti Aminah", "3201014107900001") // closed 2026-03-02

	var logs lockedBuffer
	waits := make(chan time.Duration)
	fire := make(chan time.Time)
	erased := make(chan queue.Erasure, 10)
	p := &hub.Purger{Store: st, Before: config.Privacy{RetentionDays: 1}.PurgeBefore, By: queue.Actor{Counter: "HUB"},
		Log:    slog.New(slog.NewTextHandler(&logs, nil)),
		Erased: func(before string, e queue.Erasure) { erased <- e },
		After:  func(d time.Duration) <-chan time.Time { waits <- d; return fire }}
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	next := func() (time.Duration, queue.Erasure) {
		t.Helper()
		select {
		case e := <-erased:
			select {
			case d := <-waits:
				return d, e
			case <-time.After(30 * time.Second):
				t.Fatal("the purger never waited")
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the purger never ran")
		}
		return 0, queue.Erasure{}
	}

	// At start (09:00 on 2 March), the cut is 1 March: nothing closed before.
	if d, e := next(); d != 16*time.Hour || len(e.Requests) != 0 {
		t.Fatalf("at start: wait %v, erased %+v", d, e)
	}
	// 01:00 on 3 March: the cut is 2 March; still nothing.
	set(time.Date(2026, 3, 3, 1, 0, 0, 0, hubtest.WIB))
	closeOne("Budi Santoso", "3578010101850002") // closed 2026-03-03
	fire <- time.Time{}
	if d, e := next(); d != 24*time.Hour || len(e.Requests) != 0 {
		t.Fatalf("night of 3 March: wait %v, erased %+v", d, e)
	}
	// 01:00 on 4 March: the cut is 3 March: Siti's request goes, Budi's stays.
	set(time.Date(2026, 3, 4, 1, 0, 0, 0, hubtest.WIB))
	fire <- time.Time{}
	if d, e := next(); d != 24*time.Hour || len(e.Requests) != 1 || e.Requests[0].ID != first.ID {
		t.Fatalf("night of 4 March: wait %v, erased %+v", d, e)
	}
	if r, _ := st.Get(bg, first.ID); !r.Erased || r.Name != "" || r.NIK != "" || r.Status != queue.StatusCancelled {
		t.Fatalf("Siti's request after the purge: %+v", r)
	}
	if rs, _ := st.Find(bg, "Budi", 10); len(rs) != 1 || rs[0].Erased {
		t.Fatalf("Budi's request, closed since the cut: %+v", rs)
	}
	cancel()
	<-done
	log := logs.String()
	if !strings.Contains(log, "hub: nightly purge") || !strings.Contains(log, "before=2026-03-03 requests=1") {
		t.Errorf("the log does not say what the purge did:\n%s", log)
	}
	for _, secret := range []string{"Siti", "Budi", "3201014107900001", "3578010101850002"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q:\n%s", secret, log)
		}
	}

	// Retention 0: Run returns at once, having purged nothing.
	off := &hub.Purger{Store: st, Before: config.Privacy{}.PurgeBefore, Log: hubtest.Logger(),
		After: func(time.Duration) <-chan time.Time { t.Error("a purger that is off waited"); return nil }}
	off.Run(bg)
}
