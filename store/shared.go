package store

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// nestedCheck: in a test binary (and the loket processes tests start from
// it), every transaction checks that its goroutine is not inside another
// one of the same store. A transaction opened inside another deadlocks the
// store for good as soon as a compaction waits between the two (the outer
// holds the shared lock the compaction waits for; the inner waits behind
// the compaction), which happens rarely enough to pass every other test.
var nestedCheck = testing.Testing()

// holders are the goroutines inside a transaction of one store (only kept
// when nestedCheck).
type holders struct{ m sync.Map }

// shared takes the store's shared lock for one use of the database (a
// rewrite takes it exclusively) and returns its release.
func (s *Store) shared() (release func()) {
	if !nestedCheck {
		s.swap.RLock()
		return s.swap.RUnlock
	}
	id := goroutineID()
	if _, in := s.holders.m.LoadOrStore(id, true); in {
		panic("store: a transaction opened inside another on the same goroutine " +
			"(it deadlocks as soon as a compaction waits between the two): read through the Tx at hand")
	}
	s.swap.RLock()
	return func() {
		s.swap.RUnlock()
		s.holders.m.Delete(id)
	}
}

// goroutineID is the running goroutine's number, from its stack's header
// ("goroutine 42 [running]:").
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}
