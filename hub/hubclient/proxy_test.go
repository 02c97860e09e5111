package hubclient_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubclient"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/queue"
)

// faultProxy sits between a counter and the hub on loopback and, at
// random, breaks what goes through it: it drops the connection in the
// middle of the call or of the answer, resets it after the hub answered,
// delays, truncates the call's body, or answers 502 itself. The client
// under test uses one connection per call, so each fault hits one call.
// (The idea of sync/synctest's proxy, with resets added.)
type faultProxy struct {
	ln     net.Listener
	target string
	rate   float64

	mu    sync.Mutex
	rng   *rand.Rand
	kinds map[string]int
	wg    sync.WaitGroup
}

func newFaultProxy(t *testing.T, target string, rate float64, seed int64) *faultProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, rate: rate, rng: rand.New(rand.NewSource(seed)), kinds: map[string]int{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

func (p *faultProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(c)
		}()
	}
}

var faultKinds = []string{"drop-request", "drop-response", "reset-response", "delay", "truncate", "502"}

func (p *faultProxy) handle(client net.Conn) {
	defer client.Close()
	_ = client.SetDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 64<<10)
	n, _ := client.Read(buf)
	first := buf[:n]
	p.mu.Lock()
	kind := ""
	if p.rng.Float64() < p.rate {
		kind = faultKinds[p.rng.Intn(len(faultKinds))]
		p.kinds[kind]++
	}
	cut := p.rng.Intn(max(1, n))
	delay := time.Duration(p.rng.Intn(300)) * time.Millisecond
	p.mu.Unlock()
	if kind == "502" {
		_, _ = client.Write([]byte("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		return
	}
	if kind == "delay" {
		time.Sleep(delay)
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	_ = server.SetDeadline(time.Now().Add(20 * time.Second))
	switch kind {
	case "drop-request":
		_, _ = server.Write(first[:cut])
		return
	case "truncate":
		_, _ = server.Write(first[:cut])
		if tc, ok := server.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		_, _ = io.Copy(client, server)
		return
	}
	_, _ = server.Write(first)
	go func() { _, _ = io.Copy(server, client) }()
	switch kind {
	case "drop-response", "reset-response":
		// Let the hub answer (and commit), then cut the answer.
		resp := make([]byte, 4096)
		m, _ := server.Read(resp)
		if kind == "reset-response" {
			if tc, ok := client.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // close sends RST
			}
			return
		}
		_, _ = client.Write(resp[:m/2])
		return
	}
	_, _ = io.Copy(client, server)
}

func (p *faultProxy) stats() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := map[string]int{}
	for a, b := range p.kinds {
		k[a] = b
	}
	return k
}

// TestFaultyNetwork: a counter's actions go through a proxy that breaks a
// third of the connections. The counter sends an action again, with its
// key, whenever its outcome is unknown (as office.Queue asks): every
// action is applied exactly once.
func TestFaultyNetwork(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewSource(seed))
	h := hubtest.Start(t, hub.Options{})
	p := newFaultProxy(t, h.Addr, 0.35, seed)
	c := newClient(t, p.url(), h.AddCounter(t, "L1"), func(o *hubclient.Options) {
		o.DisableKeepAlives = true
		o.RetryDelay = 5 * time.Millisecond
	})
	by := queue.Actor{Clerk: "Sari"}
	// keyed runs one action until its outcome is known, always with the
	// same key; it returns the number of tries.
	keyed := func(what string, do func(key string) error) (error, int) {
		key := ulid.Make().String()
		for try := 1; ; try++ {
			err := do(key)
			if !errors.Is(err, hubclient.ErrNoAnswer) && !errors.Is(err, hubclient.ErrUnreachable) {
				return err, try
			}
			if try == 50 {
				t.Fatalf("%s: no answer after %d tries: %v", what, try, err)
			}
		}
	}
	var registered, calls, serves, unknown int
	var called []string
	for i := 0; i < *faultOps; i++ {
		switch op := rng.Intn(10); {
		case op < 4:
			in := walkIn(rng, []string{"A", "B"}[rng.Intn(2)])
			err, tries := keyed("register", func(key string) error {
				_, _, err := c.RegisterOnce(bg, key, in, by)
				return err
			})
			if err != nil {
				t.Fatalf("register: %v", err)
			}
			registered++
			unknown += tries - 1
		case op < 8:
			var r queue.Request
			err, tries := keyed("call", func(key string) error {
				var err error
				r, _, err = c.CallNextOnce(bg, key, nil, by)
				return err
			})
			unknown += tries - 1
			if errors.Is(err, queue.ErrQueueEmpty) {
				continue
			}
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			calls++
			called = append(called, r.ID)
		default:
			if len(called) == 0 {
				continue
			}
			id := called[0]
			called = called[1:]
			err, tries := keyed("serve", func(key string) error {
				_, _, err := c.ActOnce(bg, key, id, queue.ActServe, "", by)
				return err
			})
			if err != nil {
				t.Fatalf("serve: %v", err)
			}
			serves++
			unknown += tries - 1
		}
	}
	rs, err := h.Store.DayQueue(bg, "")
	if err != nil || len(rs) != registered {
		t.Fatalf("%d requests at the hub, %d registered: %v", len(rs), registered, err)
	}
	var callsSeen, servesSeen int
	for _, r := range rs {
		if r.Calls > 1 {
			t.Fatalf("%s called %d times", r.Ticket, r.Calls)
		}
		callsSeen += r.Calls
		if r.ServingAt != nil {
			servesSeen++
		}
	}
	if callsSeen != calls || servesSeen != serves {
		t.Fatalf("calls %d (made %d), serves %d (made %d)", callsSeen, calls, servesSeen, serves)
	}
	if n := lastSeq(t, h.Store); n != uint64(registered+calls+serves) {
		t.Fatalf("%d events for %d actions", n, registered+calls+serves)
	}
	mustCheck(t, h.Store)
	t.Logf("%d registrations, %d calls, %d serves; %d answers unknown and sent again; faults %v", registered, calls, serves, unknown, p.stats())
	if unknown == 0 {
		t.Fatal(fmt.Sprint("no fault made an answer unknown: the test tested nothing ", p.stats()))
	}
}
