package central

import (
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// TestExportReadsOnlyItsOffice: an office's export walks its own key range
// of the byday index: a request of another office that does not even
// decode is never read (the whole export does read it, and says so), and a
// range of days that holds nothing reads nothing.
func TestExportReadsOnlyItsOffice(t *testing.T) {
	r := newRig(t, "3273/L1", "9999/X1")
	a, b := counter(t), counter(t)
	reqs := register(t, a, 3)
	other := register(t, b, 2)
	r.sync("3273/L1", a)
	r.sync("9999/X1", b)
	if err := r.cs.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bRequests).Put([]byte(other[0].ID), []byte("{not json"))
	}); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := r.cs.Export("3273", "", "", "", func(q queue.Request) error { got = append(got, q.ID); return nil }); err != nil {
		t.Fatalf("the office's export read another office's request: %v", err)
	}
	if len(got) != 3 || got[0] != reqs[0].ID || got[2] != reqs[2].ID {
		t.Fatalf("export of 3273: %v", got)
	}
	if err := r.cs.Export("", "", "", "", func(queue.Request) error { return nil }); err == nil {
		t.Fatal("the whole export did not find the damaged request")
	}
	n := 0
	if err := r.cs.Export("9999", "", "2000-01-01", "2000-01-31", func(queue.Request) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("an empty range of office 9999: %d %v", n, err)
	}
}

func register(t *testing.T, st *store.Store, n int) []queue.Request {
	t.Helper()
	var out []queue.Request
	for range n {
		q, err := st.Register(t.Context(), queue.NewRequest{Service: "A", Name: "Siti Aminah", NIK: "3201014107900001"}, queue.Actor{Counter: "L1", Clerk: "Sari"})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	return out
}
