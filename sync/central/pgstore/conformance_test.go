package pgstore_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/loket-id/loket/internal/pgtest"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/centraltest"
	"github.com/loket-id/loket/sync/central/pgstore"
)

// open is a fresh PostgreSQL storage for t.
func open(t *testing.T) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), pgtest.URL(t), pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance runs the storage conformance suite against PostgreSQL,
// with its bytes at rest read from the cluster's data directory when this
// process can read it (the throwaway cluster of .ci/with-postgres).
func TestConformance(t *testing.T) {
	pgtest.Server(t)
	var raw centraltest.Raw
	if dir, err := dataDir(t); err != nil {
		t.Logf("the cluster's data directory cannot be read here (%v): the raw-bytes checks are left out", err)
	} else {
		t.Logf("raw bytes read from %s", dir)
		raw = rawHolds
	}
	centraltest.Run(t, func(t *testing.T) central.Storage { return open(t) }, raw)
}

// dataDir is the test server's data directory, if this process reads it.
func dataDir(t *testing.T) (string, error) {
	p := pool(t, pgtest.Server(t))
	var dir string
	if err := p.QueryRow(context.Background(), `SHOW data_directory`).Scan(&dir); err != nil {
		return "", err
	}
	if _, err := os.ReadDir(filepath.Join(dir, "base")); err != nil {
		return "", err
	}
	return dir, nil
}

// rawHolds reports whether needle is in any file of the cluster's data
// directory that can hold this database's rows, after a CHECKPOINT has
// written every dirty page out: everything but the WAL (pg_wal, which keeps
// erased rows until its segments are recycled: see the README) and the
// directories of the other databases (tests running beside this one).
func rawHolds(t *testing.T, s central.Storage, needle string) bool {
	t.Helper()
	ctx := context.Background()
	p := s.(*pgstore.Store).Pool()
	var dir string
	var oid uint32
	if err := p.QueryRow(ctx, `SELECT current_setting('data_directory'), oid FROM pg_database WHERE datname = current_database()`).Scan(&dir, &oid); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(ctx, `CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "base", strconv.FormatUint(uint64(oid), 10))
	found := false
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) { // a database dropped meanwhile
				return nil
			}
			return err
		}
		if d.IsDir() {
			if path == filepath.Join(dir, "pg_wal") || filepath.Dir(path) == filepath.Join(dir, "base") && path != mine {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if filepath.Dir(path) == mine {
			files++
		}
		if bytes.Contains(b, []byte(needle)) {
			t.Logf("%q found in %s", needle, path)
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !found && files == 0 {
		t.Fatalf("no file of the database under %s", mine)
	}
	return found
}
