package synctest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/protocol"
	"github.com/loket-id/loket/sync/station"
)

// stationWithEvents makes a station database with at least n events, fast:
// one transaction per 500 registrations.
func stationWithEvents(b *testing.B, dir string, n int) *store.Store {
	b.Helper()
	st, err := store.Open(filepath.Join(dir, store.FileName), store.Options{Location: wib})
	if err != nil {
		b.Fatal(err)
	}
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	at := time.Date(2026, 1, 5, 8, 0, 0, 0, wib)
	for {
		var last uint64
		err := st.Update(bg, func(tx *store.Tx) error {
			for i := 0; i < 500; i++ {
				at = at.Add(37 * time.Second)
				r, err := tx.Register(queue.NewRequest{Service: "A", Name: "Pemohon", NIK: "3201014107900001", At: at}, by)
				if err != nil {
					return err
				}
				if r, err = tx.Act(r, queue.ActCall, "", by, at.Add(time.Minute)); err != nil {
					return err
				}
				if _, err = tx.Act(r, queue.ActNoShow, "", by, at.Add(2*time.Minute)); err != nil {
					return err
				}
			}
			last = tx.LastSeq()
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if last >= uint64(n) {
			return st
		}
	}
}

// BenchmarkPush100k: one station pushing 100,000 events to a server on
// loopback (batches of 250), beside the central store ingesting the same
// events in the same batches without HTTP.
func BenchmarkPush100k(b *testing.B) {
	st := stationWithEvents(b, b.TempDir(), 100_000)
	defer st.Close()
	var events []queue.Event
	_ = st.View(bg, func(tx *store.Tx) error {
		var err error
		events, err = tx.Events(0, 0)
		return err
	})
	b.Run("http", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			dir, tokens := newCentral(b, "B/L1")
			srv := startServerB(b, dir)
			c := &station.Client{URL: srv.url(), Token: tokens["B/L1"], Store: st}
			_ = st.Update(bg, func(tx *store.Tx) error { return tx.SetSynced(0, time.Now()) })
			b.StartTimer()
			start := time.Now()
			res, err := c.Sync(bg)
			if err != nil || res.HighWater != uint64(len(events)) {
				b.Fatalf("%+v %v", res, err)
			}
			b.ReportMetric(float64(len(events))/time.Since(start).Seconds(), "events/s")
			b.StopTimer()
			srv.kill()
		}
	})
	b.Run("store", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			dir, _ := newCentral(b, "B/L1")
			cs, err := central.OpenBolt(dir, time.Second)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := time.Now()
			for i := 0; i < len(events); i += 250 {
				batch := make([]protocol.Event, 0, 250)
				for _, e := range events[i:min(i+250, len(events))] {
					batch = append(batch, protocol.FromStore(e))
				}
				if _, err := cs.Ingest("B/L1", batch, time.Time{}, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(events))/time.Since(start).Seconds(), "events/s")
			b.StopTimer()
			cs.Close()
		}
	})
}

func startServerB(b *testing.B, dir string) *server { return startServer(b, dir, freeAddr(b)) }

// peakRSS is a process's peak resident memory (VmHWM), in bytes.
func peakRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Benchmark200Stations: 200 stations of 1,000 events each sync at once to
// one server process.
func Benchmark200Stations(b *testing.B) {
	const n, each = 200, 1000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("B/L%03d", i)
	}
	stations := make([]*store.Store, n)
	for i := range stations {
		stations[i] = stationWithEvents(b, b.TempDir(), each)
		defer stations[i].Close()
	}
	for range b.N {
		b.StopTimer()
		dir, tokens := newCentral(b, keys...)
		srv := startServerB(b, dir)
		for _, st := range stations {
			_ = st.Update(bg, func(tx *store.Tx) error { return tx.SetSynced(0, time.Now()) })
		}
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var total uint64
		var failures []error
		for i, st := range stations {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := (&station.Client{URL: srv.url(), Token: tokens[keys[i]], Store: st}).Sync(bg)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failures = append(failures, err)
				}
				total += res.HighWater
			}()
		}
		wg.Wait()
		took := time.Since(start)
		b.StopTimer()
		if len(failures) > 0 {
			b.Fatalf("%d stations failed, first: %v", len(failures), failures[0])
		}
		b.ReportMetric(float64(total)/took.Seconds(), "events/s")
		b.ReportMetric(float64(peakRSS(srv.cmd.Process.Pid))/(1<<20), "server-peak-MiB")
		srv.kill()
	}
}
