package stats

import (
	"context"
	"math"
	"math/rand"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

var (
	ctx = context.Background()
	wib = time.FixedZone("WIB", 7*3600)
	by  = queue.Actor{Counter: "L1", Clerk: "Sari"}
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func openStore(t testing.TB, start time.Time) (*store.Store, *clock) {
	c := &clock{t: start}
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Clock: c.now, Location: wib})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, c
}

// brute computes the top-level figures the slow, obvious way; today is the
// local day of the figures' "now".
func brute(rs []queue.Request, targets map[string]int, today string) (Counts, []int) {
	var c Counts
	var waits, svcs []float64
	onTime := 0
	hours := make([]int, 24)
	for _, r := range rs {
		c.Arrivals++
		hours[r.ArrivedAt.In(wib).Hour()]++
		if r.Status == queue.StatusDone {
			c.Served++
			svcs = append(svcs, r.DoneAt.Sub(*r.ServingAt).Seconds())
		}
		if r.Status == queue.StatusNoShow {
			c.NoShow++
		}
		if r.Status == queue.StatusCancelled {
			c.Cancelled++
		}
		open := r.Status == queue.StatusWaiting || r.Status == queue.StatusCalled || r.Status == queue.StatusServing
		if r.Status == queue.StatusWaiting && r.Day == today {
			c.Waiting++
		}
		if open && r.Day != today {
			c.Unclosed++
		}
		if r.Reopens > 0 {
			c.Reopened++
		}
		if r.Transfers > 0 {
			c.Transferred++
		}
		if r.CalledAt != nil {
			w := r.CalledAt.Sub(r.ArrivedAt).Seconds()
			waits = append(waits, w)
			if w <= float64(targets[r.FirstService])*60 {
				onTime++
			}
		}
	}
	d := func(xs []float64) Dist {
		if len(xs) == 0 {
			return Dist{}
		}
		sort.Float64s(xs)
		var sum float64
		for _, x := range xs {
			sum += x
		}
		idx := func(p float64) int {
			k := int(math.Ceil(p * float64(len(xs))))
			if k < 1 {
				k = 1
			}
			return k - 1
		}
		return Dist{Avg: math.Round(sum/float64(len(xs))*10) / 10, P50: xs[idx(0.5)], P90: xs[idx(0.9)], N: len(xs)}
	}
	c.WaitSeconds, c.ServiceSeconds = d(waits), d(svcs)
	if len(waits) > 0 {
		c.WithinTargetRatio = float64(onTime) / float64(len(waits))
	}
	return c, hours
}

