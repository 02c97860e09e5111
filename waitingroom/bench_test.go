package waitingroom

import (
	"bufio"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
)

// BenchmarkBoardFanout: one call (CallNext on the store, as `loket call`
// makes it) until every one of 20 boards connected over SSE (Go clients)
// has it, while a kiosk keeps registering walk-ins. It reports the latency
// from the start of the call to each board's receipt: p50, p99 and max.
// Compare ns/op with BenchmarkAnchorCall, the same call with no board.
func BenchmarkBoardFanout(b *testing.B) {
	const boards = 20
	e := newEnv(b, Config{})
	fill(b, e, b.N)
	type got struct {
		ticket string
		at     time.Time
	}
	recv := make(chan got, boards*1024)
	var wg sync.WaitGroup
	for range boards {
		req, _ := http.NewRequest(http.MethodGet, e.url(withToken("/board/events", boardToken)), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { resp.Body.Close() })
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				data, ok := strings.CutPrefix(sc.Text(), "data: ")
				if !ok {
					continue
				}
				var st State
				if json.Unmarshal([]byte(data), &st) != nil {
					continue
				}
				for _, c := range st.Announce {
					recv <- got{c.Ticket, time.Now()}
				}
			}
		}()
	}
	// A kiosk registering walk-ins meanwhile.
	stop := make(chan struct{})
	var kiosk sync.WaitGroup
	kiosk.Add(1)
	go func() {
		defer kiosk.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				_, _, _, _ = e.st.RegisterWalkIn(ctx, "", "B", queue.PriorityNone, queue.Actor{Counter: "K1", Clerk: "kiosk"})
			}
		}
	}()
	var lat []time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		r, err := e.st.CallNext(ctx, []string{"A"}, clerk2)
		if err != nil {
			b.Fatal(err)
		}
		for n := 0; n < boards; {
			select {
			case g := <-recv:
				if g.ticket == r.Ticket {
					lat = append(lat, g.at.Sub(start))
					n++
				}
			case <-time.After(10 * time.Second):
				b.Fatalf("call %s reached %d of %d boards in 10 s", r.Ticket, n, boards)
			}
		}
	}
	b.StopTimer()
	close(stop)
	kiosk.Wait()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	if e.srv.feed.dropped > 0 {
		b.Errorf("%d boards were dropped", e.srv.feed.dropped)
	}
}

// BenchmarkAnchorCall: the same call with no board connected (the store's
// fsynced write); the anchor of BenchmarkBoardFanout.
func BenchmarkAnchorCall(b *testing.B) {
	e := newEnv(b, Config{})
	fill(b, e, b.N)
	b.ResetTimer()
	for range b.N {
		if _, err := e.st.CallNext(ctx, []string{"A"}, clerk2); err != nil {
			b.Fatal(err)
		}
	}
}

// fill registers n walk-ins of service A in one transaction.
func fill(b *testing.B, e *env, n int) {
	b.Helper()
	err := e.st.Record(ctx, func(rec queue.Recorder) error {
		for range n {
			if _, err := rec.Register(queue.NewRequest{Service: "A", Anonymous: true}, queue.Actor{Counter: "K1", Clerk: "kiosk"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
