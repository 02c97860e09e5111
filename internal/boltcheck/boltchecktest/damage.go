// Package boltchecktest makes damaged copies of a sound bbolt file for
// tests: truncations at several sizes and flipped bytes in the meta pages,
// the freelist and a leaf, and random truncations and flips from a seed.
package boltchecktest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/internal/boltcheck"
)

// Damage is one way to damage a file: Apply returns the damaged copy of
// its bytes. Structural damage is always found when the file is opened;
// random flips may land where nothing reads.
type Damage struct {
	Name       string
	Structural bool
	Apply      func([]byte) []byte
}

var ne = binary.NativeEndian

func truncate(n int64) func([]byte) []byte {
	return func(b []byte) []byte { return bytes.Clone(b[:n]) }
}

func flip(off int64, mask byte) func([]byte) []byte {
	return func(b []byte) []byte {
		c := bytes.Clone(b)
		c[off] ^= mask
		return c
	}
}

// Cases are the damages of the sound bbolt file whose bytes are good and
// whose structure is info (from boltcheck.Verify): structural ones, then
// random ones drawn from seed. bucket names a top-level bucket whose tree
// has a leaf page to flip bytes in.
func Cases(t testing.TB, good []byte, info boltcheck.Info, bucket string, seed uint64, random int) []Damage {
	t.Helper()
	m := info.Meta
	ps := int64(m.PageSize)
	hw := int64(m.HighPage) * ps // the bytes the meta says the file holds
	if int64(len(good)) < hw || m.Freelist == 0 {
		t.Fatalf("not a sound bbolt file: %d bytes, meta %+v", len(good), m)
	}
	leaf := findLeaf(t, good, ps, int64(m.Root), bucket)
	fl := int64(m.Freelist) * ps
	cases := []Damage{
		{"truncated to 100 bytes", true, truncate(100)},
		{"truncated to one page", true, truncate(ps)},
		{"truncated to two pages and a bit", true, truncate(2*ps + 17)},
		{"truncated to a quarter", true, truncate(hw / 4)},
		{"truncated to half", true, truncate(hw / 2)},
		{"truncated by one page", true, truncate(hw - ps)},
		{"truncated by one byte", true, truncate(hw - 1)},
		{"meta 0 magic flipped", true, flip(16, 0x01)},
		{"meta 0 high-water mark flipped", true, flip(16+40, 0x01)},
		{"meta 1 freelist page flipped", true, flip(ps+16+32, 0x02)},
		{"meta 1 checksum flipped", true, flip(ps+16+56, 0x80)},
		{"freelist page type flipped", true, flip(fl+8, 0x10)},
		{"freelist page id flipped", true, flip(fl, 0x04)},
	}
	if info.Free > 0 {
		start := fl + 16
		if ne.Uint16(good[fl+10:]) == 0xFFFF {
			start += 8
		}
		cases = append(cases,
			Damage{"freelist entry flipped (low byte)", true, flip(start, 0x01)},
			Damage{"freelist entry flipped (high byte)", true, flip(start+5, 0x01)})
	}
	cases = append(cases,
		Damage{"leaf page id flipped", true, flip(leaf, 0x01)},
		Damage{"leaf page type flipped", true, flip(leaf+8, 0x03)},
		Damage{"leaf element position flipped", true, flip(leaf+16+4+3, 0x40)},
	)
	rng := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	for i := 0; i < random; i++ {
		n := 1 + rng.Int64N(hw-1)
		cases = append(cases, Damage{fmt.Sprintf("random truncation to %d bytes", n), true, truncate(n)})
	}
	for i := 0; i < random; i++ {
		off, mask := rng.Int64N(hw), byte(1)<<rng.IntN(8)
		cases = append(cases, Damage{fmt.Sprintf("random flip of byte %d (mask %#02x)", off, mask), false, flip(off, mask)})
	}
	return cases
}