// TestPropertyAgainstBruteForce: random registrations and transitions at
// random times; every figure equals the brute-force computation.
func TestPropertyAgainstBruteForce(t *testing.T) {
	for seed := int64(1); seed <= 12; seed++ {
		rng := rand.New(rand.NewSource(seed))
		st, clk := openStore(t, time.Date(2026, 11, 2, 7, 30, 0, 0, wib))
		svcs := []string{"A", "B", "C", "F", "G"}
		var open []queue.Request
		for step := 0; step < 150+rng.Intn(150); step++ {
			clk.t = clk.t.Add(time.Duration(rng.Intn(1800)) * time.Second)
			if rng.Intn(3) == 0 || len(open) == 0 {
				r, err := st.Register(ctx, queue.NewRequest{Service: svcs[rng.Intn(len(svcs))], Name: "X", NIK: "3201014107900001",
					Priority: []queue.Priority{"", "", "", queue.PriorityElderly}[rng.Intn(4)]}, queue.Actor{Counter: []string{"L1", "L2"}[rng.Intn(2)], Clerk: []string{"Sari", "Budi"}[rng.Intn(2)]})
				if err != nil {
					t.Fatal(err)
				}
				open = append(open, r)
				continue
			}
			i := rng.Intn(len(open))
			acts := []queue.Action{queue.ActCall, queue.ActRecall, queue.ActServe, queue.ActDone, queue.ActNoShow, queue.ActCancel, queue.ActRequeue, queue.ActTransfer, queue.ActReopen}
			act := acts[rng.Intn(len(acts))]
			r, err := st.Act(ctx, open[i].ID, act, svcs[rng.Intn(len(svcs))], queue.Actor{Counter: "L" + string(rune('1'+rng.Intn(3))), Clerk: "C"})
			if err == nil {
				open[i] = r
			}
		}
		from, to := "2026-11-02", clk.t.In(wib).Format(time.DateOnly)
		f, err := ForStation(ctx, st, from, to, "")
		if err != nil {
			t.Fatal(err)
		}
		var rs []queue.Request
		var svcList []queue.Service
		_ = st.View(ctx, func(tx *store.Tx) error {
			svcList, _ = tx.Services()
			return tx.Between(from, to, func(r queue.Request) error { rs = append(rs, r); return nil })
		})
		today := clk.t.In(wib).Format(time.DateOnly)
		want, hours := brute(rs, Targets(svcList), today)
		if f.Counts != want {
			t.Fatalf("seed %d:\n got  %+v\n want %+v", seed, f.Counts, want)
		}
		for h, n := range hours {
			if f.ByHour[h].Arrivals != n {
				t.Fatalf("seed %d: hour %d has %d arrivals, want %d", seed, h, f.ByHour[h].Arrivals, n)
			}
			// The waiting times of the hour are brute force's on the
			// requests that arrived in it.
			var sub []queue.Request
			for _, r := range rs {
				if r.ArrivedAt.In(wib).Hour() == h {
					sub = append(sub, r)
				}
			}
			if w, _ := brute(sub, Targets(svcList), today); f.ByHour[h].WaitSeconds != w.WaitSeconds {
				t.Fatalf("seed %d: hour %d waits %+v, want %+v", seed, h, f.ByHour[h].WaitSeconds, w.WaitSeconds)
			}
		}
		// Every breakdown adds up to the whole, and each group equals brute force on its own requests.
		for _, g := range f.ByService {
			var sub []queue.Request
			for _, r := range rs {
				if r.Service == g.Service {
					sub = append(sub, r)
				}
			}
			if w, _ := brute(sub, Targets(svcList), today); g.Counts != w {
				t.Fatalf("seed %d: service %s:\n got  %+v\n want %+v", seed, g.Service, g.Counts, w)
			}
			// The drill-down of one service has the same figures.
			if one, err := ForStation(ctx, st, from, to, g.Service); err != nil || one.Counts != g.Counts || len(one.ByService) != 1 {
				t.Fatalf("seed %d: ForStation of service %s: %+v %v", seed, g.Service, one.Counts, err)
			}
		}
		for _, groups := range [][]Group{f.ByCounter, f.ByClerk, f.ByDay} {
			sum := 0
			for _, g := range groups {
				sum += g.Arrivals
			}
			if sum != f.Arrivals {
				t.Fatalf("seed %d: a breakdown sums to %d arrivals of %d", seed, sum, f.Arrivals)
			}
		}
	}
}

