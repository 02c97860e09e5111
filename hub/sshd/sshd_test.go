package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/tui"
)

var bg = context.Background()

// bound is how long a test waits for a screen or a state before failing:
// far more than anything needs, even on a loaded machine. No test measures
// time.
const bound = 30 * time.Second

// syncBuffer is a log sink the server's goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// hub is a hub's store with its SSH server on 127.0.0.1.
type hub struct {
	t       *testing.T
	st      *store.Store
	addr    string
	hostKey gossh.PublicKey
	log     *syncBuffer
	cancel  context.CancelFunc
	served  chan error
	// renderers records each session's renderer, by counter.
	mu        sync.Mutex
	renderers map[string]*lipgloss.Renderer
}

func newHub(t *testing.T) *hub {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &hub{t: t, st: st, log: &syncBuffer{}, renderers: map[string]*lipgloss.Renderer{}}
}

// start serves; the server stops at the test's end.
func (h *hub) start() {
	t := h.t
	t.Helper()
	keyPath := filepath.Join(t.TempDir(), HostKeyFile)
	signer, _, err := LoadOrCreateHostKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	h.hostKey = signer.PublicKey()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	srv := &Server{Store: h.st, HostKeyPath: keyPath, Log: slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		NewModel: func(ctx context.Context, c store.Counter, s ssh.Session, r *lipgloss.Renderer) (tea.Model, error) {
			h.mu.Lock()
			h.renderers[c.Code] = r
			h.mu.Unlock()
			o := Options(h.st, c, s, r)
			o.Lang, o.Office = "en", "DPMPTSP Test"
			return tui.New(ctx, o), nil
		}}
	ctx, cancel := context.WithCancel(bg)
	h.cancel = cancel
	h.served = make(chan error, 1)
	go func() { h.served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { h.stop() })
}

// stop ends the server and returns what Serve did.
func (h *hub) stop() error {
	h.cancel()
	select {
	case err, ok := <-h.served:
		if ok {
			close(h.served)
		}
		return err
	case <-time.After(bound):
		h.t.Fatalf("Serve has not returned %s after its context ended", bound)
	}
	return nil
}

// newKey is a fresh client key and its authorized_keys line.
func newKey(t *testing.T) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))) + " clerk@pc"
}

// addCounter registers a counter with a new key.
func (h *hub) addCounter(code string, services ...string) gossh.Signer {
	h.t.Helper()
	k, line := newKey(h.t)
	if _, _, err := h.st.AddCounter(bg, store.NewCounter{Code: code, Services: services, SSHKey: line}); err != nil {
		h.t.Fatal(err)
	}
	return k
}

func (h *hub) register(service, name string) queue.Request {
	h.t.Helper()
	r, err := h.st.Register(bg, queue.NewRequest{Service: service, Name: name, NIK: "3201014107900001"}, queue.Actor{Counter: "HUB", Clerk: "Kiosk"})
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// dial connects with the given authentication.
func (h *hub) dial(user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", h.addr, &gossh.ClientConfig{User: user, Auth: auth, HostKeyCallback: gossh.FixedHostKey(h.hostKey), Timeout: bound})
}

// term is a client's terminal: what the session wrote, and its keyboard.
type term struct {
	t      *testing.T
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	mu     sync.Mutex
	out    bytes.Buffer
	ended  chan struct{}
	// answers: what the terminal answers to the background colour query
	// and to the device attributes query ("" for a silent terminal).
	background, attributes string
}

// open connects with key k and opens a terminal session (100x30).
func (h *hub) open(k gossh.Signer, tm *term) *term {
	t := h.t
	t.Helper()
	c, err := h.dial("sari", gossh.PublicKeys(k))
	if err != nil {
		t.Fatal(err)
	}
	if tm == nil {
		tm = &term{attributes: "\x1b[?62;22c"}
	}
	tm.t, tm.client, tm.ended = t, c, make(chan struct{})
	if tm.sess, err = c.NewSession(); err != nil {
		t.Fatal(err)
	}
	if err := tm.sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		t.Fatal(err)
	}
	if tm.stdin, err = tm.sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := tm.sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	tm.sess.Stderr = tm
	if err := tm.sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go tm.read(stdout)
	t.Cleanup(func() { c.Close() })
	return tm
}

