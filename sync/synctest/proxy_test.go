package synctest

import (
	"bytes"
	"io"
	"math/rand"
	"net"
	"sync"
	"testing"
	"time"
)

// faultProxy sits between station and server on loopback and, at random,
// breaks what goes through it: it drops the connection in the middle of the
// request or of the response, delays, truncates the request body, or answers
// 502 itself. Each connection carries one request (the client disables
// keep-alive), so each fault hits one request.
type faultProxy struct {
	ln     net.Listener
	target string
	rate   float64 // share of requests faulted

	mu      sync.Mutex
	rng     *rand.Rand
	posts   int
	faulted int
	kinds   map[string]int
	wg      sync.WaitGroup
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

var faultKinds = []string{"drop-request", "drop-response", "delay", "truncate", "502"}

func (p *faultProxy) handle(client net.Conn) {
	defer client.Close()
	_ = client.SetDeadline(time.Now().Add(20 * time.Second))
	// Read the request head and what body has arrived.
	buf := make([]byte, 64<<10)
	n, _ := client.Read(buf)
	first := buf[:n]
	isPost := bytes.HasPrefix(first, []byte("POST "))
	p.mu.Lock()
	kind := ""
	if p.rng.Float64() < p.rate {
		kind = faultKinds[p.rng.Intn(len(faultKinds))]
		p.faulted++
		p.kinds[kind]++
	}
	if isPost {
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
	if kind == "drop-response" {
		// Let the server answer (and commit), then cut the answer short.
		resp := make([]byte, 4096)
		m, _ := server.Read(resp)
		_, _ = client.Write(resp[:m/2])
		return
	}
	_, _ = io.Copy(client, server)
}

func (p *faultProxy) stats() (posts, faulted int, kinds map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := map[string]int{}
	for a, b := range p.kinds {
		k[a] = b
	}
	return p.posts, p.faulted, k
}