func TestEdgeCases(t *testing.T) {
	st, clk := openStore(t, time.Date(2026, 11, 26, 23, 50, 0, 0, wib))
	// Empty day.
	f, err := ForStation(ctx, st, "2026-11-20", "2026-11-20", "")
	if err != nil || f.Arrivals != 0 || f.BusiestHour != -1 || f.ByService == nil || len(f.ByHour) != 24 || f.WaitSeconds != (Dist{}) {
		t.Fatalf("empty day: %+v %v", f, err)
	}
	// A request that spans midnight counts on the day it arrived.
	late, _ := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Late", NIK: "3201014107900001"}, by)
	clk.t = time.Date(2026, 11, 27, 0, 10, 0, 0, wib)
	st.Act(ctx, late.ID, queue.ActCall, "", by)
	// A recall does not move the waiting time; a no-show after two calls.
	clk.t = time.Date(2026, 11, 27, 8, 0, 0, 0, wib)
	ns, _ := st.Register(ctx, queue.NewRequest{Service: "B", Name: "Gone", NIK: "3201014107900001"}, by)
	clk.t = clk.t.Add(10 * time.Minute)
	st.Act(ctx, ns.ID, queue.ActCall, "", by)
	clk.t = clk.t.Add(5 * time.Minute)
	st.Act(ctx, ns.ID, queue.ActRecall, "", by)
	clk.t = clk.t.Add(5 * time.Minute)
	st.Act(ctx, ns.ID, queue.ActNoShow, "", by)
	// A transfer: counted as transferred, under the service it ended in.
	tr, _ := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Moved", NIK: "3201014107900001"}, by)
	clk.t = clk.t.Add(2 * time.Minute)
	st.Act(ctx, tr.ID, queue.ActCall, "", by)
	st.Act(ctx, tr.ID, queue.ActServe, "", by)
	st.Act(ctx, tr.ID, queue.ActTransfer, "C", queue.Actor{Counter: "L2", Clerk: "Dewi"})
	clk.t = clk.t.Add(30 * time.Minute)
	st.Act(ctx, tr.ID, queue.ActCall, "", queue.Actor{Counter: "L2", Clerk: "Dewi"})
	st.Act(ctx, tr.ID, queue.ActServe, "", queue.Actor{Counter: "L2", Clerk: "Dewi"})
	clk.t = clk.t.Add(7 * time.Minute)
	st.Act(ctx, tr.ID, queue.ActDone, "", queue.Actor{Counter: "L2", Clerk: "Dewi"})

	day26, _ := ForStation(ctx, st, "2026-11-26", "2026-11-26", "")
	if day26.Arrivals != 1 || day26.WaitSeconds.P50 != 20*60 || day26.ByHour[23].Arrivals != 1 {
		t.Fatalf("the request that spans midnight: %+v", day26.Counts)
	}
	day27, _ := ForStation(ctx, st, "2026-11-27", "2026-11-27", "")
	if day27.Arrivals != 2 || day27.NoShow != 1 || day27.Transferred != 1 || day27.Served != 1 {
		t.Fatalf("27th: %+v", day27.Counts)
	}
	// Waits: no-show 10 min (first call), transferred 2 min (first call).
	if day27.WaitSeconds.N != 2 || day27.WaitSeconds.P90 != 600 || day27.WaitSeconds.P50 != 120 {
		t.Fatalf("waits: %+v", day27.WaitSeconds)
	}
	if day27.ServiceSeconds.N != 1 || day27.ServiceSeconds.Avg != 7*60 {
		t.Fatalf("service time (from the last start of service): %+v", day27.ServiceSeconds)
	}
	if len(day27.ByService) != 2 || day27.ByService[1].Service != "C" || day27.ByService[1].Served != 1 {
		t.Fatalf("by service: %+v", day27.ByService)
	}
	both, _ := ForStation(ctx, st, "2026-11-26", "2026-11-27", "")
	if both.Arrivals != 3 || len(both.ByDay) != 2 || both.BusiestHour != 8 {
		t.Fatalf("range: %+v busiest %d", both.Counts, both.BusiestHour)
	}
}

// TestTimeZones: the office's zone decides the day and the hour, whatever
// the machine's clock zone.
func TestTimeZones(t *testing.T) {
	st, clk := openStore(t, time.Date(2026, 11, 26, 17, 30, 0, 0, time.UTC)) // 00:30 WIB on the 27th
	st.Register(ctx, queue.NewRequest{Service: "A", Name: "Early", NIK: "3201014107900001"}, by)
	clk.t = time.Date(2026, 11, 27, 16, 59, 0, 0, time.UTC) // 23:59 WIB
	st.Register(ctx, queue.NewRequest{Service: "A", Name: "Late", NIK: "3201014107900001"}, by)
	f, _ := ForStation(ctx, st, "2026-11-27", "2026-11-27", "")
	if f.Arrivals != 2 || f.ByHour[0].Arrivals != 1 || f.ByHour[23].Arrivals != 1 {
		t.Fatalf("WIB day: %+v hours %v", f.Counts, f.ByHour)
	}
	if f26, _ := ForStation(ctx, st, "2026-11-26", "2026-11-26", ""); f26.Arrivals != 0 {
		t.Fatalf("the 26th (UTC) should be empty in WIB: %d", f26.Arrivals)
	}
}

