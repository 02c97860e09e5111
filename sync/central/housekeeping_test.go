package central

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	bolt "go.etcd.io/bbolt"
)

// TestHousekeeping: the night's run purges by the centre's retention and
// compacts when something was erased, logs counts and never a NIK; it runs
// at the hour asked.
func TestHousekeeping(t *testing.T) {
	r := newRig(t, "3273/L1")
	st := counter(t)
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Ani"}
	nik := "3273010101900081"
	q, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Wulan Sekarsari", NIK: nik}, by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Act(ctx, q.ID, queue.ActCancel, "", by); err != nil {
		t.Fatal(err)
	}
	r.sync("3273/L1", st)
	var logs bytes.Buffer
	h := &Housekeeping{Storage: r.cs, RetentionDays: 30, Hour: 2, Location: wib, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Now: func() time.Time { return time.Now().AddDate(0, 0, 29) }}
	h.Once()
	if !r.rawHolds(nik) {
		t.Fatal("purged inside the retention period")
	}
	h.Now = func() time.Time { return time.Now().AddDate(0, 0, 32) }
	h.Once()
	if r.rawHolds(nik) || !strings.Contains(logs.String(), "requests=1") {
		t.Fatalf("after the retention period: raw file holds the NIK %v; logs:\n%s", r.rawHolds(nik), logs.String())
	}
	if strings.Contains(logs.String(), nik) || strings.Contains(logs.String(), "Wulan") {
		t.Fatal("the housekeeping logged personal data")
	}
	// An erasure from a counter, with no retention of the centre's own:
	// the night compacts it away.
	q2, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Vina Kartikasari", NIK: "3273010101900082"}, by)
	if err != nil {
		t.Fatal(err)
	}
	r.sync("3273/L1", st)
	if err := r.cs.update(func(tx *bolt.Tx) error { return (&boltIngest{tx: tx}).ErasePersonal(q2.ID) }); err != nil {
		t.Fatal(err)
	}
	h.RetentionDays = 0
	h.Once()
	if r.rawHolds("3273010101900082") || !strings.Contains(logs.String(), "compacted after erasures") {
		t.Fatalf("an erasure not compacted away; logs:\n%s", logs.String())
	}
	at := time.Date(2026, 12, 4, 1, 30, 0, 0, wib)
	h.Now = func() time.Time { return at }
	if d := h.untilNext(); d != 30*time.Minute {
		t.Fatalf("at 01:30 the next run is in %s, want 30m", d)
	}
	at = time.Date(2026, 12, 4, 2, 0, 0, 0, wib)
	if d := h.untilNext(); d != 24*time.Hour {
		t.Fatalf("at 02:00 the next run is in %s, want 24h", d)
	}
}
