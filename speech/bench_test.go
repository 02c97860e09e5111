package speech

import (
	"fmt"
	"io/fs"
	"testing"
)

// Reproduce (see BENCHMARKS.md):
//
//	go test -run '^$' -bench . -benchtime 2s -count 5 ./speech
//
// Call/first builds a call the cache does not hold (a different ticket
// each time, far more than the cache keeps); Call/cached is the same call
// again; Call/copy, the anchor, copies a call's number of bytes into a new
// slice, as a cache hit must (beside the others, so with the same heap and
// so the same garbage collector's pace). Load/default reads and checks
// every built-in clip (the start-up cost); Load/read-clips, its anchor,
// only reads them.

func BenchmarkCall(b *testing.B) {
	a, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	one, _ := a.Call("id", "A-007", "L2", true)
	b.Run("first", func(b *testing.B) {
		b.SetBytes(int64(len(one)))
		for i := 0; b.Loop(); i++ {
			if _, err := a.Call("id", fmt.Sprintf("A-%03d", i%999+1), "L2", true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		b.SetBytes(int64(len(one)))
		for b.Loop() {
			if _, err := a.Call("id", "A-007", "L2", true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("copy", func(b *testing.B) {
		b.SetBytes(int64(len(one)))
		for b.Loop() {
			if c := clone(one); len(c) != len(one) {
				b.Fatal("short copy")
			}
		}
	})
}

var sink []byte

// clone copies b as a cache hit does, in a function of its own, as Call is.
//
//go:noinline
func clone(b []byte) []byte { return append([]byte(nil), b...) }

func BenchmarkLoad(b *testing.B) {
	b.Run("default", func(b *testing.B) {
		for b.Loop() {
			if _, err := Default(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read-clips", func(b *testing.B) {
		for b.Loop() {
			err := fs.WalkDir(embedded, "clips", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				sink, err = fs.ReadFile(embedded, p)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
