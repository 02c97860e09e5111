// Package sshd serves the counter's terminal UI over SSH from the office
// hub, so that a counter PC with nothing installed but an SSH client works:
// ssh -p 2222 hub. Each session runs one Bubble Tea program, built by the
// caller's NewModel, as the counter whose registered public key opened it
// (store.Counter.SSHKey).
//
// Only a counter's registered key opens a session. Any other key, a revoked
// counter's key, a password, keyboard-interactive and no key at all are
// refused during the handshake. A counter revoked while its session is open
// has its session ended. The host key lives in the hub's data directory
// (LoadOrCreateHostKey), made on the first start.
//
// The server is github.com/charmbracelet/wish's (charmbracelet/ssh over
// golang.org/x/crypto/ssh), with its Bubble Tea helpers for the session's
// lipgloss renderer (colours follow the client's terminal, TERM and
// background) and the program's input and output.
package sshd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	bm "github.com/charmbracelet/wish/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/loket-id/loket/store"
)

// Server serves the counters' terminal UI over SSH.
type Server struct {
	// Store is the hub's database: the counters' registry and the queue.
	Store *store.Store
	// HostKeyPath is the host key's file (see LoadOrCreateHostKey),
	// usually <data dir>/ssh_host_ed25519_key.
	HostKeyPath string
	// Addr is where ListenAndServe listens, e.g. ":2222".
	Addr string
	// NewModel builds the program of one session: counter c's, on session
	// s, with the session's renderer r (give it to the model's styles:
	// tui.Options.Renderer). ctx ends with the session. A model with a
	// Close method (tui.Model) is closed when its program ends. An error
	// ends the session, telling the client.
	NewModel func(ctx context.Context, c store.Counter, s ssh.Session, r *lipgloss.Renderer) (tea.Model, error)
	// Log gets connections accepted and refused (the counter's code and
	// the key's SHA256 fingerprint) and sessions' starts and ends; nil:
	// slog.Default().
	Log *slog.Logger
	// HandshakeTimeout bounds the time from a connection to its
	// authentication; 0 means 30 seconds.
	HandshakeTimeout time.Duration
	// ShutdownGrace is how long, once ctx ends, the sessions' programs have
	// to end and restore their clients' terminals before the connections
	// are cut; 0 means 5 seconds.
	ShutdownGrace time.Duration

	mu       sync.Mutex
	closed   bool
	sessions sync.WaitGroup
	conns    map[string]*connState // by remote address, until authenticated or failed
}

// colorQueryTimeout bounds the wait for the client terminal's answer to
// the background colour query (wish's own waits a second).
const colorQueryTimeout = time.Second

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// ListenAndServe listens on s.Addr and serves until ctx ends.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("ssh: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves connections on ln until ctx ends, then ends every session's
// program (each restores its client's terminal), waits up to ShutdownGrace
// for the clients to go, cuts the rest and returns nil once every session
// has ended. It closes ln. An error is the listener's or the host key's.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	defer ln.Close()
	if s.Store == nil || s.NewModel == nil {
		return errors.New("ssh: a server needs a Store and a NewModel")
	}
	signer, created, err := LoadOrCreateHostKey(s.HostKeyPath)
	if err != nil {
		return err
	}
	if created {
		s.log().Info("ssh: host key made", "path", s.HostKeyPath)
	}
	s.mu.Lock()
	s.closed = false
	s.conns = map[string]*connState{}
	s.mu.Unlock()

	srv := &ssh.Server{
		Handler:                  s.handler(ctx),
		PublicKeyHandler:         s.publicKey,
		ConnCallback:             s.connected,
		ConnectionFailedCallback: s.failed,
		ServerConfigCallback: func(sctx ssh.Context) *gossh.ServerConfig {
			return &gossh.ServerConfig{AuthLogCallback: s.authLog(sctx)}
		},
	}
	// No password, no keyboard-interactive: with a public key handler set
	// and neither of those, a client without a registered key gets nothing.
	// The terminal is emulated on every platform: the program reads and
	// writes the session itself, and gets every window change.
	for _, opt := range []ssh.Option{ssh.EmulatePty()} {
		if err := srv.SetOption(opt); err != nil {
			return fmt.Errorf("ssh: %w", err)
		}
	}
	srv.AddHostKey(signer)
	s.log().Info("ssh: serving the counters' screens", "addr", ln.Addr().String(),
		"host_key", gossh.FingerprintSHA256(signer.PublicKey()))

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
	}
	// Shut down: no new sessions; the open ones' programs end on ctx
	// (restoring their clients' terminals) and tell their clients why.
	// Once they have, or after the grace, every connection is cut.
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	_ = ln.Close()
	grace := s.ShutdownGrace
	if grace <= 0 {
		grace = 5 * time.Second
	}
	ended := make(chan struct{})
	go func() { s.sessions.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(grace):
		s.log().Warn("ssh: sessions still open after the grace: cutting them", "grace", grace)
	}
	_ = srv.Close()
	if ctx.Err() != nil {
		<-served
	}
	s.sessions.Wait()
	if serveErr != nil && !errors.Is(serveErr, ssh.ErrServerClosed) {
		return fmt.Errorf("ssh: serve %s: %w", ln.Addr(), serveErr)
	}
	s.log().Info("ssh: stopped", "addr", ln.Addr().String())
	return nil
}

