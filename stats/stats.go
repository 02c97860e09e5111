// Package stats computes the queue's figures for supervisors, from
// requests: one implementation for the statistics screen, `loket stats`,
// the PDF report and the central server.
//
// Definitions (for the requests that arrived in the range, by the office's
// local day):
//   - arrivals: all of them; served: status done; no_show, cancelled: those
//     statuses; transferred: moved to another service at least once;
//     waiting: still waiting now, of today (the local day of "now" in the
//     request's office zone); unclosed: still waiting, called or being
//     served, of an earlier day (left open: a day not closed, see
//     store.CloseDay), counted apart so no day's leftovers ever count as
//     waiting now.
//   - a request counts by the status it has now: a no-show or cancellation
//     that was reopened (request.reopened) is no longer one, and counts as
//     what it became (served when it was then done); reopened: requests
//     reopened at least once.
//   - waiting time: arrival to the first call, for requests that were called
//     (a request still waiting, or closed without a call, has none);
//     service time: start of (the last) service to done, for done requests.
//     Each as average, median and 90th percentile, nearest-rank method, in
//     seconds.
//   - within target: of the requests that were called, the share called
//     within the target waiting time of the service they first queued for.
//   - by service (the service a request ended in), by counter and by clerk
//     (who last acted on it), by hour of arrival (0-23, summed over the
//     range), by day; busiest hour: the hour with most arrivals (the
//     earliest on a tie, -1 with none).
//   - waiting time by hour: for each hour of arrival (0-23, summed over the
//     range), the waiting times of the requests that arrived in it and were
//     called (median and 90th percentile, as above): when in the day people
//     waited longest.
//   - groups are in natural order of their keys (L2 before L10).
package stats

import (
	"context"
	"errors"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/loket-id/loket/internal/natural"
	"github.com/loket-id/loket/queue"
)

