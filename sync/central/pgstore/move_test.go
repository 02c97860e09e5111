package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/centraltest"
	"github.com/loket-id/loket/sync/central/pgstore"
)

// TestMoveFromBolt: a bbolt centre with stations (one rebound, one
// revoked), a catalog and supervisors moves to PostgreSQL with nothing
// lost (the two compare equal), the counters carry on syncing to it as if
// nothing happened, and a second move into it is refused.
func TestMoveFromBolt(t *testing.T) {
	ctx := context.Background()
	src, err := central.OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	r := centraltest.NewRig(t, src, "3273/L1", "3273/L2", "9999/X1")
	l1, l2, x1 := centraltest.Counter(t), centraltest.Counter(t), centraltest.Counter(t)
	centraltest.Work(t, l1, 12)
	centraltest.Work(t, l2, 5)
	centraltest.Work(t, x1, 7)
	// One request done and surveyed by phone (its comment moves too).
	by := queue.Actor{Counter: "L1", Clerk: "Ani"}
	q, err := l1.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti Aminah", NIK: "3273014405900021"}, by)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []queue.Action{queue.ActCall, queue.ActServe, queue.ActDone} {
		if _, err := l1.Act(ctx, q.ID, a, "", by); err != nil {
			t.Fatal(err)
		}
	}
	r.Sync("3273/L1", l1)
	r.Sync("3273/L2", l2)
	r.Sync("9999/X1", x1)
	if _, err := src.AnswerSurvey(q.TrackingCode, skm.Answer{AnsweredAt: time.Now(), Scores: [skm.NumElements]int{4, 3, 3, 4, 3, 3, 4, 4, 3},
		Comment: "ruang tunggu nyaman"}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.PublishCatalog(queue.DefaultCatalog()); err != nil {
		t.Fatal(err)
	}
	sup, err := src.AddSupervisor("3273", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Rebind("3273/L2"); err != nil {
		t.Fatal(err)
	}
	if err := src.Revoke("9999/X1"); err != nil {
		t.Fatal(err)
	}
	dst := open(t)
	m, err := pgstore.MoveFromBolt(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if m.Stations != 3 || m.Requests != 25 || m.Supervisors != 1 || m.Catalog != 1 || m.Events == 0 || m.Surveys != 1 {
		t.Fatalf("moved: %+v", m)
	}
	if err := pgstore.Compare(src, dst); err != nil {
		t.Fatal(err)
	}
	if office, err := dst.Supervisor(sup); err != nil || office != "3273" {
		t.Fatalf("the supervisor token after the move: %q %v", office, err)
	}
	if problems, err := dst.Check(); err != nil || len(problems) > 0 {
		t.Fatalf("check after the move: %v %v", problems, err)
	}
	// The counters carry on with the PostgreSQL centre.
	r2 := &centraltest.Rig{T: t, S: dst, URL: centraltest.Serve(t, dst), Tokens: r.Tokens}
	centraltest.Work(t, l1, 3)
	r2.Sync("3273/L1", l1)
	if st := r2.Station("3273/L1"); st.HighWater != uint64(len(centraltest.Events(t, l1, 0))) {
		t.Fatalf("L1 after the move: %+v", st)
	}
	r2.CheckClean()
	if _, err := pgstore.MoveFromBolt(ctx, src, dst); !errors.Is(err, pgstore.ErrNotEmpty) {
		t.Fatalf("a second move: %v, want ErrNotEmpty", err)
	}
}
