package centraltest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/central"
)

// Varied is a counter whose n requests spread over days from start, with
// every kind of ending the statistics tell apart (done, no-show,
// cancelled, transferred, reopened, left open, still waiting) and times
// to the nanosecond: its clock moves by uneven steps. Deterministic.
func Varied(t *testing.T, start time.Time, n int) *store.Store {
	t.Helper()
	var mu sync.Mutex
	now := start
	st := CounterAt(t, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	step := func(i int) {
		mu.Lock()
		now = now.Add(time.Duration(37+i*7919%611)*time.Second + time.Duration(i*104729%1000000007))
		mu.Unlock()
	}
	ctx := context.Background()
	svcs := []string{"A", "B", "C", "D"}
	for i := range n {
		if i > 0 && i%9 == 0 { // the next day, 08:00 and a bit
			mu.Lock()
			d := now.In(WIB).AddDate(0, 0, 1)
			now = time.Date(d.Year(), d.Month(), d.Day(), 8, i%60, i%50, i*7, WIB)
			mu.Unlock()
		}
		by := queue.Actor{Counter: []string{"L1", "L2", "L10"}[i%3], Clerk: []string{"Ani", "Budi"}[i%2]}
		name, nik := Person(t)
		r, err := st.Register(ctx, queue.NewRequest{Service: svcs[i%4], Name: name, NIK: nik}, by)
		if err != nil {
			t.Fatal(err)
		}
		var acts []queue.Action
		switch i % 7 {
		case 0, 1, 2:
			acts = []queue.Action{queue.ActCall, queue.ActServe, queue.ActDone}
		case 3:
			acts = []queue.Action{queue.ActCall, queue.ActNoShow}
		case 4:
			acts = []queue.Action{queue.ActCancel, queue.ActReopen, queue.ActCall, queue.ActServe, queue.ActDone}
		case 5:
			acts = []queue.Action{queue.ActCall, queue.ActServe} // left open
		}
		for _, a := range acts {
			step(i)
			if _, err := st.Act(ctx, r.ID, a, "", by); err != nil {
				t.Fatalf("%s %s: %v", a, r.Ticket, err)
			}
		}
		if i%5 == 1 {
			step(i)
			if _, err := st.Act(ctx, r.ID, queue.ActTransfer, svcs[(i+1)%4], by); err == nil {
				step(i)
				_, _ = st.Act(ctx, r.ID, queue.ActCall, "", by)
			}
		}
		step(i)
	}
	return st
}

// FigureQueries are the statistics queries the figures tests compare.
func FigureQueries(offices []string, from, to string) []FigureQuery {
	var out []FigureQuery
	for _, loc := range []*time.Location{nil, WIB, time.UTC} {
		out = append(out, FigureQuery{"", "", "", from, to, loc}, FigureQuery{"", "", "", from, from, loc})
		for _, o := range offices {
			out = append(out, FigureQuery{o, "", "", from, to, loc}, FigureQuery{o, "", "B", from, to, loc},
				FigureQuery{o, o + "/L1", "", from, to, loc}, FigureQuery{o, "", "", to, to, loc})
		}
	}
	return out
}

// FigureQuery is one statistics query.
type FigureQuery struct {
	Office, Station, Service, From, To string
	Loc                                *time.Location
}

// Figures is the statistics of q on s at now, as JSON.
func Figures(t *testing.T, s central.Storage, now time.Time, q FigureQuery) string {
	t.Helper()
	f, err := central.StatsAt(now, s, q.Office, q.Station, q.Service, q.From, q.To, q.Loc)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(f)
	return string(b)
}

// testFigures: the statistics a storage computes (through its own reader,
// pgstore's facts columns) are those package stats computes from the whole
// exported requests, for every office, station, service, zone and range.
func testFigures(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1", "3273/L2", "9999/L1")
	start := time.Now().In(WIB).AddDate(0, 0, -4)
	start = time.Date(start.Year(), start.Month(), start.Day(), 7, 58, 13, 123456789, WIB)
	for i, k := range []string{"3273/L1", "3273/L2", "9999/L1"} {
		r.Sync(k, Varied(t, start.Add(time.Duration(i)*time.Minute), 30+i*5))
	}
	now := time.Now()
	from, to := start.Format(time.DateOnly), now.In(WIB).Format(time.DateOnly)
	targets := stats.Targets(queue.DefaultCatalog())
	for _, q := range FigureQueries([]string{"3273", "9999"}, from, to) {
		want, err := stats.ComputeAt(now, q.From, q.To, func(fn func(queue.Request) error) error {
			return r.S.Export(q.Office, q.Station, q.From, q.To, func(x queue.Request) error {
				if q.Service != "" && x.Service != q.Service {
					return nil
				}
				return fn(stats.InZone(x, q.Loc))
			})
		}, targets)
		if err != nil {
			t.Fatal(err)
		}
		wb, _ := json.Marshal(want)
		if got := Figures(t, r.S, now, q); got != string(wb) {
			t.Fatalf("figures of %+v:\n%s\nfrom the export:\n%s", q, got, wb)
		}
		if want.Arrivals == 0 && q.Office != "" && q.To != q.From {
			t.Fatalf("no data for %+v", q)
		}
	}
}
