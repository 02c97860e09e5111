// Package demo fills a counter database with a realistic simulated history,
// so that a newcomer and the statistics screen have something to look at.
//
// The simulation: offices open Monday to Friday, 07:30 to 15:30. Arrivals
// follow an hourly profile that peaks mid-morning (about 380 a day, so a year
// is about 100,000 requests); services are drawn by weight; 8% are priority
// applicants. Twelve counters serve the queue priority first, then first come
// first served; service times are log-normal around each service's mean. About
// 4% do not show up when called (after three calls), 1% cancel, 2% are
// transferred to another service partway through service.
//
// Everything is written through the store's own API (Tx.Register, Tx.Act),
// one transaction per simulated day, in the order the actions happened; today
// is simulated only up to the store's clock, so some requests are still open.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"time"

	"github.com/loket-id/loket/queue"
)

// Options for Generate.
type Options struct {
	Days  int   // days of history ending today
	Seed  int64 // random seed; the same seed and clock give the same history
	Force bool  // add to a database that already has requests
	// PerDay is the mean number of arrivals on a working day; 0 means 380.
	PerDay int
}

// Summary counts what Generate wrote.
type Summary struct {
	Days, Requests, Done, NoShow, Cancelled, Transferred, Open int
}

// ErrNotEmpty is a database that already has requests (without Force).
var ErrNotEmpty = errors.New("the database already has requests; use --force to add demo data anyway")

type serviceProfile struct {
	code   string
	weight float64
	mean   time.Duration // mean service time
}

var profiles = []serviceProfile{
	{"A", 30, 11 * time.Minute}, {"B", 10, 22 * time.Minute}, {"C", 12, 14 * time.Minute}, {"D", 6, 12 * time.Minute},
	{"E", 6, 8 * time.Minute}, {"F", 18, 4 * time.Minute}, {"G", 14, 15 * time.Minute}, {"H", 4, 18 * time.Minute},
}

// hourWeights is the share of arrivals per hour from 07:00 to 15:00.
var hourWeights = []float64{4, 12, 18, 20, 15, 8, 11, 9, 3}

var counters = func() []queue.Actor {
	clerks := []string{"Sari", "Budi", "Dewi", "Agus", "Rina", "Joko", "Ani", "Eko", "Putri", "Andi", "Yusuf", "Fitri"}
	out := make([]queue.Actor, len(clerks))
	for i, c := range clerks {
		out[i] = queue.Actor{Counter: fmt.Sprintf("L%d", i+1), Clerk: c}
	}
	return out
}()

var firstNames = []string{"Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Ani", "Eko", "Wahyu", "Nur", "Putri", "Andi", "Yusuf",
	"Fitri", "Hendra", "Lestari", "Made", "Ketut", "Ayu", "Rizky", "Intan", "Bambang", "Sri", "Ahmad", "Maria", "Yohanes", "Nyoman"}
var lastNames = []string{"Santoso", "Wijaya", "Lestari", "Saputra", "Hidayat", "Siregar", "Nasution", "Pratama", "Kurniawan",
	"Sulistyowati", "Harahap", "Simanjuntak", "Purba", "Wibowo", "Rahmawati", "Setiawan", "Gunawan", "Utami", "Susanto"}

// action is one simulated step, applied in time order.
type action struct {
	at    time.Time
	seq   int // tie-break: order of creation
	req   int // index into the day's requests
	act   queue.Action
	to    string
	by    queue.Actor
	isNew bool
	in    queue.NewRequest
}

// Target is the station database the history is written into
// (*store.Store is one).
type Target interface {
	Now() time.Time
	Location() *time.Location
	Services(ctx context.Context) ([]queue.Service, error)
	HasRequests(ctx context.Context) (bool, error)
	// Record writes everything fn records in one transaction, or nothing.
	Record(ctx context.Context, fn func(queue.Recorder) error) error
}

