package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
// queued_at, idx without the l and g keys) is migrated on open: the
// search keys are built for every request, Check finds nothing, and the
// requests are found by the last four NIK digits and part of a tracking
// code; the waiting line of old requests still goes by arrival.
func TestMigrateV2BuildsSearchKeys(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, jakarta)}
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{Clock: clk.Now, Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	var rs []queue.Request
	for i, nik := range []string{"3201014107900001", "3578010101850002", "3273012902800417"} {
		clk.Add(time.Minute)
		rs = append(rs, mustRegister(t, s, queue.NewRequest{Service: "A", Name: fmt.Sprintf("Old %d", i), NIK: nik}))
	}
	s.Close()
	// Make it a schema 1 file, as the build before wrote it.
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
		if len(stale) != 2*len(rs) {
			t.Fatalf("%d search keys before the downgrade, want %d", len(stale), 2*len(rs))
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

	s, err = Open(path, Options{Clock: clk.Now, Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.View(ctx, func(tx *Tx) error {
		if v := getU64(tx.tx.Bucket(bMeta).Get(kSchemaVersion)); v != SchemaVersion() || v < 2 {
			t.Errorf("schema version %d after the migration", v)
		}
		return nil
	})
	mustCheck(t, s)
	for _, tt := range []struct{ q, want string }{
		{"0417", rs[2].Ticket},
		{"0002", rs[1].Ticket},
		{rs[0].TrackingCode[10:], rs[0].Ticket},
		{rs[1].TrackingCode[5:], rs[1].Ticket},
	} {
		got, err := s.Find(ctx, tt.q, 10)
		if err != nil || len(got) != 1 || got[0].Ticket != tt.want {
			t.Errorf("Find(%q) after the migration = %v, %v; want %s", tt.q, got, err, tt.want)
		}
	}
	if r, err := s.CallNext(ctx, nil, clerk); err != nil || r.ID != rs[0].ID {
		t.Fatalf("call next after the migration = %s, %v; want %s", r.Ticket, err, rs[0].Ticket)
	}
}