// connState is what the server knows of one connection before it is
// authenticated: the last key it tried, for the log.
type connState struct {
	remote  string
	authed  atomic.Bool
	timer   *time.Timer
	mu      sync.Mutex
	key     string // SHA256 fingerprint of the last key tried
	counter string // the counter that key names, if any
	reason  string // why the last attempt was refused
	methods []string
}

type ctxKey struct{ name string }

var stateKey = &ctxKey{"loket-sshd-conn"}

func stateOf(ctx ssh.Context) *connState {
	st, _ := ctx.Value(stateKey).(*connState)
	return st
}

// connected starts a connection's handshake clock.
func (s *Server) connected(ctx ssh.Context, conn net.Conn) net.Conn {
	st := &connState{remote: conn.RemoteAddr().String()}
	d := s.HandshakeTimeout
	if d <= 0 {
		d = 30 * time.Second
	}
	st.timer = time.AfterFunc(d, func() {
		if !st.authed.Load() {
			s.log().Warn("ssh: connection refused: no authentication in time", "remote", st.remote, "after", d)
			_ = conn.Close()
		}
	})
	ctx.SetValue(stateKey, st)
	s.mu.Lock()
	if s.conns != nil {
		s.conns[st.remote] = st
	}
	s.mu.Unlock()
	return conn
}

func (s *Server) forget(remote string) *connState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.conns[remote]
	delete(s.conns, remote)
	return st
}

// failed logs a connection whose handshake failed: refused, or cut.
func (s *Server) failed(conn net.Conn, err error) {
	st := s.forget(conn.RemoteAddr().String())
	if st == nil {
		s.log().Warn("ssh: connection refused", "remote", conn.RemoteAddr().String(), "err", err)
		return
	}
	st.timer.Stop()
	st.mu.Lock()
	defer st.mu.Unlock()
	attrs := []any{"remote", st.remote, "err", err}
	if st.key != "" {
		attrs = append(attrs, "key", st.key, "reason", st.reason)
	}
	if st.counter != "" {
		attrs = append(attrs, "counter", st.counter)
	}
	if len(st.methods) > 0 {
		attrs = append(attrs, "methods", st.methods)
	}
	s.log().Warn("ssh: connection refused", attrs...)
}

// publicKey lets in the registered key of a counter that is not revoked.
// x/crypto/ssh calls it for each key the client offers, before the client
// proves it holds the key; the key the connection ends up authenticated
// with is the one the session reports, and the session looks its counter
// up again from it.
func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	if key == nil {
		return false
	}
	fp := gossh.FingerprintSHA256(key)
	c, err := s.Store.CounterBySSHKey(ctx, key.Marshal())
	reason := ""
	switch {
	case err == nil:
	case errors.Is(err, store.ErrUnknownSSHKey):
		reason = "no counter has this key"
	case errors.Is(err, store.ErrRevoked):
		reason = "the counter is revoked"
	default:
		reason = err.Error()
		s.log().Error("ssh: counter lookup", "key", fp, "err", err)
	}
	if st := stateOf(ctx); st != nil {
		st.mu.Lock()
		st.key, st.counter, st.reason = fp, c.Code, reason
		st.mu.Unlock()
	}
	return err == nil
}

// authLog logs each authentication attempt of a connection; the one that
// succeeds is the connection's acceptance.
func (s *Server) authLog(ctx ssh.Context) func(gossh.ConnMetadata, string, error) {
	return func(conn gossh.ConnMetadata, method string, err error) {
		st := stateOf(ctx)
		if st == nil {
			return
		}
		st.mu.Lock()
		key, counter, reason := st.key, st.counter, st.reason
		if method != "none" {
			st.methods = append(st.methods, method)
		}
		st.mu.Unlock()
		switch {
		case err == nil:
			st.authed.Store(true)
			st.timer.Stop()
			s.forget(st.remote)
			s.log().Info("ssh: connection accepted", "counter", counter, "key", key, "remote", st.remote, "user", conn.User())
		case method == "publickey":
			s.log().Debug("ssh: key refused", "key", key, "counter", counter, "reason", reason, "remote", st.remote)
		case method == "none":
		default:
			s.log().Debug("ssh: method refused: only a counter's registered key opens a session", "method", method, "remote", st.remote)
		}
	}
}

