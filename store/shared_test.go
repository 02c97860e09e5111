package store

import (
	"context"
	"strings"
	"testing"
)

// TestNestedTransactionCaught: in tests, a transaction opened inside
// another on the same goroutine panics at once instead of deadlocking one
// day in a hub (TestBoardFeedWhileCompacting in cmd/loket is the case that
// did). Transactions side by side on other goroutines are fine.
func TestNestedTransactionCaught(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	nested := func(outer, inner func(func(*Tx) error) error) (msg string) {
		defer func() {
			if r := recover(); r != nil {
				msg, _ = r.(string)
			}
		}()
		_ = outer(func(*Tx) error { return inner(func(*Tx) error { return nil }) })
		return ""
	}
	view := func(fn func(*Tx) error) error { return s.View(ctx, fn) }
	update := func(fn func(*Tx) error) error { return s.Update(ctx, fn) }
	for _, c := range []struct {
		name         string
		outer, inner func(func(*Tx) error) error
	}{
		{"view in view", view, view},
		{"update in view", view, update},
		{"view in update", update, view},
	} {
		if msg := nested(c.outer, c.inner); !strings.Contains(msg, "inside another") {
			t.Errorf("%s: got %q, want the nested-transaction panic", c.name, msg)
		}
	}
	// Side by side, and one after the other on one goroutine: no panic.
	done := make(chan error)
	if err := s.View(ctx, func(*Tx) error {
		go func() { done <- s.View(ctx, func(*Tx) error { return nil }) }()
		return <-done
	}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := s.Update(ctx, func(*Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
}