// Generate writes the simulated history into st.
func Generate(ctx context.Context, st Target, o Options) (Summary, error) {
	var sum Summary
	if o.Days < 1 {
		return sum, fmt.Errorf("demo: days must be at least 1")
	}
	if o.PerDay <= 0 {
		o.PerDay = 380
	}
	if !o.Force {
		has, err := st.HasRequests(ctx)
		if err != nil {
			return sum, err
		}
		if has {
			return sum, fmt.Errorf("demo: %w", ErrNotEmpty)
		}
	}
	svcs, err := st.Services(ctx)
	if err != nil {
		return sum, err
	}
	isActive := map[string]bool{}
	for _, s := range svcs {
		isActive[s.Code] = s.Active
	}
	var active []serviceProfile
	for _, p := range profiles {
		if isActive[p.code] {
			active = append(active, p)
		}
	}
	if len(active) < 2 {
		return sum, fmt.Errorf("demo: the catalog needs at least two of the active services A-H")
	}
	rng := rand.New(rand.NewSource(o.Seed))
	now := st.Now()
	loc := st.Location()
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	for d := o.Days - 1; d >= 0; d-- {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		day := today.AddDate(0, 0, -d)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		acts := simulateDay(rng, day, o.PerDay, active)
		daySum, err := apply(ctx, st, acts, now)
		if err != nil {
			return sum, fmt.Errorf("demo: day %s: %w", day.Format(time.DateOnly), err)
		}
		sum.Days++
		sum.Requests += daySum.Requests
		sum.Done += daySum.Done
		sum.NoShow += daySum.NoShow
		sum.Cancelled += daySum.Cancelled
		sum.Transferred += daySum.Transferred
		sum.Open += daySum.Open
	}
	return sum, nil
}

// apply writes one day's actions up to now in one transaction.
func apply(ctx context.Context, st Target, acts []action, now time.Time) (Summary, error) {
	var sum Summary
	err := st.Record(ctx, func(tx queue.Recorder) error {
		sum = Summary{}
		reqs := map[int]queue.Request{}
		for _, a := range acts {
			if a.at.After(now) {
				break
			}
			var r queue.Request
			var err error
			if a.isNew {
				a.in.At = a.at
				r, err = tx.Register(a.in, a.by)
				sum.Requests++
			} else {
				r, err = tx.Act(reqs[a.req], a.act, a.to, a.by, a.at)
			}
			if err != nil {
				return err
			}
			reqs[a.req] = r
		}
		for _, r := range reqs {
			switch {
			case r.Status == queue.StatusDone:
				sum.Done++
			case r.Status == queue.StatusNoShow:
				sum.NoShow++
			case r.Status == queue.StatusCancelled:
				sum.Cancelled++
			default:
				sum.Open++
			}
			if r.Transfers > 0 {
				sum.Transferred++
			}
		}
		return nil
	})
	return sum, err
}

type arrival struct {
	at       time.Time
	service  string
	priority queue.Priority
	idx      int
}