func TestNearestRank(t *testing.T) {
	xs := []float64{15, 20, 35, 40, 50}
	for p, want := range map[float64]float64{5: 15, 30: 20, 40: 20, 50: 35, 90: 50, 100: 50} {
		if got := NearestRank(xs, p); got != want {
			t.Errorf("P%v = %v, want %v", p, got, want)
		}
	}
}

// TestWaitingNowIsToday: requests left open on earlier days are not
// "waiting now"; they are counted apart as unclosed, until the day is
// closed.
func TestWaitingNowIsToday(t *testing.T) {
	st, clk := openStore(t, time.Date(2026, 12, 2, 9, 0, 0, 0, wib))
	st.Register(ctx, queue.NewRequest{Service: "A", Name: "Left waiting", NIK: "3201014107900001"}, by)
	called, _ := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Left called", NIK: "3201014107900001"}, by)
	st.Act(ctx, called.ID, queue.ActCall, "", by)
	clk.t = time.Date(2026, 12, 3, 9, 0, 0, 0, wib)
	st.Register(ctx, queue.NewRequest{Service: "A", Name: "Today", NIK: "3201014107900001"}, by)
	tests := []struct {
		from, to          string
		waiting, unclosed int
	}{
		{"2026-12-02", "2026-12-03", 1, 2},
		{"2026-12-02", "2026-12-02", 0, 2},
		{"2026-12-03", "2026-12-03", 1, 0},
	}
	for _, tt := range tests {
		f, err := ForStation(ctx, st, tt.from, tt.to, "")
		if err != nil || f.Waiting != tt.waiting || f.Unclosed != tt.unclosed {
			t.Errorf("%s..%s: waiting %d unclosed %d, %v; want %d %d", tt.from, tt.to, f.Waiting, f.Unclosed, err, tt.waiting, tt.unclosed)
		}
	}
	if _, err := st.CloseDay(ctx, "2026-12-02", queue.StatusNoShow, by); err != nil {
		t.Fatal(err)
	}
	f, _ := ForStation(ctx, st, "2026-12-02", "2026-12-03", "")
	if f.Waiting != 1 || f.Unclosed != 0 || f.NoShow != 2 {
		t.Fatalf("after closing the 2nd: %+v", f.Counts)
	}
}

// TestReopenedCounts: a no-show that is reopened and then served counts as
// served, not as a no-show; its waiting time runs from arrival to the first
// call.
func TestReopenedCounts(t *testing.T) {
	st, clk := openStore(t, time.Date(2026, 12, 3, 9, 0, 0, 0, wib))
	r, _ := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Oma", NIK: "3201014107900001"}, by)
	clk.t = clk.t.Add(10 * time.Minute)
	st.Act(ctx, r.ID, queue.ActCall, "", by)
	clk.t = clk.t.Add(5 * time.Minute)
	st.Act(ctx, r.ID, queue.ActNoShow, "", by)
	f, _ := ForStation(ctx, st, "2026-12-03", "2026-12-03", "")
	if f.NoShow != 1 || f.Served != 0 {
		t.Fatalf("before the reopen: %+v", f.Counts)
	}
	clk.t = clk.t.Add(2 * time.Minute)
	for _, a := range []queue.Action{queue.ActReopen, queue.ActCall, queue.ActServe} {
		if _, err := st.Act(ctx, r.ID, a, "", by); err != nil {
			t.Fatal(err)
		}
	}
	clk.t = clk.t.Add(4 * time.Minute)
	st.Act(ctx, r.ID, queue.ActDone, "", by)
	f, _ = ForStation(ctx, st, "2026-12-03", "2026-12-03", "")
	if f.NoShow != 0 || f.Served != 1 || f.Reopened != 1 || f.WaitSeconds.P50 != 600 || f.ServiceSeconds.P50 != 240 {
		t.Fatalf("after the reopen: %+v", f.Counts)
	}
}
