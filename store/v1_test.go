package store

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/loket-id/loket/queue"
)

// The v1 counter file of testdata/v1 (its README says how it was made),
// and what the code that made it read from it.

// copyV1 copies testdata/v1/loket.db into a temporary directory and
// returns the copy's path; the original is never opened for writing.
func copyV1(t testing.TB) string {
	t.Helper()
	src, err := os.Open(filepath.Join("testdata", "v1", FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), FileName)
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// readJSONLines decodes every line of testdata/v1/name into a T.
func readJSONLines[T any](t testing.TB, name string) []T {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "v1", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func v1Requests(t testing.TB) []queue.Request {
	return readJSONLines[queue.Request](t, "requests.jsonl")
}

func v1Events(t testing.TB) []queue.Event { return readJSONLines[queue.Event](t, "events.jsonl") }
