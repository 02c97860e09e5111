package pgstore_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loket-id/loket/internal/pgtest"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/centraltest"
	"github.com/loket-id/loket/sync/protocol"
)

// The benchmarks run bbolt and PostgreSQL beside each other in the same
// run (sub-benchmarks bbolt and postgres); the flags scale them (small by
// default, for CI; see BENCHMARKS.md for the province-sized run).
var (
	benchStations = flag.Int("central.stations", 4, "stations in the benchmarks")
	benchEvents   = flag.Int("central.events", 1500, "events of each station in the benchmarks (3 per request)")
	benchDays     = flag.Int("central.days", 30, "days the benchmarks' requests spread over")
	benchPushers  = flag.Int("central.pushers", 1, "BenchmarkIngest: stations pushing at once (a station's batches stay in order)")
)

// benchStart is the first day of the benchmarks' requests: days before
// today, 08:00 WIB (the centre refuses arrivals ahead of its clock).
func benchStart() time.Time {
	d := time.Now().In(centraltest.WIB).AddDate(0, 0, -*benchDays-1)
	return time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, centraltest.WIB)
}

// stationEvents is a station's log of about n events (each request
// registered, called and done), its requests spread over days from
// benchStart, as the counter sends them.
func stationEvents(b *testing.B, n, days, k int) []protocol.Event {
	b.Helper()
	st, err := store.Open(filepath.Join(b.TempDir(), store.FileName), store.Options{Location: centraltest.WIB})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	by := queue.Actor{Counter: fmt.Sprintf("L%d", k%5), Clerk: []string{"Ani", "Budi", "Citra"}[k%3]}
	reqs := n / 3
	step := time.Duration(days) * 9 * time.Hour / time.Duration(max(reqs, 1))
	day := benchStart()
	at := day
	for done := 0; done < reqs; {
		err := st.Update(b.Context(), func(tx *store.Tx) error {
			for i := 0; i < 500 && done < reqs; i, done = i+1, done+1 {
				at = at.Add(step)
				if at.Hour() >= 17 || at.Day() != day.Day() { // the office closes: the next day
					day = day.AddDate(0, 0, 1)
					at = day
				}
				r, err := tx.Register(queue.NewRequest{Service: string(rune('A' + done%4)), Name: "Pemohon", NIK: "3201014107900001", At: at}, by)
				if err != nil {
					return err
				}
				if r, err = tx.Act(r, queue.ActCall, "", by, at.Add(time.Duration(done%900)*time.Second)); err != nil {
					return err
				}
				if _, err = tx.Act(r, queue.ActDone, "", by, at.Add(time.Duration(900+done%1200)*time.Second)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	var out []protocol.Event
	_ = st.View(b.Context(), func(tx *store.Tx) error {
		evs, err := tx.Events(0, 0)
		for _, e := range evs {
			out = append(out, protocol.FromStore(e))
		}
		return err
	})
	return out
}

// province is the benchmarks' stations (office = station index / 2) and
// their logs, made once per run.
var province struct {
	once sync.Once
	keys []string
	logs [][]protocol.Event
}

func logs(b *testing.B) ([]string, [][]protocol.Event) {
	province.once.Do(func() {
		for k := range *benchStations {
			province.keys = append(province.keys, fmt.Sprintf("35%02d/L%d", k/2, k%2))
			province.logs = append(province.logs, stationEvents(b, *benchEvents, *benchDays, k))
		}
	})
	return province.keys, province.logs
}

type storages struct {
	name string
	open func(b *testing.B) central.Storage
}

func both() []storages {
	return []storages{
		{"bbolt", func(b *testing.B) central.Storage {
			s, err := central.OpenBolt(b.TempDir(), time.Second)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		}},
		{"postgres", func(b *testing.B) central.Storage { return openURL(b, pgtest.URL(b)) }},
	}
}

// ingestAll pushes every station's log into s in batches of 250, the
// stations in turn (as a night's syncs interleave), by workers at once;
// it reports the rate of the whole and of its last quarter (the store
// grown).
func ingestAll(b *testing.B, ss []central.Storage, keys []string, logs [][]protocol.Event, workers int) (all, last float64) {
	b.Helper()
	type job struct {
		key string
		evs []protocol.Event
	}
	var jobs []job
	for i := 0; ; i++ {
		more := false
		for k, l := range logs {
			if i*250 < len(l) {
				jobs = append(jobs, job{keys[k], l[i*250 : min(len(l), (i+1)*250)]})
				more = true
			}
		}
		if !more {
			break
		}
	}
	q := len(jobs) * 3 / 4
	ch := make(chan job)
	var wg sync.WaitGroup
	var failed atomic.Bool
	var mu sync.Mutex
	var lastStart time.Time
	start := time.Now()
	for w := range workers {
		s := ss[w%len(ss)]
		wg.Go(func() {
			for j := range ch {
				if failed.Load() {
					continue
				}
				if _, err := s.Ingest(j.key, j.evs, time.Time{}, time.Now()); err != nil {
					failed.Store(true)
					b.Error(err)
				}
			}
		})
	}
	n, nLast := 0, 0
	for i, j := range jobs {
		if i == q {
			mu.Lock()
			lastStart = time.Now()
			mu.Unlock()
		}
		if i >= q {
			nLast += len(j.evs)
		}
		n += len(j.evs)
		ch <- j
	}
	close(ch)
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), float64(nLast) / time.Since(lastStart).Seconds()
}

func addStations(b *testing.B, s central.Storage, keys []string) {
	for _, k := range keys {
		if _, _, err := s.AddStation(k[:4], k[5:], "", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIngest: every station's log into a fresh storage, one batch at
// a time (the protocol's sequential ingest): events/s of the whole run and
// of its last quarter, and the heap in use after it.
func BenchmarkIngest(b *testing.B) {
	keys, ls := logs(b)
	for _, st := range both() {
		b.Run(st.name, func(b *testing.B) {
			var all, last float64
			for range b.N {
				b.StopTimer()
				s := st.open(b)
				addStations(b, s, keys)
				b.StartTimer()
				all, last = ingestAll(b, []central.Storage{s}, keys, ls, *benchPushers)
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			b.ReportMetric(all, "events/s")
			b.ReportMetric(last, "events/s-last-quarter")
			b.ReportMetric(float64(m.HeapInuse)/(1<<20), "MB-heap")
		})
	}
}

// BenchmarkTwoServers: the same logs into one PostgreSQL database by four
// pushers through one store (one pool: one server process) and through
// two (each its own pool: two processes).
func BenchmarkTwoServers(b *testing.B) {
	keys, ls := logs(b)
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			var all float64
			for range b.N {
				b.StopTimer()
				url := pgtest.URL(b)
				var ss []central.Storage
				for range n {
					ss = append(ss, openURL(b, url))
				}
				addStations(b, ss[0], keys)
				b.StartTimer()
				all, _ = ingestAll(b, ss, keys, ls, 4)
			}
			b.ReportMetric(all, "events/s")
		})
	}
}

// BenchmarkReads: statistics and export of a filled storage: one office's
// day, one office's month, all offices over all the days; and the export
// of one office's month, its allocation per row.
func BenchmarkReads(b *testing.B) {
	keys, ls := logs(b)
	now := time.Now()
	first := benchStart()
	day := first.AddDate(0, 0, 1).Format(time.DateOnly)
	from, to := first.Format(time.DateOnly), first.AddDate(0, 0, 30).Format(time.DateOnly)
	last := now.In(centraltest.WIB).Format(time.DateOnly)
	for _, st := range both() {
		s := st.open(b)
		addStations(b, s, keys)
		ingestAll(b, []central.Storage{s}, keys, ls, 1)
		office := keys[0][:4]
		for _, q := range []struct{ name, office, from, to string }{
			{"stats-office-day", office, day, day},
			{"stats-office-month", office, from, to},
			{"stats-all-offices-all-days", "", from, last},
		} {
			b.Run(st.name+"/"+q.name, func(b *testing.B) {
				var n int
				for range b.N {
					f, err := central.StatsAt(now, s, q.office, "", "", q.from, q.to, nil)
					if err != nil || f.Arrivals == 0 {
						b.Fatal(f.Arrivals, err)
					}
					n = f.Arrivals
				}
				b.ReportMetric(float64(n), "requests")
			})
		}
		b.Run(st.name+"/export-office-month", func(b *testing.B) {
			b.ReportAllocs()
			var n int
			var peak uint64
			for range b.N {
				n = 0
				runtime.GC()
				var m0 runtime.MemStats
				runtime.ReadMemStats(&m0)
				if err := s.Export(office, "", from, to, func(queue.Request) error {
					if n++; n%1000 == 0 {
						var m runtime.MemStats
						runtime.ReadMemStats(&m)
						if m.HeapInuse > m0.HeapInuse {
							peak = max(peak, m.HeapInuse-m0.HeapInuse)
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "rows")
			b.ReportMetric(float64(peak)/(1<<20), "MB-heap-growth")
		})
	}
}