// simulateDay plans one day: arrivals, then a discrete-event simulation of
// twelve counters, producing every action with its time.
func simulateDay(rng *rand.Rand, day time.Time, perDay int, svcs []serviceProfile) []action {
	n := int(float64(perDay) * (0.75 + 0.5*rng.Float64()))
	if day.Weekday() == time.Friday {
		n = n * 3 / 4 // Friday prayers shorten the day
	}
	var total, wsum float64
	for _, w := range hourWeights {
		total += w
	}
	for _, s := range svcs {
		wsum += s.weight
	}
	pick := func() serviceProfile {
		x := rng.Float64() * wsum
		for _, s := range svcs {
			if x -= s.weight; x < 0 {
				return s
			}
		}
		return svcs[len(svcs)-1]
	}
	var arrivals []arrival
	for i := range n {
		x := rng.Float64() * total
		h := 0
		for h < len(hourWeights)-1 {
			if x -= hourWeights[h]; x < 0 {
				break
			}
			h++
		}
		start := day.Add(time.Duration(7+h) * time.Hour)
		if h == 0 {
			start = start.Add(30 * time.Minute) // doors open at 07:30
		}
		span := time.Hour
		if h == 0 {
			span = 30 * time.Minute
		}
		at := start.Add(time.Duration(rng.Int63n(int64(span))))
		p := queue.PriorityNone
		if rng.Float64() < 0.08 {
			p = queue.Priorities[rng.Intn(len(queue.Priorities))]
		}
		arrivals = append(arrivals, arrival{at: at, service: pick().code, priority: p, idx: i})
	}
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i].at.Before(arrivals[j].at) })

	var acts []action
	seq := 0
	add := func(a action) {
		a.seq = seq
		seq++
		acts = append(acts, a)
	}
	means := map[string]time.Duration{}
	for _, s := range svcs {
		means[s.code] = s.mean
	}
	serviceTime := func(code string) time.Duration {
		// log-normal around the mean, sigma 0.5
		return time.Duration(float64(means[code]) * math.Exp(rng.NormFloat64()*0.5-0.125))
	}
	for i, a := range arrivals {
		in := queue.NewRequest{Service: a.service, Name: randomName(rng), NIK: randomNIK(rng), Priority: a.priority}
		if rng.Float64() < 0.7 {
			in.Phone = fmt.Sprintf("08%d%08d", 11+rng.Intn(89), rng.Intn(100000000))
		}
		add(action{at: a.at, req: i, isNew: true, in: in, by: counters[0]})
		arrivals[i].idx = i
	}
	// Counters take the next in line (priority first, then by arrival).
	free := make([]time.Time, len(counters))
	for c := range free {
		free[c] = day.Add(7*time.Hour + 30*time.Minute)
	}
	// ready is when a request can be called: its arrival, or the end of
	// the service that transferred it.
	type queued struct {
		arrival
		service string
		ready   time.Time
	}
	pending := make([]queued, len(arrivals))
	for i, a := range arrivals {
		pending[i] = queued{a, a.service, a.at}
	}
	closing := day.Add(16 * time.Hour)
	for len(pending) > 0 {
		c := 0
		for k := range free {
			if free[k].Before(free[c]) {
				c = k
			}
		}
		t := free[c]
		if t.After(closing) {
			break // the rest stay waiting: still open at the end of the day
		}
		// The next request that has arrived by t, priority first; if none, wait for the next arrival.
		pick := -1
		next := pending[0].ready
		for k, q := range pending {
			if q.at.After(t) {
				break
			}
			if q.ready.Before(next) {
				next = q.ready
			}
			if q.ready.After(t) {
				continue
			}
			if pick < 0 || (q.priority != queue.PriorityNone && pending[pick].priority == queue.PriorityNone) {
				pick = k
			}
		}
		if pick < 0 {
			for _, q := range pending {
				if q.ready.Before(next) {
					next = q.ready
				}
			}
			free[c] = next
			continue
		}
		q := pending[pick]
		pending = append(pending[:pick], pending[pick+1:]...)
		by := counters[c]
		callAt := t.Add(time.Duration(10+rng.Intn(50)) * time.Second)
		if rng.Float64() < 0.01 {
			add(action{at: callAt, req: q.idx, act: queue.ActCancel, by: by})
			continue
		}
		add(action{at: callAt, req: q.idx, act: queue.ActCall, by: by})
		if rng.Float64() < 0.04 {
			add(action{at: callAt.Add(2 * time.Minute), req: q.idx, act: queue.ActRecall, by: by})
			add(action{at: callAt.Add(4 * time.Minute), req: q.idx, act: queue.ActRecall, by: by})
			add(action{at: callAt.Add(6 * time.Minute), req: q.idx, act: queue.ActNoShow, by: by})
			free[c] = callAt.Add(6 * time.Minute)
			continue
		}
		startAt := callAt.Add(time.Duration(20+rng.Intn(100)) * time.Second)
		add(action{at: startAt, req: q.idx, act: queue.ActServe, by: by})
		end := startAt.Add(serviceTime(q.service))
		if rng.Float64() < 0.02 {
			to := svcs[rng.Intn(len(svcs))].code
			if to != q.service {
				add(action{at: end, req: q.idx, act: queue.ActTransfer, to: to, by: by})
				q.service = to
				q.ready = end
				// Back in the new line at its arrival position.
				ins := sort.Search(len(pending), func(k int) bool { return pending[k].at.After(q.at) })
				pending = append(pending[:ins], append([]queued{q}, pending[ins:]...)...)
				free[c] = end
				continue
			}
		}
		add(action{at: end, req: q.idx, act: queue.ActDone, by: by})
		free[c] = end.Add(time.Duration(rng.Intn(30)) * time.Second)
	}
	sort.SliceStable(acts, func(i, j int) bool {
		if !acts[i].at.Equal(acts[j].at) {
			return acts[i].at.Before(acts[j].at)
		}
		return acts[i].seq < acts[j].seq
	})
	return acts
}

func randomName(rng *rand.Rand) string {
	if rng.Float64() < 0.15 {
		return firstNames[rng.Intn(len(firstNames))]
	}
	return firstNames[rng.Intn(len(firstNames))] + " " + lastNames[rng.Intn(len(lastNames))]
}

var demoProvinces = []int{11, 12, 13, 31, 32, 33, 34, 35, 36, 51, 52, 61, 64, 71, 73}

// randomNIK makes a NIK that passes validation.
func randomNIK(rng *rand.Rand) string {
	day := 1 + rng.Intn(28)
	if rng.Intn(2) == 0 {
		day += 40
	}
	return fmt.Sprintf("%02d%02d%02d%02d%02d%02d%04d", demoProvinces[rng.Intn(len(demoProvinces))], 1+rng.Intn(30), 1+rng.Intn(40),
		day, 1+rng.Intn(12), rng.Intn(100), 1+rng.Intn(9999))
}
