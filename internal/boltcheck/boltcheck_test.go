package boltcheck_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	for _, mode := range []boltcheck.Mode{boltcheck.Quick, boltcheck.Walk} {
		info, err := boltcheck.Verify(path, mode, time.Second)
		if err != nil || info.Meta.HighPage < 10 || info.Free == 0 {
			t.Fatalf("mode %d: %+v, %v", mode, info, err)
		}
	}
	for _, p := range []string{filepath.Join(t.TempDir(), "absent.db"), emptyFile(t)} {
		if _, err := boltcheck.Verify(p, boltcheck.Walk, time.Second); err != nil {
			t.Errorf("%s: %v (bbolt creates it)", p, err)
		}
	}
}

func emptyFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestVerifyDamaged: every structural damage is found by Walk, named with
// the file, and the file is left as it was.
func TestVerifyDamaged(t *testing.T) {
	t.Logf("damage seed %d (change with -damage.seed)", *seed)
	path := demoDB(t, 3)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := boltcheck.Verify(path, boltcheck.Quick, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range boltchecktest.Cases(t, good, info, "requests", *seed, 20) {
		t.Run(d.Name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), store.FileName)
			bad := d.Apply(good)
			if err := os.WriteFile(p, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := boltcheck.Verify(p, boltcheck.Walk, time.Second)
			if d.Structural && !errors.Is(err, boltcheck.ErrDamaged) {
				t.Fatalf("not found damaged: %v", err)
			}
			if err != nil && (!errors.Is(err, boltcheck.ErrDamaged) || !strings.Contains(err.Error(), p)) {
				t.Fatalf("error does not say the file %s is damaged: %v", p, err)
			}
			if got, _ := os.ReadFile(p); !bytes.Equal(got, bad) {
				t.Fatal("Verify modified the file")
			}
		})
	}
}

func TestGuardRecoversPanics(t *testing.T) {
	err := boltcheck.Guard("/x/loket.db", func() error { panic("invalid freelist page: 0") })
	if !errors.Is(err, boltcheck.ErrDamaged) || !strings.Contains(err.Error(), "/x/loket.db") {
		t.Fatalf("Guard: %v", err)
	}
}