// holds reports whether c is registered with key.
func holds(c store.Counter, key ssh.PublicKey) bool {
	k, _, _, _, err := gossh.ParseAuthorizedKey([]byte(c.SSHKey))
	return err == nil && bytes.Equal(k.Marshal(), key.Marshal())
}

// begin counts a session in, unless the server is shutting down.
func (s *Server) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.sessions.Add(1)
	return true
}

// refuse ends a session with a message to the client.
func refuse(sess ssh.Session, msg string) {
	_, _ = fmt.Fprintf(sess.Stderr(), "loket: %s\r\n", msg)
	_ = sess.Exit(1)
}

// handler runs one session: counter c's program until it ends, the client
// goes, the counter is revoked or ctx (the server's) ends.
func (s *Server) handler(ctx context.Context) ssh.Handler {
	return func(sess ssh.Session) {
		if !s.begin() {
			refuse(sess, "the hub is shutting down")
			return
		}
		defer s.sessions.Done()
		remote := sess.RemoteAddr().String()
		defer func() {
			if v := recover(); v != nil {
				s.log().Error("ssh: session panicked", "remote", remote, "panic", v)
				refuse(sess, "internal error")
			}
		}()
		key := sess.PublicKey()
		if key == nil { // cannot happen: no other way in
			refuse(sess, "no key")
			return
		}
		fp := gossh.FingerprintSHA256(key)
		// The counter again, from the key the connection was authenticated
		// with, as it is now.
		c, err := s.Store.CounterBySSHKey(sess.Context(), key.Marshal())
		if err != nil {
			s.log().Warn("ssh: session refused", "key", fp, "counter", c.Code, "remote", remote, "err", err)
			refuse(sess, "this key opens no counter")
			return
		}
		log := s.log().With("counter", c.Code, "key", fp, "remote", remote)
		if len(sess.RawCommand()) > 0 || sess.Subsystem() != "" {
			log.Warn("ssh: session refused: a command", "subsystem", sess.Subsystem())
			refuse(sess, "the hub runs no commands over SSH: connect with ssh -p PORT HUB, nothing after")
			return
		}
		pty, winCh, ok := sess.Pty()
		if !ok {
			log.Warn("ssh: session refused: no terminal")
			refuse(sess, "the counter screen needs a terminal: connect with ssh -t")
			return
		}
		sctx, cancel := context.WithCancel(sess.Context())
		defer cancel()
		stop := context.AfterFunc(ctx, cancel)
		defer stop()

		in := newInput(sess)
		defer in.close()
		r := bm.MakeRenderer(querySession{Session: sess, in: in, until: time.After(colorQueryTimeout)})
		m, err := s.NewModel(sctx, c, sess, r)
		if err != nil {
			log.Error("ssh: session refused: the screen could not be built", "err", err)
			refuse(sess, "the counter screen could not be opened; the hub's log says why")
			return
		}
		start := time.Now()
		log.Info("ssh: session start", "term", pty.Term, "width", pty.Window.Width, "height", pty.Window.Height)
		p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(sess), tea.WithContext(sctx),
			tea.WithAltScreen(), tea.WithoutSignalHandler())

		var why atomic.Value // why the session ended, when not the clerk's q
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { // window changes
			defer wg.Done()
			for {
				select {
				case <-sctx.Done():
					return
				case w, ok := <-winCh:
					if !ok {
						return
					}
					p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
				}
			}
		}()
		go func() { // the counter's revocation
			defer wg.Done()
			changes, unsubscribe := s.Store.Subscribe()
			defer unsubscribe()
			for {
				select {
				case <-sctx.Done():
					return
				case <-changes:
				}
				// By its code (an index), not by its key (a scan).
				now, err := s.Store.Counter(sctx, c.Code)
				if sctx.Err() != nil {
					return
				}
				if err != nil || now.Revoked() || !holds(now, key) {
					why.Store("the counter was revoked")
					log.Warn("ssh: the counter's key no longer opens it: session ended", "err", err)
					cancel()
					return
				}
			}
		}()

		final, err := p.Run()
		cancel()
		wg.Wait()
		if cl, ok := final.(interface{ Close() }); ok {
			cl.Close()
		} else if cl, ok := final.(io.Closer); ok {
			_ = cl.Close()
		}
		ended := "the program ended"
		switch {
		case why.Load() != nil:
			ended = why.Load().(string)
		case ctx.Err() != nil:
			ended = "the hub is shutting down"
		case sess.Context().Err() != nil:
			ended = "the client left"
		case err != nil && !errors.Is(err, tea.ErrProgramKilled):
			ended = "error: " + err.Error()
		}
		log.Info("ssh: session end", "after", time.Since(start).Round(time.Millisecond), "why", ended)
		if why.Load() != nil || ctx.Err() != nil {
			refuse(sess, ended)
			return
		}
		_ = sess.Exit(0)
	}
}
