package central

import (
	"encoding/json"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestBoltPersonalPrimitives: the personal part of an event is stored in
// the personal bucket under the event's key, and erasing a request's
// personal part deletes every part of that request and no other.
func TestBoltPersonalPrimitives(t *testing.T) {
	cs, err := OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	count := func() map[string]int {
		n := map[string]int{}
		_ = cs.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bPersonal).ForEach(func(k, v []byte) error {
				var pr personalRecord
				if err := json.Unmarshal(v, &pr); err != nil {
					t.Fatal(err)
				}
				n[pr.RequestID]++
				return nil
			})
		})
		return n
	}
	if err := cs.db.Update(func(tx *bolt.Tx) error {
		in := &boltIngest{tx: tx}
		for seq, id := range []string{"A", "B", "A"} {
			if err := in.PutPersonal("3273/L1", 0, uint64(seq+1), id, []byte(`{"name":"Siti"}`)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n["A"] != 2 || n["B"] != 1 {
		t.Fatalf("stored: %v", n)
	}
	if err := cs.db.Update(func(tx *bolt.Tx) error { return (&boltIngest{tx: tx}).ErasePersonal("A") }); err != nil {
		t.Fatal(err)
	}
	if n := count(); n["A"] != 0 || n["B"] != 1 {
		t.Fatalf("after erasing A: %v", n)
	}
}
