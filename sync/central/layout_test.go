package central

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/store"
)

// drawnLayout reads the drawing in layout.go: its buckets and the literal
// keys drawn under meta.
func drawnLayout(t *testing.T) (buckets, meta []string) {
	t.Helper()
	f, err := os.Open("layout.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cur string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "//\t")
		if !ok {
			continue
		}
		if item, ok := strings.CutPrefix(line, "└── "); ok {
			if cur == "meta" {
				meta = append(meta, strings.Fields(item)[0])
			}
			continue
		}
		cur = strings.Fields(line)[0]
		buckets = append(buckets, cur)
	}
	return buckets, meta
}

// TestLayoutIsDocumented works a fresh central database (a station that
// syncs, a catalog, a supervisor) and compares its buckets and meta keys
// with the drawing in layout.go.
func TestLayoutIsDocumented(t *testing.T) {
	r := newRig(t, "3273/L1")
	st := counter(t)
	req := doneForLayout(t, st)
	r.sync("3273/L1", st)
	if _, err := r.cs.AnswerSurvey(req.TrackingCode, skm.Answer{AnsweredAt: time.Now(), Scores: [skm.NumElements]int{3, 3, 3, 3, 3, 3, 3, 3, 3}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.cs.PublishCatalog(queue.DefaultCatalog()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.cs.AddSupervisor("3273", time.Now()); err != nil {
		t.Fatal(err)
	}
	var buckets, meta []string
	if err := r.cs.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			buckets = append(buckets, string(name))
			if string(name) == "meta" {
				return b.ForEach(func(k, _ []byte) error { meta = append(meta, string(k)); return nil })
			}
			// personal is filled by protocol v2's events (not yet sent).
			if b.Stats().KeyN == 0 && string(name) != "personal" {
				t.Errorf("bucket %s is empty: the test does not work it", name)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	docB, docM := drawnLayout(t)
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"buckets", buckets, docB}, {"meta keys", meta, docM}} {
		sort.Strings(c.got)
		sort.Strings(c.want)
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: the file holds %q, layout.go draws %q", c.what, c.got, c.want)
		}
	}
}

// TestMigrations: a file made before schema versions were recorded opens
// as version 1 with its data; a new file gets the current version; a file
// of a newer schema is refused and left byte for byte as it was.
func TestMigrations(t *testing.T) {
	t.Run("unversioned file", func(t *testing.T) {
		dir := t.TempDir()
		db, err := bolt.Open(filepath.Join(dir, "central.db"), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(func(tx *bolt.Tx) error {
			for _, b := range [][]byte{bStations, bTokens, bEvents, bRequests, bCatalog, bSupers} {
				if _, err := tx.CreateBucket(b); err != nil {
					return err
				}
			}
			return tx.Bucket(bStations).Put([]byte("3273/L1"), []byte(`{"key":"3273/L1","office":"3273","station":"L1"}`))
		}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		cs, err := OpenBolt(dir, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		sts, err := cs.Stations()
		if err != nil || len(sts) != 1 || sts[0].Key != "3273/L1" {
			t.Fatalf("stations after the migration: %+v %v", sts, err)
		}
		if v := cs.schemaVersion(t); v != SchemaVersion() {
			t.Fatalf("schema version %d, want %d", v, SchemaVersion())
		}
	})
	t.Run("new file", func(t *testing.T) {
		cs, err := OpenBolt(t.TempDir(), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		if v := cs.schemaVersion(t); v != SchemaVersion() {
			t.Fatalf("schema version %d, want %d", v, SchemaVersion())
		}
	})
	t.Run("newer schema", func(t *testing.T) {
		dir := t.TempDir()
		cs, err := OpenBolt(dir, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := cs.db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bMeta).Put(kSchemaVersion, []byte{0, 0, 0, 0, 0, 0, 0, 99})
		}); err != nil {
			t.Fatal(err)
		}
		cs.Close()
		path := filepath.Join(dir, "central.db")
		before, _ := os.ReadFile(path)
		if _, err := OpenBolt(dir, time.Second); !errors.Is(err, ErrNewerSchema) {
			t.Fatalf("open a newer schema: %v, want ErrNewerSchema", err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Fatal("a refused file was modified")
		}
	})
}

func (s *BoltStorage) schemaVersion(t *testing.T) uint64 {
	t.Helper()
	var v uint64
	if err := s.db.View(func(tx *bolt.Tx) error { v = schemaVersion(tx); return nil }); err != nil {
		t.Fatal(err)
	}
	return v
}

// doneForLayout registers a request at st and finishes it.
func doneForLayout(t *testing.T, st *store.Store) queue.Request {
	t.Helper()
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	r, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti", NIK: "3201014107900001"}, by)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []queue.Action{queue.ActCall, queue.ActServe, queue.ActDone} {
		if r, err = st.Act(ctx, r.ID, act, "", by); err != nil {
			t.Fatal(err)
		}
	}
	return r
}
