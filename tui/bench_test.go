package tui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/loket-id/loket/demo"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// BenchmarkFirstFrame is the UI's start on a year of demo history (about
// 100,000 requests): open the database, build the model, load today's queue
// and the catalog, render the first frame.
func BenchmarkFirstFrame(b *testing.B) {
	path := filepath.Join(b.TempDir(), store.FileName)
	now := func() time.Time { return fixedNow }
	st, err := store.Open(path, store.Options{Clock: now, Location: wib})
	if err != nil {
		b.Fatal(err)
	}
	sum, err := demo.Generate(context.Background(), st, demo.Options{Days: 365, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	st.Close()
	b.ReportMetric(float64(sum.Requests), "history")
	b.ResetTimer()
	for b.Loop() {
		st, err := store.Open(path, store.Options{Clock: now, Location: wib})
		if err != nil {
			b.Fatal(err)
		}
		m := New(context.Background(), Options{Backend: st, Lang: "id", Counter: "L1", Now: now, Location: wib})
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		for _, c := range []tea.Cmd{m.c.loadQueue(), m.c.loadServices()} {
			m.Update(c())
		}
		if v := m.View(); len(v) == 0 || len(m.queue.all) == 0 {
			b.Fatal("empty first frame")
		}
		m.Close()
		st.Close()
	}
}

// BenchmarkQueueView renders the queue screen (80x24) with 5,000 requests
// today, the selection in the middle: only the visible rows are drawn.
func BenchmarkQueueView(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), store.FileName), store.Options{Clock: func() time.Time { return fixedNow }, Location: wib})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	_ = st.Update(context.Background(), func(tx *store.Tx) error {
		for range 5000 {
			if _, err := tx.Register(queue.NewRequest{Service: "A", Name: "Pemohon", NIK: "3201014107900001"}, queue.Actor{}); err != nil {
				return err
			}
		}
		return nil
	})
	m := New(context.Background(), Options{Backend: st, Lang: "id", Counter: "L1", Now: func() time.Time { return fixedNow }, Location: wib})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(m.c.loadQueue()())
	m.queue.move(2500)
	b.ResetTimer()
	for b.Loop() {
		m.queue.move(1)
		if len(m.View()) == 0 {
			b.Fatal("empty view")
		}
	}
}