// read collects the output and answers the terminal queries in it, as a
// terminal does.
func (tm *term) read(r io.Reader) {
	defer close(tm.ended)
	buf := make([]byte, 4096)
	answered := 0
	for {
		n, err := r.Read(buf)
		tm.mu.Lock()
		tm.out.Write(buf[:n])
		queries := strings.Count(tm.out.String(), ansi.RequestPrimaryDeviceAttributes)
		tm.mu.Unlock()
		for ; answered < queries; answered++ {
			_, _ = io.WriteString(tm.stdin, tm.background+tm.attributes)
		}
		if err != nil {
			return
		}
	}
}

func (tm *term) Write(p []byte) (int, error) { // stderr
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.Write(p)
}

func (tm *term) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansi.Strip(tm.out.String())
}

// waitFor waits until everything in want has been shown.
func (tm *term) waitFor(want ...string) {
	tm.t.Helper()
	deadline := time.Now().Add(bound)
	for {
		s := tm.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = w
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen has not shown %q after %s; it shows:\n%s", missing, bound, tail(s))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (tm *term) key(k string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.stdin, k); err != nil {
		tm.t.Fatal(err)
	}
}

// waitEnd waits for the session to end, and returns how (sess.Wait).
func (tm *term) waitEnd() error {
	tm.t.Helper()
	done := make(chan error, 1)
	go func() { <-tm.ended; done <- tm.sess.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(bound):
		tm.t.Fatalf("the session has not ended after %s; the screen shows:\n%s", bound, tail(tm.screen()))
	}
	return nil
}

func tail(s string) string {
	if len(s) > 3000 {
		return "…" + s[len(s)-3000:]
	}
	return s
}

