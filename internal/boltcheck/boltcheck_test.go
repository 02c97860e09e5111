package boltcheck_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/demo"
	"github.com/loket-id/loket/internal/boltcheck"
	"github.com/loket-id/loket/internal/boltcheck/boltchecktest"
	"github.com/loket-id/loket/store"
)

var seed = flag.Uint64("damage.seed", 1, "seed of the random truncations and flips")

// demoDB writes a database with a few days of simulated history and returns its path.
func demoDB(t testing.TB, days int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), store.FileName)
	st, err := store.Open(path, store.Options{Clock: func() time.Time { return time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(context.Background(), st, demo.Options{Days: days, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVerifySoundFile(t *testing.T) {
	path := demoDB(t, 3)
	for _, mode := range []boltcheck.Mode{boltcheck.Quick, boltcheck.Walk, boltcheck.Deep} {
		info, err := boltcheck.Verify(path, mode, time.Second)
		if err != nil || info.Meta.HighPage < 10 || info.Free == 0 {
			t.Fatalf("mode %d: %+v, %v", mode, info, err)
		}
	}
	for _, p := range []string{filepath.Join(t.TempDir(), "absent.db"), emptyFile(t)} {
		for _, mode := range []boltcheck.Mode{boltcheck.Walk, boltcheck.Deep} {
			if _, err := boltcheck.Verify(p, mode, time.Second); err != nil {
				t.Errorf("%s: %v (bbolt creates it)", p, err)
			}
		}
	}
}

// verifyReading is Verify with files of up to mapMax bytes read through a
// map (boltcheck.MapMax), the others with reads.
func verifyReading(path string, mode boltcheck.Mode, mapMax int64) (boltcheck.Info, error) {
	defer func(m int64) { boltcheck.MapMax = m }(boltcheck.MapMax)
	boltcheck.MapMax = mapMax
	return boltcheck.Verify(path, mode, time.Second)
}

func emptyFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestVerifyDamaged: every structural damage is found by Walk and by Deep,
// named with the file, and the file is left as it was.
func TestVerifyDamaged(t *testing.T) {
	t.Logf("damage seed %d (change with -damage.seed)", *seed)
	path := demoDB(t, 3)
	good, info := boltchecktest.Read(t, path)
	for _, d := range boltchecktest.Cases(t, good, info, "requests", *seed, 20) {
		t.Run(d.Name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), store.FileName)
			bad := d.Apply(good)
			if err := os.WriteFile(p, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, mode := range []boltcheck.Mode{boltcheck.Walk, boltcheck.Deep} {
				for _, mapMax := range []int64{boltcheck.MapMax, 0} { // through a map, and with reads
					_, err := verifyReading(p, mode, mapMax)
					if d.Structural && !errors.Is(err, boltcheck.ErrDamaged) {
						t.Fatalf("mode %d, map up to %d bytes: not found damaged: %v", mode, mapMax, err)
					}
					if err != nil && (!errors.Is(err, boltcheck.ErrDamaged) || !strings.Contains(err.Error(), p)) {
						t.Fatalf("mode %d, map up to %d bytes: error does not say the file %s is damaged: %v", mode, mapMax, p, err)
					}
				}
			}
			if got, _ := os.ReadFile(p); !bytes.Equal(got, bad) {
				t.Fatal("Verify modified the file")
			}
		})
	}
}

// TestDeepFindsKeyOrder: keys out of order, which bbolt's own check finds
// and the walk every open does not look for, are found by Deep, which
// names the page, and the file is left as it was.
func TestDeepFindsKeyOrder(t *testing.T) {
	path := demoDB(t, 3)
	good, info := boltchecktest.Read(t, path)
	for _, d := range boltchecktest.KeyOrder(t, good, info, "requests") {
		t.Run(d.Name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), store.FileName)
			bad := d.Apply(good)
			if err := os.WriteFile(p, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, mapMax := range []int64{boltcheck.MapMax, 0} { // through a map, and with reads
				if _, err := verifyReading(p, boltcheck.Walk, mapMax); err != nil {
					t.Fatalf("Walk, map up to %d bytes: %v (it does not read the keys)", mapMax, err)
				}
				_, err := verifyReading(p, boltcheck.Deep, mapMax)
				if !errors.Is(err, boltcheck.ErrDamaged) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "key") {
					t.Fatalf("Deep, map up to %d bytes: %v", mapMax, err)
				}
			}
			if got, _ := os.ReadFile(p); !bytes.Equal(got, bad) {
				t.Fatal("Verify modified the file")
			}
		})
	}
}