// KeyOrder are damages to the order of the keys of a top-level bucket's
// first leaf page, which the walk every open does (boltcheck.Walk) does
// not see and the check's (boltcheck.Deep, as bbolt's own check) does: two
// keys of the page swapped, and its last key made larger than every key
// of the page after it. The bucket's keys must be of one length and its
// root a branch page.
func KeyOrder(t testing.TB, good []byte, info boltcheck.Info, bucket string) []Damage {
	t.Helper()
	ps := int64(info.Meta.PageSize)
	root := findBucket(t, good, ps, int64(info.Meta.Root), bucket)
	if ne.Uint16(good[root+8:]) != 0x01 {
		t.Fatalf("bucket %s has one leaf page: no page after its first", bucket)
	}
	leaf := findLeaf(t, good, ps, int64(info.Meta.Root), bucket)
	key := func(b []byte, i int64) []byte { // the key of element i of the leaf
		e := leaf + 16 + i*16
		pos, ksize := int64(ne.Uint32(b[e+4:])), int64(ne.Uint32(b[e+8:]))
		return b[e+pos : e+pos+ksize]
	}
	count := int64(ne.Uint16(good[leaf+10:]))
	if count < 2 || len(key(good, 0)) != len(key(good, 1)) {
		t.Fatalf("the first leaf of bucket %s has %d keys, not two of one length", bucket, count)
	}
	return []Damage{
		{"two keys of a leaf swapped", false, func(b []byte) []byte {
			c := bytes.Clone(b)
			k0, k1 := bytes.Clone(key(c, 0)), bytes.Clone(key(c, 1))
			copy(key(c, 0), k1)
			copy(key(c, 1), k0)
			return c
		}},
		{"a leaf's last key after the next page's keys", false, func(b []byte) []byte {
			c := bytes.Clone(b)
			k := key(c, count-1)
			for i := range k {
				k[i] = 0xFF
			}
			return c
		}},
	}
}

// findBucket is the offset of the root page of a top-level bucket (not an
// inline one), found from the root bucket's page.
func findBucket(t testing.TB, b []byte, ps, root int64, bucket string) int64 {
	t.Helper()
	page := root * ps
	count := int64(ne.Uint16(b[page+10:]))
	for i := int64(0); i < count; i++ {
		e := page + 16 + i*16
		pos, ksize := int64(ne.Uint32(b[e+4:])), int64(ne.Uint32(b[e+8:]))
		if string(b[e+pos:e+pos+ksize]) == bucket {
			r := int64(ne.Uint64(b[e+pos+ksize:]))
			if r == 0 {
				t.Fatalf("bucket %s is inline: it has no page", bucket)
			}
			return r * ps
		}
	}
	t.Fatalf("bucket %s not found in the root page", bucket)
	return 0
}

// findLeaf is the offset of the first leaf page of a top-level bucket,
// found from the root bucket's page: its root page, then its first child
// down to a leaf.
func findLeaf(t testing.TB, b []byte, ps, root int64, bucket string) int64 {
	t.Helper()
	page := findBucket(t, b, ps, root, bucket)
	for depth := 0; depth < 10; depth++ {
		if ne.Uint16(b[page+8:]) != 0x01 { // not a branch
			return page
		}
		page = int64(ne.Uint64(b[page+16+8:])) * ps // its first child
	}
	t.Fatalf("no leaf page found under bucket %s", bucket)
	return 0
}

// Check judges what a program printed (out) and its exit code after it ran
// on the damaged file path: never a crash (a goroutine dump, a fatal error,
// a panic), exit 1 with a message naming path (and saying "damaged" for
// structural damage); a flip that is not structural may go unseen (exit 0).
// prog names the command in the failure.
func (c Damage) Check(t testing.TB, prog, path, out string, code int) {
	t.Helper()
	switch {
	case strings.Contains(out, "goroutine ") || strings.Contains(out, "fatal error") || strings.Contains(out, "panic:"):
		t.Fatalf("%s crashed (exit %d):\n%.2000s", prog, code, out)
	case code == 0 && !c.Structural:
		return // the flip landed where nothing reads
	case code != 1:
		t.Fatalf("%s: exit %d, want 1:\n%.2000s", prog, code, out)
	case !strings.Contains(out, path):
		t.Fatalf("%s: the message does not name %s:\n%.2000s", prog, path, out)
	case c.Structural && !strings.Contains(out, "damaged"):
		t.Fatalf("%s: the message does not say the file is damaged:\n%.2000s", prog, out)
	}
}

// Read is the sound file at path, which the damages start from, and what
// the quick check found in it (its page size and roots).
func Read(t testing.TB, path string) ([]byte, boltcheck.Info) {
	t.Helper()
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := boltcheck.Verify(path, boltcheck.Quick, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return good, info
}