// Dist is a distribution of durations in seconds.
type Dist struct {
	Avg float64 `json:"avg"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	N   int     `json:"n"`
}

// Counts and times of a set of requests.
type Counts struct {
	Arrivals          int     `json:"arrivals"`
	Served            int     `json:"served"`
	NoShow            int     `json:"no_show"`
	Cancelled         int     `json:"cancelled"`
	Transferred       int     `json:"transferred"`
	Waiting           int     `json:"waiting"`
	Unclosed          int     `json:"unclosed"`
	Reopened          int     `json:"reopened"`
	WaitSeconds       Dist    `json:"wait_seconds"`
	ServiceSeconds    Dist    `json:"service_seconds"`
	WithinTargetRatio float64 `json:"within_target_ratio"`
}

// Group is the figures of one service, counter, clerk or day.
type Group struct {
	Key string `json:"key"`
	Counts
}

// HourCount is the arrivals in one hour of the day, and the waiting times
// of those of them that were called.
type HourCount struct {
	Hour        int  `json:"hour"`
	Arrivals    int  `json:"arrivals"`
	WaitSeconds Dist `json:"wait_seconds"`
}

// Figures is everything for a range.
type Figures struct {
	From string `json:"from"`
	To   string `json:"to"`
	Counts
	BusiestHour int         `json:"busiest_hour"`
	ByService   []Service   `json:"by_service"`
	ByCounter   []Group     `json:"by_counter"`
	ByClerk     []Group     `json:"by_clerk"`
	ByHour      []HourCount `json:"by_hour"`
	ByDay       []Group     `json:"by_day"`
}

// Service is the figures of one service.
type Service struct {
	Service string `json:"service"`
	Counts
}

// acc accumulates one group.
type acc struct {
	c        Counts
	waits    []float64
	services []float64
	called   int
	onTime   int
}

func (a *acc) add(r queue.Request, target map[string]int, now time.Time) {
	a.c.Arrivals++
	if !r.Status.Final() && r.Day < now.In(r.ArrivedAt.Location()).Format(time.DateOnly) {
		a.c.Unclosed++
	} else if r.Status == queue.StatusWaiting {
		a.c.Waiting++
	}
	if r.Reopens > 0 {
		a.c.Reopened++
	}
	switch r.Status {
	case queue.StatusDone:
		a.c.Served++
		if r.ServingAt != nil && r.DoneAt != nil {
			a.services = append(a.services, max(0, r.DoneAt.Sub(*r.ServingAt).Seconds()))
		}
	case queue.StatusNoShow:
		a.c.NoShow++
	case queue.StatusCancelled:
		a.c.Cancelled++
	}
	if r.Transfers > 0 {
		a.c.Transferred++
	}
	if r.CalledAt != nil {
		w := max(0, r.CalledAt.Sub(r.ArrivedAt).Seconds())
		a.waits = append(a.waits, w)
		a.called++
		svc := r.FirstService
		if svc == "" {
			svc = r.Service
		}
		if w <= float64(target[svc]*60) {
			a.onTime++
		}
	}
}

func (a *acc) counts() Counts {
	c := a.c
	c.WaitSeconds, c.ServiceSeconds = dist(a.waits), dist(a.services)
	if a.called > 0 {
		c.WithinTargetRatio = float64(a.onTime) / float64(a.called)
	}
	return c
}

// dist is the average, median and 90th percentile (nearest rank).
func dist(xs []float64) Dist {
	if len(xs) == 0 {
		return Dist{}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return Dist{Avg: math.Round(sum/float64(len(s))*10) / 10, P50: NearestRank(s, 50), P90: NearestRank(s, 90), N: len(s)}
}

// NaturalLess orders keys as people read them: runs of digits by their
// value, so counter L2 comes before L10 and L10 before L11; the rest by
// bytes. Keys equal but for leading zeros order by bytes. (It is
// internal/natural's, which package skm shares without importing stats.)
func NaturalLess(a, b string) bool { return natural.Less(a, b) }

// NearestRank is the p-th percentile of sorted xs: the value at rank
// ceil(p/100 · n), counting from 1.
func NearestRank(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(1, rank)-1]
}

// Compute makes the figures of the requests that arrived from day from to
// day to; each(fn) must call fn for every such request. target is each
// service's target waiting time in minutes. "Now" (for waiting now) is the
// clock's; ComputeAt takes it.
func Compute(from, to string, each func(fn func(queue.Request) error) error, target map[string]int) (Figures, error) {
	return ComputeAt(time.Now(), from, to, each, target)
}

// ComputeAt is Compute with now as the present moment.
func ComputeAt(now time.Time, from, to string, each func(fn func(queue.Request) error) error, target map[string]int) (Figures, error) {
	f := Figures{From: from, To: to, BusiestHour: -1}
	var all acc
	groups := map[string]map[string]*acc{"service": {}, "counter": {}, "clerk": {}, "day": {}}
	hours := make([]int, 24)
	hourWaits := make([][]float64, 24)
	get := func(kind, key string) *acc {
		a := groups[kind][key]
		if a == nil {
			a = &acc{}
			groups[kind][key] = a
		}
		return a
	}
	err := each(func(r queue.Request) error {
		all.add(r, target, now)
		get("service", r.Service).add(r, target, now)
		get("counter", r.Counter).add(r, target, now)
		get("clerk", r.Clerk).add(r, target, now)
		get("day", r.Day).add(r, target, now)
		h := r.ArrivedAt.Hour() // ArrivedAt is kept in the office's zone by the caller
		hours[h]++
		if r.CalledAt != nil {
			hourWaits[h] = append(hourWaits[h], max(0, r.CalledAt.Sub(r.ArrivedAt).Seconds()))
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	f.Counts = all.counts()
	sorted := func(kind string) []Group {
		var out []Group
		for k, a := range groups[kind] {
			out = append(out, Group{Key: k, Counts: a.counts()})
		}
		sort.Slice(out, func(i, j int) bool { return NaturalLess(out[i].Key, out[j].Key) })
		return out
	}
	for _, g := range sorted("service") {
		f.ByService = append(f.ByService, Service{Service: g.Key, Counts: g.Counts})
	}
	f.ByCounter, f.ByClerk, f.ByDay = sorted("counter"), sorted("clerk"), sorted("day")
	best := 0
	for h, n := range hours {
		f.ByHour = append(f.ByHour, HourCount{Hour: h, Arrivals: n, WaitSeconds: dist(hourWaits[h])})
		if n > best {
			best, f.BusiestHour = n, h
		}
	}
	if f.ByService == nil {
		f.ByService, f.ByCounter, f.ByClerk, f.ByDay = []Service{}, []Group{}, []Group{}, []Group{}
	}
	return f, nil
}

// InZone returns r with its arrival in loc, so hours are loc's; with a nil
// loc, r keeps the zone it was stored with, which is its office's.
func InZone(r queue.Request, loc *time.Location) queue.Request {
	if loc != nil {
		r.ArrivedAt = r.ArrivedAt.In(loc)
	}
	return r
}

// Targets is each service's target waiting time, from a catalog.
func Targets(svcs []queue.Service) map[string]int {
	m := map[string]int{}
	for _, s := range svcs {
		m[s.Code] = s.TargetWaitMin
	}
	return m
}

// Source is a station's database as the figures need it (*store.Store is one).
type Source interface {
	Services(ctx context.Context) ([]queue.Service, error)
	// Between calls fn with every request that arrived on the days from..to.
	Between(ctx context.Context, from, to string, fn func(queue.Request) error) error
	Location() *time.Location
}

// ForStation computes the figures of a station's database, at the
// station's clock when st has one (Now() time.Time, as *store.Store does). A range of
// several days is read in two halves at once, each in its own read
// transaction (decoding the requests is most of the work, and counter PCs
// have two cores); the figures are then computed over them in order.
//
// With service set, only the requests that ended in that service count
// (the drill-down of one service).
func ForStation(ctx context.Context, st Source, from, to, service string) (Figures, error) {
	svcs, err := st.Services(ctx)
	if err != nil {
		return Figures{}, err
	}
	parts := splitDays(from, to, 2)
	reqs := make([][]queue.Request, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.Between(ctx, p[0], p[1], func(r queue.Request) error {
				if service != "" && r.Service != service {
					return nil
				}
				reqs[i] = append(reqs[i], InZone(r, st.Location()))
				return nil
			})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Figures{}, err
	}
	now := time.Now()
	if c, ok := st.(interface{ Now() time.Time }); ok {
		now = c.Now()
	}
	return ComputeAt(now, from, to, func(fn func(queue.Request) error) error {
		for _, part := range reqs {
			for _, r := range part {
				if err := fn(r); err != nil {
					return err
				}
			}
		}
		return nil
	}, Targets(svcs))
}

// splitDays cuts the days from..to into at most n consecutive ranges.
func splitDays(from, to string, n int) [][2]string {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	days := int(b.Sub(a).Hours()/24) + 1
	if err1 != nil || err2 != nil || days < 2 || n < 2 {
		return [][2]string{{from, to}}
	}
	var out [][2]string
	per := (days + n - 1) / n
	for start := a; !start.After(b); start = start.AddDate(0, 0, per) {
		end := start.AddDate(0, 0, per-1)
		if end.After(b) {
			end = b
		}
		out = append(out, [2]string{start.Format(time.DateOnly), end.Format(time.DateOnly)})
	}
	return out
}
