// Package faultproxy is a TCP proxy on loopback that breaks, at random, the
// HTTP calls that go through it, for the tests of every protocol that must
// survive a bad network (station to centre, counter to hub): it drops the
// connection in the middle of the call or of the answer, resets it after
// the server answered, delays, truncates the call's body, or answers 502
// itself. A client that uses one connection per call sees one fault per
// call. Its randomness comes from a seed the test prints.
package faultproxy

import (
	"bytes"
	"io"
	"math/rand"
	"net"
	"sync"
	"testing"
	"time"
)

// Kinds are the faults the proxy makes.
var Kinds = []string{"drop-request", "drop-response", "reset-response", "delay", "truncate", "502"}

// Proxy forwards to a target address and breaks a share of the calls.
type Proxy struct {
	ln     net.Listener
	target string
	rate   float64 // share of calls faulted

	mu      sync.Mutex
	rng     *rand.Rand
	posts   int
	faulted int
	kinds   map[string]int
	wg      sync.WaitGroup
}

// New listens on 127.0.0.1 and forwards to target, faulting rate of the
// calls; it stops when the test ends.
func New(t testing.TB, target string, rate float64, seed int64) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, rate: rate, rng: rand.New(rand.NewSource(seed)), kinds: map[string]int{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

// URL is the proxy's http:// address.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Stats are the POSTs seen, the calls faulted and how often each kind was.
func (p *Proxy) Stats() (posts, faulted int, kinds map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := map[string]int{}
	for a, b := range p.kinds {
		k[a] = b
	}
	return p.posts, p.faulted, k
}

func (p *Proxy) serve() {
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

func (p *Proxy) handle(client net.Conn) {
	defer client.Close()
	_ = client.SetDeadline(time.Now().Add(20 * time.Second))
	// The call's head and what of its body has arrived.
	buf := make([]byte, 64<<10)
	n, _ := client.Read(buf)
	first := buf[:n]
	p.mu.Lock()
	kind := ""
	if p.rng.Float64() < p.rate {
		kind = Kinds[p.rng.Intn(len(Kinds))]
		p.faulted++
		p.kinds[kind]++
	}
	if bytes.HasPrefix(first, []byte("POST ")) {
		p.posts++
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
		return // the server is down: the client sees a dropped connection
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
		// Let the server answer (and commit), then cut the answer.
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
