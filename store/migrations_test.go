package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// TestMigrateV1 checks the first migration on an empty file: every bucket,
// the station identity and the default catalog; a reopen keeps the identity.
func TestMigrateV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := s.Identity()
	if len(id.StationID) != 32 || len(id.Epoch) != 32 || id.StationID == id.Epoch || id.CreatedAt.IsZero() {
		t.Fatalf("identity = %+v", id)
	}
	var svcs []queue.Service
	_ = s.View(ctx, func(tx *Tx) error {
		for _, b := range [][]byte{bMeta, bServices, bRequests, bEvents, bIdx} {
			if tx.tx.Bucket(b) == nil {
				t.Errorf("bucket %s missing", b)
			}
		}
		if v := getU64(tx.tx.Bucket(bMeta).Get(kSchemaVersion)); v != SchemaVersion() {
			t.Errorf("schema version %d", v)
		}
		svcs, err = tx.Services()
		return err
	})
	if len(svcs) < 8 || len(svcs) != len(queue.DefaultCatalog()) {
		t.Fatalf("default catalog has %d services", len(svcs))
	}
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Identity() != id {
		t.Fatalf("identity changed on reopen: %+v -> %+v", id, s.Identity())
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kSchemaVersion, u64(SchemaVersion()+1)) })
	db.Close()
	before, _ := os.ReadFile(path)
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("open newer schema: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a database with a newer schema was modified")
	}
}

// TestMissingBucketRefused: a file with the schema version but without a
// bucket of the layout is refused with an error, not a panic later.
func TestMissingBucketRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, _ := bolt.Open(path, 0o600, nil)
	_ = db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bIdx) })
	db.Close()
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "bucket idx is missing") {
		t.Fatalf("open a damaged file: %v", err)
	}
}

func TestParseCatalog(t *testing.T) {
	tests := []struct {
		name, format, data, errHas string
		n                          int
	}{
		{"toml", "toml", "[[service]]\ncode = \"A\"\nname_id = \"a\"\nname_en = \"a\"\n[[service]]\ncode = \"BB\"\nname_id = \"b\"\nname_en = \"b\"\nactive = false\n", "", 2},
		{"json object", "json", `{"services":[{"code":"A","name_id":"a","name_en":"a"}]}`, "", 1},
		{"json list", "json", `[{"code":"A","name_id":"a","name_en":"a","documents":["KTP"]}]`, "", 1},
		{"empty", "json", `[]`, "no services", 0},
		{"duplicate", "json", `[{"code":"A","name_id":"a","name_en":"a"},{"code":"A","name_id":"b","name_en":"b"}]`, "appears twice", 0},
		{"bad code", "json", `[{"code":"ABC","name_id":"a","name_en":"a"}]`, "one or two capital letters", 0},
		{"no name", "json", `[{"code":"A","name_en":"a"}]`, "name_id: required", 0},
		{"negative sla", "json", `[{"code":"A","name_id":"a","name_en":"a","sla_days":-1}]`, "sla_days", 0},
		{"unknown json key", "json", `[{"code":"A","name_id":"a","name_en":"a","colour":"red"}]`, "colour", 0},
		{"unknown toml key", "toml", "[[service]]\ncode = \"A\"\nname_id = \"a\"\nname_en = \"a\"\nsla = 3\n", "unknown key", 0},
		{"broken toml", "toml", "[[service]\n", "TOML", 0},
		{"yaml", "yaml", "", "unknown format", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svcs, err := queue.ParseCatalog([]byte(tt.data), tt.format)
			if tt.errHas != "" {
				if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tt.errHas)) || !errors.Is(err, queue.ErrInvalid) {
					t.Fatalf("err = %v; want %q", err, tt.errHas)
				}
				return
			}
			if err != nil || len(svcs) != tt.n {
				t.Fatalf("got %d services, %v", len(svcs), err)
			}
			if tt.name == "toml" && (svcs[0].Active != true || svcs[1].Active != false) {
				t.Fatalf("active flags: %+v", svcs)
			}
		})
	}
}

// TestMigrateV2BuildsSearchKeys: a database of schema 1 (requests without
// queued_at, idx without the l and g keys; made here from the v1 file of
// testdata by removing them) is migrated on open: the search keys are
// built for every request, Check finds nothing, and the requests are found
// by the last four NIK digits and part of a tracking code; the waiting
// line of old requests still goes by arrival.
func TestMigrateV2BuildsSearchKeys(t *testing.T) {
	path := copyV1(t)
	golden := v1Requests(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bIdx)
		var stale [][]byte
		_ = idx.ForEach(func(k, _ []byte) error {
			if k[0] == pNIKLast || k[0] == pTrackEnd {
				stale = append(stale, append([]byte(nil), k...))
			}
			return nil
		})
		if len(stale) < len(golden) {
			t.Fatalf("%d search keys before the downgrade, want at least %d", len(stale), len(golden))
		}
		for _, k := range stale {
			if err := idx.Delete(k); err != nil {
				return err
			}
		}
		reqs := tx.Bucket(bRequests)
		var ids [][]byte
		_ = reqs.ForEach(func(k, _ []byte) error { ids = append(ids, append([]byte(nil), k...)); return nil })
		for _, k := range ids {
			var m map[string]any
			if err := json.Unmarshal(reqs.Get(k), &m); err != nil {
				return err
			}
			delete(m, "queued_at")
			v, _ := json.Marshal(m)
			if err := reqs.Put(k, v); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(kSchemaVersion, u64(1))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	clk := &fakeClock{t: time.Date(2026, 12, 4, 23, 59, 0, 0, time.UTC)}
	s, err := Open(path, Options{Clock: clk.Now, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.View(ctx, func(tx *Tx) error {
		if v := getU64(tx.tx.Bucket(bMeta).Get(kSchemaVersion)); v != SchemaVersion() {
			t.Errorf("schema version %d after the migration", v)
		}
		return nil
	})
	mustCheck(t, s)
	last4 := map[string]int{}
	for _, r := range golden {
		if r.NIK != "" {
			last4[r.NIK[12:]]++
		}
	}
	found := 0
	for _, r := range golden {
		if r.NIK == "" || last4[r.NIK[12:]] != 1 {
			continue
		}
		for _, q := range []string{r.NIK[12:], r.TrackingCode[10:], r.TrackingCode[5:]} {
			got, err := s.Find(ctx, q, 10)
			if err != nil || len(got) != 1 || got[0].ID != r.ID {
				t.Fatalf("Find(%q) after the migration = %v, %v; want %s", q, got, err, r.Ticket)
			}
		}
		if found++; found == 5 {
			break
		}
	}
	// Waiting on 2026-12-04: D-021, then E-017 (by arrival).
	if r, err := s.CallNext(ctx, nil, clerk); err != nil || r.Ticket != "D-021" {
		t.Fatalf("call next after the migration = %s, %v; want D-021", r.Ticket, err)
	}
}