// waitRequest waits until the request ref satisfies ok.
func (h *hub) waitRequest(ref string, ok func(queue.Request) bool) queue.Request {
	h.t.Helper()
	deadline := time.Now().Add(bound)
	for {
		r, err := h.st.Get(bg, ref)
		if err != nil {
			h.t.Fatal(err)
		}
		if ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("request %s is %+v after %s", ref, r, bound)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sessionStacks are the goroutines of sessions: their programs, the UI's
// commands, the session's reader, watchers and connection, the client's.
// The server's accept loop is not one.
func sessionStacks() []string {
	buf := make([]byte, 4<<20)
	var out []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		for _, mark := range []string{"bubbletea", "loket/tui.", "hub/sshd.(*Server).handler", "hub/sshd.newInput",
			"charmbracelet/ssh.(*session)", "charmbracelet/ssh.(*Server).HandleConn", "x/crypto/ssh.(*mux)", "x/crypto/ssh.(*handshakeTransport)"} {
			if strings.Contains(g, mark) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// waitGoroutines waits until no session's goroutine is left: every
// program, reader and watcher has ended.
func waitGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		left := sessionStacks()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines of sessions left after %s:\n%s", len(left), bound, strings.Join(left, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSessionAsCounter: a registered key gets a terminal, the queue screen
// as its counter, and its keys act as that counter on the hub's store.
func TestSessionAsCounter(t *testing.T) {
	h := newHub(t)
	k := h.addCounter("LOKET-7")
	r := h.register("A", "Siti Aminah")
	h.start()

	tm := h.open(k, nil)
	tm.waitFor("LOKET-7", r.Ticket)
	tm.key("c")
	got := h.waitRequest(r.Ticket, func(r queue.Request) bool { return r.Status == queue.StatusCalled })
	if got.Counter != "LOKET-7" || got.Clerk != "sari" {
		t.Fatalf("called by %q, clerk %q; want LOKET-7, sari (the SSH user)", got.Counter, got.Clerk)
	}
	_, evs, err := h.st.Detail(bg, r.Ticket)
	if err != nil || evs[len(evs)-1].Counter != "LOKET-7" {
		t.Fatalf("the call's event: %+v %v", evs, err)
	}
	// The clerk closes the client: the program ends, nothing stays behind.
	tm.client.Close()
	tm.waitEnd()
	waitGoroutines(t)
	logs := h.log.String()
	fp := gossh.FingerprintSHA256(k.PublicKey())
	for _, want := range []string{"ssh: connection accepted", "ssh: session start", "ssh: session end"} {
		if !strings.Contains(logs, want) || !strings.Contains(logs, "counter=LOKET-7") || !strings.Contains(logs, "key="+fp) {
			t.Errorf("the log lacks %q with the counter and key %s:\n%s", want, fp, logs)
		}
	}
}

// TestRefused: only a counter's registered key, of a counter that is not
// revoked, gets in; every other way fails the handshake, and the log says
// which key and counter were refused.
func TestRefused(t *testing.T) {
	h := newHub(t)
	good := h.addCounter("L1")
	revoked := h.addCounter("L2")
	if _, err := h.st.RevokeCounter(bg, "L2"); err != nil {
		t.Fatal(err)
	}
	stranger, _ := newKey(t)
	h.start()
	pw := gossh.Password("secret")
	ki := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return []string{"secret"}, nil })
	tests := []struct {
		name string
		auth []gossh.AuthMethod
		log  string // in the refusal's log line
	}{
		{"unregistered key", []gossh.AuthMethod{gossh.PublicKeys(stranger)}, "key=" + gossh.FingerprintSHA256(stranger.PublicKey())},
		{"revoked counter's key", []gossh.AuthMethod{gossh.PublicKeys(revoked)}, "counter=L2"},
		// The server offers neither (a client tries only what it is
		// offered): "no supported methods remain".
		{"password", []gossh.AuthMethod{pw}, "ssh: connection refused"},
		{"keyboard-interactive", []gossh.AuthMethod{ki}, "ssh: connection refused"},
		{"no key", nil, "ssh: connection refused"},
		{"every method but the key", []gossh.AuthMethod{gossh.PublicKeys(stranger, revoked), pw, ki}, "counter=L2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := h.dial("sari", tc.auth...)
			if err == nil {
				c.Close()
				t.Fatal("the handshake succeeded")
			}
			if !strings.Contains(err.Error(), "unable to authenticate") {
				t.Fatalf("error %v, want unable to authenticate", err)
			}
			if tc.auth == nil || tc.name == "password" || tc.name == "keyboard-interactive" {
				if !strings.Contains(err.Error(), "attempted methods [none]") || !strings.Contains(err.Error(), "no supported methods remain") {
					t.Fatalf("error %v: the server offered another method than publickey", err)
				}
			}
			deadline := time.Now().Add(bound)
			for !strings.Contains(refusals(h.log.String()), tc.log) {
				if time.Now().After(deadline) {
					t.Fatalf("no refusal with %q in the log:\n%s", tc.log, h.log.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	if strings.Contains(h.log.String(), "connection accepted") {
		t.Fatalf("a connection was accepted:\n%s", h.log.String())
	}
	// The registered key offered after others still opens its counter.
	c, err := h.dial("sari", gossh.PublicKeys(stranger, revoked, good))
	if err != nil {
		t.Fatalf("the registered key after others: %v", err)
	}
	c.Close()
}

// refusals are the log's "connection refused" lines.
func refusals(log string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "connection refused") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestTwoCounters: two sessions at once, each its own counter with its own
// lines; closing the clients ends both programs.
func TestTwoCounters(t *testing.T) {
	h := newHub(t)
	k1 := h.addCounter("L1", "A")
	k2 := h.addCounter("L2", "B")
	a := h.register("A", "Siti Aminah")
	b := h.register("B", "Agus Salim")
	h.start()

	t1, t2 := h.open(k1, nil), h.open(k2, nil)
	t1.waitFor("L1", a.Ticket, b.Ticket)
	t2.waitFor("L2", a.Ticket, b.Ticket)
	t1.waitFor("Waiting: 2")
	// L2 calls first: its line is B, though A's ticket came first.
	t2.key("c")
	got := h.waitRequest(b.Ticket, func(r queue.Request) bool { return r.Status == queue.StatusCalled })
	if got.Counter != "L2" {
		t.Fatalf("%s called by %q, want L2", b.Ticket, got.Counter)
	}
	t1.waitFor("Waiting: 1") // L1's screen shows L2's call: the hub's one store
	t1.key("c")
	got = h.waitRequest(a.Ticket, func(r queue.Request) bool { return r.Status == queue.StatusCalled })
	if got.Counter != "L1" {
		t.Fatalf("%s called by %q, want L1", a.Ticket, got.Counter)
	}
	t1.client.Close()
	t2.client.Close()
	t1.waitEnd()
	t2.waitEnd()
	waitGoroutines(t)
}

// TestRevokedWhileOpen: revoking a counter ends its open session.
func TestRevokedWhileOpen(t *testing.T) {
	h := newHub(t)
	k := h.addCounter("L1")
	h.start()
	tm := h.open(k, nil)
	tm.waitFor("L1")
	if _, err := h.st.RevokeCounter(bg, "L1"); err != nil {
		t.Fatal(err)
	}
	err := tm.waitEnd()
	if s := tm.screen(); !strings.Contains(s, "the counter was revoked") {
		t.Fatalf("the client was not told:\n%s", tail(s))
	}
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
}

// TestShutdown: the hub's context ending ends every session, tells the
// client, and Serve returns.
func TestShutdown(t *testing.T) {
	h := newHub(t)
	k := h.addCounter("L1")
	h.start()
	tm := h.open(k, nil)
	tm.waitFor("L1")
	if err := h.stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	tm.waitEnd()
	if s := tm.screen(); !strings.Contains(s, "shutting down") {
		t.Fatalf("the client was not told:\n%s", tail(s))
	}
	if _, err := h.dial("sari", gossh.PublicKeys(k)); err == nil {
		t.Fatal("a connection after shutdown")
	}
}

// TestNotAScreen: a session without a terminal, or with a command, is
// refused with a message and runs no program; port forwarding is refused.
func TestNotAScreen(t *testing.T) {
	h := newHub(t)
	k := h.addCounter("L1")
	h.start()
	c, err := h.dial("sari", gossh.PublicKeys(k))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tc := range []struct {
		name, cmd, want string
	}{
		{"no terminal", "", "needs a terminal"},
		{"a command", "loket list", "runs no commands"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := c.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			s.Stderr = &out
			if tc.cmd == "" {
				err = s.Shell()
				if err == nil {
					err = s.Wait()
				}
			} else {
				err = s.Run(tc.cmd)
			}
			var exit *gossh.ExitError
			if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(out.String(), tc.want) {
				t.Fatalf("%v, stderr %q; want status 1 and %q", err, out.String(), tc.want)
			}
		})
	}
	if strings.Contains(h.log.String(), "session start") {
		t.Fatalf("a program started:\n%s", h.log.String())
	}
	// A counter's key is no way into the hub's LAN: no forwarding.
	if conn, err := c.Dial("tcp", h.addr); err == nil {
		conn.Close()
		t.Fatal("local port forwarding through the hub")
	}
	if ln, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Fatal("remote port forwarding on the hub")
	}
}

// TestClientTerminal: the session's renderer follows the client's terminal
// (its background), and a terminal that answers no query still gets its
// screen, and its first key.
func TestClientTerminal(t *testing.T) {
	h := newHub(t)
	kLight := h.addCounter("L1")
	kSilent := h.addCounter("L2")
	r := h.register("A", "Siti Aminah")
	h.start()

	light := h.open(kLight, &term{background: "\x1b]11;rgb:ffff/ffff/ffff\x1b\\", attributes: "\x1b[?62;22c"})
	light.waitFor("L1", r.Ticket)
	silent := h.open(kSilent, &term{})
	silent.waitFor("L2", r.Ticket)
	silent.key("c")
	if got := h.waitRequest(r.Ticket, func(r queue.Request) bool { return r.Status == queue.StatusCalled }); got.Counter != "L2" {
		t.Fatalf("called by %q", got.Counter)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.renderers["L1"].HasDarkBackground() {
		t.Error("a light terminal: the renderer thinks it dark")
	}
	if !h.renderers["L2"].HasDarkBackground() {
		t.Error("a terminal that did not say: the renderer should assume dark")
	}
	if p := h.renderers["L1"].ColorProfile(); p != termenv.ANSI256 {
		t.Errorf("xterm-256color: profile %v, want ANSI256", p)
	}
}

// TestHostKey: made once (0600), then the same key on every start; a key
// others may read, or a file that holds no key, is refused and left alone.
func TestHostKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", HostKeyFile)
	s1, created, err := LoadOrCreateHostKey(path)
	if err != nil || !created {
		t.Fatalf("first start: %v %v", created, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %04o", info.Mode().Perm())
	}
	s2, created, err := LoadOrCreateHostKey(path)
	if err != nil || created || !bytes.Equal(s1.PublicKey().Marshal(), s2.PublicKey().Marshal()) {
		t.Fatalf("second start: another key (created %v, %v)", created, err)
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadOrCreateHostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Fatalf("a readable key: %v", err)
		}
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateHostKey(bad); err == nil {
		t.Fatal("a file with no key was taken")
	}
	if b, _ := os.ReadFile(bad); string(b) != "not a key" {
		t.Fatalf("the bad file was replaced: %q", b)
	}
}