// TestReaderCursorReadsAsBbolt: a Reader's cursor gives every key and value
// of a bucket in the order bbolt's own cursor does: a bucket of one leaf,
// of several levels of branch pages, of values larger than a page
// (overflow pages), and one holding buckets (nil values); and its Last.
func TestReaderCursorReadsAsBbolt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	err = db.Update(func(tx *bolt.Tx) error {
		fill := func(name string, n, vmax int) *bolt.Bucket {
			b, _ := tx.CreateBucket([]byte(name))
			for i := 0; i < n; i++ {
				k := fmt.Appendf(nil, "%08x", rng.Uint32())
				if err := b.Put(k, bytes.Repeat([]byte{byte(i)}, rng.IntN(vmax+1))); err != nil {
					t.Fatal(err)
				}
			}
			return b
		}
		fill("one", 30, 100)
		fill("many", 20_000, 40)
		fill("large", 300, 20_000)
		nested := fill("nested", 2_000, 10)
		for i := range 3 {
			sub, _ := nested.CreateBucket(fmt.Appendf(nil, "sub%d", i))
			_ = sub.Put([]byte("k"), bytes.Repeat([]byte("v"), 5000)) // not inline
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := boltcheck.VerifyHeld(path, boltcheck.Deep); err != nil {
		t.Fatalf("Deep: %v", err)
	}
	for _, mapMax := range []int64{boltcheck.MapMax, 0} { // through a map, and with reads
		readerReadsAsBbolt(t, db, path, mapMax)
	}
}

func readerReadsAsBbolt(t *testing.T, db *bolt.DB, path string, mapMax int64) {
	defer func(m int64) { boltcheck.MapMax = m }(boltcheck.MapMax)
	boltcheck.MapMax = mapMax
	r, err := boltcheck.OpenReader(path, db.Info().PageSize)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	err = db.View(func(tx *bolt.Tx) error {
		for _, name := range []string{"one", "many", "large", "nested"} {
			b := tx.Bucket([]byte(name))
			if b.Root() == 0 {
				t.Fatalf("bucket %s is inline", name)
			}
			bc, rc := b.Cursor(), r.Cursor(uint64(b.Root()))
			n := 0
			bk, bv := bc.First()
			rk, rv := rc.First()
			for ; bk != nil || rk != nil; n++ {
				if !bytes.Equal(bk, rk) || !bytes.Equal(bv, rv) || (bv == nil) != (rv == nil) {
					t.Fatalf("map up to %d bytes: bucket %s, key %d: bbolt %q (%d bytes), reader %q (%d bytes)", mapMax, name, n, bk, len(bv), rk, len(rv))
				}
				bk, bv = bc.Next()
				rk, rv = rc.Next()
			}
			if err := rc.Err(); err != nil || n == 0 {
				t.Fatalf("bucket %s: %d keys, %v", name, n, err)
			}
			bk, bv = bc.Last()
			if rk, rv := rc.Last(); !bytes.Equal(bk, rk) || !bytes.Equal(bv, rv) {
				t.Fatalf("bucket %s, last key: bbolt %q, reader %q", name, bk, rk)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestGuardRecoversPanics(t *testing.T) {
	err := boltcheck.Guard("/x/loket.db", func() error { panic("invalid freelist page: 0") })
	if !errors.Is(err, boltcheck.ErrDamaged) || !strings.Contains(err.Error(), "/x/loket.db") {
		t.Fatalf("Guard: %v", err)
	}
}
