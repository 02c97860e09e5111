package store

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/queue"
)

// TestKeyedActionsApplyOnce: every keyed action sent twice with the same key
// acts once, and the second call returns what the first one did.
func TestKeyedActionsApplyOnce(t *testing.T) {
	type step struct {
		name string
		do   func(s *Store, key string) (queue.Request, bool, error)
	}
	add := func(name string) func(*Store, string) (queue.Request, bool, error) {
		return func(s *Store, key string) (queue.Request, bool, error) {
			return s.RegisterOnce(ctx, key, walkIn("A", name), clerk)
		}
	}
	act := func(ref string, a queue.Action, svc string) func(*Store, string) (queue.Request, bool, error) {
		return func(s *Store, key string) (queue.Request, bool, error) {
			return s.ActOnce(ctx, key, ref, a, svc, clerk)
		}
	}
	call := func(s *Store, key string) (queue.Request, bool, error) { return s.CallNextOnce(ctx, key, nil, clerk) }
	// A day at the counter; each step is sent twice with its own key.
	steps := []step{
		{"add first", add("Siti Aminah")},
		{"add second", add("Budi Santoso")},
		{"call", call},                                // Siti: a second call would call Budi
		{"recall", act("A-001", queue.ActRecall, "")}, // a second recall would count a third call
		{"requeue", act("A-001", queue.ActRequeue, "")},
		{"call again", call}, // Budi: Siti was put back behind him
		{"serve", act("A-002", queue.ActServe, "")},
		{"transfer", act("A-002", queue.ActTransfer, "B")},
		{"noshow", act("A-001", queue.ActNoShow, "")},
		{"reopen", act("A-001", queue.ActReopen, "")},       // a second reopen would be refused
		{"call third", call},                                // Siti, back at her arrival place
		{"done on called", act("A-001", queue.ActDone, "")}, // two events, written once
	}
	s, clk := openTest(t)
	for _, st := range steps {
		clk.Add(1e9)
		key := ulid.Make().String()
		first, again, err := st.do(s, key)
		if err != nil || again {
			t.Fatalf("%s: %v (again %v)", st.name, err, again)
		}
		var last uint64
		s.View(ctx, func(tx *Tx) error { last = tx.LastSeq(); return nil })
		clk.Add(1e9)
		second, again, err := st.do(s, key)
		if err != nil || !again {
			t.Fatalf("%s sent again: %v (again %v)", st.name, err, again)
		}
		if second.ID != first.ID || second.Status != first.Status || second.Calls != first.Calls ||
			second.Service != first.Service || !second.UpdatedAt.Equal(first.UpdatedAt) || len(second.EventSeqs) != len(first.EventSeqs) {
			t.Fatalf("%s sent again returned\n%+v\nnot the first result\n%+v", st.name, second, first)
		}
		var now uint64
		s.View(ctx, func(tx *Tx) error { now = tx.LastSeq(); return nil })
		if now != last {
			t.Fatalf("%s sent again wrote %d events", st.name, now-last)
		}
	}
	rs, _ := s.DayQueue(ctx, "")
	if len(rs) != 2 {
		t.Fatalf("%d requests, want 2", len(rs))
	}
	mustCheck(t, s)
}

// TestKeyedFailureRecordsNothing: an action refused (bad input, wrong status,
// nobody waiting) records no key, so the same key may succeed later.
func TestKeyedFailureRecordsNothing(t *testing.T) {
	s, _ := openTest(t)
	key := ulid.Make().String()
	if _, _, err := s.CallNextOnce(ctx, key, nil, clerk); !errors.Is(err, queue.ErrQueueEmpty) {
		t.Fatalf("call with nobody waiting: %v", err)
	}
	bad := walkIn("A", "Siti")
	bad.NIK = "1"
	if _, _, err := s.RegisterOnce(ctx, key, bad, clerk); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("bad NIK: %v", err)
	}
	if _, again, err := s.RegisterOnce(ctx, key, walkIn("A", "Siti"), clerk); err != nil || again {
		t.Fatalf("the key after two refusals: %v again=%v", err, again)
	}
	if _, _, err := s.RegisterOnce(ctx, "not-a-ulid", walkIn("A", "Siti"), clerk); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("a key that is not a ULID: %v", err)
	}
	mustCheck(t, s)
}

// TestKeyedConcurrentSameKey: the same registration sent twice at once (a
// retry racing the first attempt) registers once.
func TestKeyedConcurrentSameKey(t *testing.T) {
	s, _ := openTest(t)
	key := ulid.Make().String()
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _, err := s.RegisterOnce(context.Background(), key, walkIn("A", "Siti"), clerk)
			if err != nil {
				t.Error(err)
			}
			ids[i] = r.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("one key, several requests: %v", ids)
		}
	}
	if rs, _ := s.DayQueue(ctx, ""); len(rs) != 1 {
		t.Fatalf("%d requests", len(rs))
	}
}
