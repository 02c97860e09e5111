package hubclient_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubclient"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/queue"
)

// The hub's cost: one action through the hub client on loopback beside the
// same action on the store in-process, in the same run (BENCHMARKS.md).

var benchIn = queue.NewRequest{Service: "A", Name: "Siti Aminah", NIK: "3201014107900001", Phone: "0812-3456-7890"}

func BenchmarkHubRegister(b *testing.B) {
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	b.Run("store", func(b *testing.B) {
		h := hubtest.Start(b, hub.Options{})
		for b.Loop() {
			if _, _, err := h.Store.RegisterOnce(bg, ulid.Make().String(), benchIn, by); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hub", func(b *testing.B) {
		h := hubtest.Start(b, hub.Options{})
		c := newClient(b, h.URL, h.AddCounter(b, "L1"))
		for b.Loop() {
			if _, _, err := c.RegisterOnce(bg, ulid.Make().String(), benchIn, by); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkHubCallNext(b *testing.B) {
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	fill := func(b *testing.B, h *hubtest.Hub) {
		b.StopTimer()
		for i := 0; i < max(b.N, 1); i++ { // b.N covers each round's calls
			in := benchIn
			in.Name = fmt.Sprintf("Pemohon %d", i)
			if _, err := h.Store.Register(bg, in, queue.Actor{Counter: "HUB"}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
	}
	b.Run("store", func(b *testing.B) {
		h := hubtest.Start(b, hub.Options{})
		fill(b, h)
		for i := 0; i < b.N; i++ {
			if _, _, err := h.Store.CallNextOnce(bg, ulid.Make().String(), nil, by); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hub", func(b *testing.B) {
		h := hubtest.Start(b, hub.Options{})
		c := newClient(b, h.URL, h.AddCounter(b, "L1"))
		fill(b, h)
		for i := 0; i < b.N; i++ {
			if _, _, err := c.CallNextOnce(bg, ulid.Make().String(), nil, by); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHubChangeArrival: a call at one counter until it is in another
// counter's cache (its DayQueue shows it called). ns/op is the call and
// the arrival; arrival-us/op is from the call's answer to the arrival.
func BenchmarkHubChangeArrival(b *testing.B) {
	h := hubtest.Start(b, hub.Options{})
	a := started(b, newClient(b, h.URL, h.AddCounter(b, "L1")))
	other := started(b, newClient(b, h.URL, h.AddCounter(b, "L2")))
	by := queue.Actor{Clerk: "Sari"}
	ch, stop := other.Subscribe()
	defer stop()
	var arrival time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r, err := h.Store.Register(bg, benchIn, queue.Actor{Counter: "HUB"})
		if err != nil {
			b.Fatal(err)
		}
		for !inCache(other, r.EventSeqs[0]) {
			<-ch
		}
		b.StartTimer()
		called, err := a.Act(bg, r.ID, queue.ActCall, "", by)
		if err != nil {
			b.Fatal(err)
		}
		answered := time.Now()
		for !inCache(other, called.EventSeqs[1]) {
			<-ch
		}
		arrival += time.Since(answered)
	}
	b.ReportMetric(float64(arrival.Microseconds())/float64(b.N), "arrival-us/op")
}

// inCache reports whether c's cache holds r as the event seq left it (the
// cache moves by one event at a time, patching the request with it).
func inCache(c *hubclient.Client, seq uint64) bool { return c.Status().LastSeq >= seq }

// BenchmarkHubVsStore does one action on the store in-process and the same
// action through the hub client in every iteration, on two databases
// alike, timing each: load from other processes falls on both alike, and
// the ratio is the hub's cost. Metrics: store-us/op, hub-us/op, hub/store.
func BenchmarkHubVsStore(b *testing.B) {
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	for _, action := range []string{"register", "callnext"} {
		b.Run(action, func(b *testing.B) {
			local := hubtest.Start(b, hub.Options{})
			remote := hubtest.Start(b, hub.Options{})
			c := newClient(b, remote.URL, remote.AddCounter(b, "L1"))
			if action == "callnext" {
				for _, h := range []*hubtest.Hub{local, remote} {
					for i := 0; i < b.N; i++ {
						if _, err := h.Store.Register(bg, benchIn, queue.Actor{Counter: "HUB"}); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			var onStore, onHub time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				var err error
				if action == "register" {
					_, _, err = local.Store.RegisterOnce(bg, ulid.Make().String(), benchIn, by)
				} else {
					_, _, err = local.Store.CallNextOnce(bg, ulid.Make().String(), nil, by)
				}
				t1 := time.Now()
				if err == nil {
					if action == "register" {
						_, _, err = c.RegisterOnce(bg, ulid.Make().String(), benchIn, by)
					} else {
						_, _, err = c.CallNextOnce(bg, ulid.Make().String(), nil, by)
					}
				}
				if err != nil {
					b.Fatal(err)
				}
				onStore += t1.Sub(t0)
				onHub += time.Since(t1)
			}
			b.ReportMetric(float64(onStore.Microseconds())/float64(b.N), "store-us/op")
			b.ReportMetric(float64(onHub.Microseconds())/float64(b.N), "hub-us/op")
			b.ReportMetric(float64(onHub)/float64(onStore), "hub/store")
		})
	}
}
