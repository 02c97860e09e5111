package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/hub/hubclient"
	"github.com/loket-id/loket/queue"
)

// rssKB is a process's resident memory, from /proc.
func rssKB(t *testing.T, pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// TestHubLoad measures a real hub process under load (figures in
// BENCHMARKS.md; -hub.load 30s for the long run, short by default): 20
// counters register, call, serve and finish as fast as they can while 50
// more counters follow the change stream; it reports the actions per
// second, their p50 and p99 latency and the errors, the hub's memory
// (RSS) idle, with the 50 streams and under the load, and how long a call
// at one counter takes to reach another counter's cache (p99). It asserts
// only what must hold: no errors, every action once, the database clean.
func TestHubLoad(t *testing.T) {
	if testing.Short() || *hubLoad <= 0 {
		t.Skip("a measurement, run on demand: go test -run TestHubLoad -hub.load 30s ./cmd/loket (BENCHMARKS.md)")
	}
	hte := hubEnv(t)
	h := startHub(t, hte, freeAddr(t), "")
	pid := h.cmd.Process.Pid
	idle := rssKB(t, pid)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := func(code string) *hubclient.Client {
		c, err := hubclient.New(hubclient.Options{URL: h.url(), Token: addCounter(t, hte, code)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}
	var listeners []*hubclient.Client
	for i := range 50 {
		c := client(fmt.Sprintf("W%02d", i))
		c.Start(ctx)
		listeners = append(listeners, c)
	}
	deadline := time.Now().Add(time.Minute)
	for _, c := range listeners {
		for !c.Status().Synced || !c.Online() {
			if time.Now().After(deadline) {
				t.Fatal("50 change streams did not all connect within a minute")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	streams := rssKB(t, pid)

	var mu sync.Mutex
	var lat []time.Duration
	var errs []string
	done := 0
	end := time.Now().Add(*hubLoad)
	var wg sync.WaitGroup
	for i := range 20 {
		c := client(fmt.Sprintf("L%02d", i))
		by := queue.Actor{Clerk: "Sari"}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				steps := []func() error{
					func() error {
						_, err := c.Register(ctx, queue.NewRequest{Service: "A", Name: "Warga Beban", NIK: nik}, by)
						return err
					},
				}
				var r queue.Request
				steps = append(steps,
					func() (err error) { r, err = c.CallNext(ctx, []string{"A"}, by); return err },
					func() error { _, err := c.Act(ctx, r.ID, queue.ActServe, "", by); return err },
					func() error { _, err := c.Act(ctx, r.ID, queue.ActDone, "", by); return err })
				for _, step := range steps {
					start := time.Now()
					err := step()
					d := time.Since(start)
					mu.Lock()
					if err != nil {
						errs = append(errs, err.Error())
					} else {
						lat = append(lat, d)
						done++
					}
					mu.Unlock()
					if err != nil {
						break
					}
				}
			}
		}()
	}
	// A call at one counter, seen in another's cache.
	prober := client("P1")
	var arrive []time.Duration
	var peak int
	for time.Now().Before(end) {
		if _, err := prober.Register(ctx, queue.NewRequest{Service: "B", Name: "Warga Uji", NIK: nik}, queue.Actor{Clerk: "Uji"}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		r, err := prober.CallNext(ctx, []string{"B"}, queue.Actor{Clerk: "Uji"})
		if err != nil {
			t.Fatal(err)
		}
		seq := r.EventSeqs[len(r.EventSeqs)-1]
		w := listeners[len(arrive)%len(listeners)]
		for wait := time.Now().Add(30 * time.Second); w.Status().LastSeq < seq; time.Sleep(200 * time.Microsecond) {
			if time.Now().After(wait) {
				t.Fatalf("a call did not reach another counter's cache within 30 s")
			}
		}
		arrive = append(arrive, time.Since(start))
		peak = max(peak, rssKB(t, pid))
		time.Sleep(20 * time.Millisecond)
	}
	wg.Wait()
	took := *hubLoad
	t.Logf("20 counters for %v: %d actions, %.0f actions/s, p50 %v, p99 %v, %d errors",
		took, done, float64(done)/took.Seconds(), pct(lat, 0.50).Round(time.Microsecond), pct(lat, 0.99).Round(time.Microsecond), len(errs))
	t.Logf("hub RSS: idle %d KiB, with 50 change streams %d KiB, peak under load %d KiB", idle, streams, peak)
	t.Logf("a call at one counter in another's cache: %d samples, p50 %v, p99 %v", len(arrive),
		pct(arrive, 0.50).Round(time.Microsecond), pct(arrive, 0.99).Round(time.Microsecond))
	for _, e := range errs[:min(len(errs), 5)] {
		t.Errorf("error: %s", e)
	}
	mustBeClean(t, hte)
}
