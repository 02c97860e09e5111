// Package hub is the office hub: one process on one office PC that holds
// the office's database (package store, with the queue's rules of package
// queue) and serves every counter of the office over the LAN, with the
// protocol of PROTOCOL.md. The counters' side is package hubclient.
//
// The hub does not sync to the central server itself: the program that
// runs it runs the syncer on the same store, as a counter does.
package hub

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// Options configure a Server.
type Options struct {
	// CertFile and KeyFile, when set, make Serve answer TLS only.
	CertFile, KeyFile string
	// TLSConfig, when set, is used by Serve for TLS (with or without the
	// files above).
	TLSConfig *tls.Config
	// CatalogCounters are the counters allowed to replace the service
	// catalog (PUT /v1/catalog); none by default.
	CatalogCounters []string
	// Heartbeat is how often an idle change stream sends a comment; zero
	// means 15 s.
	Heartbeat time.Duration
	// WriteTimeout bounds writing one answer, and one message of a change
	// stream; zero means 30 s. ReadTimeout bounds reading a request; zero
	// means 30 s.
	WriteTimeout, ReadTimeout time.Duration
	// Pages, when set, answers /board… and /kiosk… on the same server: the
	// waiting room's pages (package waitingroom), with their own device
	// tokens. Their event streams (Accept: text/event-stream) get the
	// change stream's deadlines: none to read, WriteTimeout per flush.
	Pages http.Handler
}

// Server serves an office's queue to its counters.
type Server struct {
	st  *store.Store
	log *slog.Logger
	opt Options

	closeOnce sync.Once
	closing   chan struct{} // closed: change streams end

	mu   sync.Mutex
	addr net.Addr

	replays erasureReplays // answered purge and forget keys (erase.go)
}

// New returns a server of st. A nil logger means slog.Default().
func New(st *store.Store, log *slog.Logger, opt Options) *Server {
	if log == nil {
		log = slog.Default()
	}
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = 15 * time.Second
	}
	if opt.WriteTimeout <= 0 {
		opt.WriteTimeout = 30 * time.Second
	}
	if opt.ReadTimeout <= 0 {
		opt.ReadTimeout = 30 * time.Second
	}
	return &Server{st: st, log: log, opt: opt, closing: make(chan struct{})}
}

// Addr is the address Serve listens on (nil before Serve).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// CloseStreams ends every change stream (their clients reconnect). Serve
// does it when it shuts down; a test serving Handler itself calls it
// before closing its server.
func (s *Server) CloseStreams() { s.closeOnce.Do(func() { close(s.closing) }) }

// Serve answers on ln until ctx ends, then shuts down: change streams end,
// calls under way finish (a write transaction is never cut), and Serve
// returns. With a certificate (Options) it serves TLS.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	s.addr = ln.Addr()
	s.mu.Unlock()
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       s.opt.ReadTimeout,
		WriteTimeout:      s.opt.WriteTimeout, // the change stream extends its own per message
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		TLSConfig:         s.opt.TLSConfig,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	srv.RegisterOnShutdown(s.CloseStreams)
	errc := make(chan error, 1)
	go func() {
		if s.opt.CertFile != "" || s.opt.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, s.opt.CertFile, s.opt.KeyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	s.log.Info("hub listening", "addr", ln.Addr().String(), "tls", s.opt.CertFile != "" || s.opt.TLSConfig != nil)
	select {
	case err := <-errc:
		s.CloseStreams()
		return fmt.Errorf("hub: serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("hub: shut down: %w", err)
	}
	return nil
}

// Handler is the protocol's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /v1/hello", s.authed(s.hello))
	mux.HandleFunc("POST /v1/requests", s.authed(s.register))
	mux.HandleFunc("POST /v1/call", s.authed(s.call))
	mux.HandleFunc("POST /v1/requests/{ref}/actions", s.authed(s.act))
	mux.HandleFunc("POST /v1/requests/{ref}/identify", s.authed(s.identify))
	mux.HandleFunc("POST /v1/close-day", s.authed(s.closeDay))
	mux.HandleFunc("POST /v1/purge", s.authed(s.purge))
	mux.HandleFunc("POST /v1/forget", s.authed(s.forget))
	mux.HandleFunc("PUT /v1/catalog", s.authed(s.replaceCatalog))
	mux.HandleFunc("GET /v1/requests/{ref}", s.authed(s.get))
	mux.HandleFunc("GET /v1/requests/{ref}/history", s.authed(s.detail))
	mux.HandleFunc("GET /v1/queue", s.authed(s.dayQueue))
	mux.HandleFunc("GET /v1/find", s.authed(s.find))
	mux.HandleFunc("GET /v1/services", s.authed(s.services))
	mux.HandleFunc("GET /v1/between", s.authed(s.between))
	mux.HandleFunc("GET /v1/changes", s.authed(s.changes))
	if s.opt.Pages != nil {
		pages := s.streamDeadlines(s.opt.Pages)
		for _, p := range []string{"/board", "/board/", "/kiosk", "/kiosk/", "/survey", "/survey/"} {
			mux.Handle(p, pages)
		}
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, ErrorInfo{Code: CodeNoEndpoint, Message: "no such endpoint: " + r.Method + " " + r.URL.Path})
	})
	return s.recoverer(mux)
}

// streamDeadlines gives an event stream of next the deadlines of the
// change stream: the read deadline lifted (its expiry would cancel the
// request), the write deadline moved on by WriteTimeout at every flush,
// and the end of the stream when the server shuts down.
func (s *Server) streamDeadlines(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Now().Add(s.opt.WriteTimeout))
		// It ends when the server shuts down, as change streams do (else
		// the shutdown would wait for it).
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		go func() {
			select {
			case <-s.closing:
				cancel()
			case <-ctx.Done():
			}
		}()
		next.ServeHTTP(&deadlineWriter{ResponseWriter: w, rc: rc, d: s.opt.WriteTimeout}, r.WithContext(ctx))
	})
}

// deadlineWriter moves its write deadline on at every flush.
type deadlineWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
	d  time.Duration
}

func (w *deadlineWriter) FlushError() error {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.d))
	return w.rc.Flush()
}

func (w *deadlineWriter) Flush() { _ = w.FlushError() }

func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, e ErrorInfo) {
	writeJSON(w, status, ErrorBody{Error: e})
}

// recoverer turns a panic into a 500 and a log line, never a dropped
// connection. A panic inside a write transaction rolled it back.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("hub: panic in handler", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				writeError(w, http.StatusInternalServerError, ErrorInfo{Code: CodeInternal, Message: "internal error; nothing was saved"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type counterHandler func(w http.ResponseWriter, r *http.Request, c store.Counter)

// authed finds the counter of the bearer token (the token is never
// logged) and answers 401 without one.
func (s *Server) authed(h counterHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			writeError(w, http.StatusUnauthorized, ErrorInfo{Code: CodeUnauthorized, Message: "missing bearer token"})
			return
		}
		c, err := s.st.AuthenticateCounter(r.Context(), token)
		switch {
		case errors.Is(err, store.ErrRevoked):
			s.log.Warn("hub: revoked counter token used", "remote", r.RemoteAddr, "path", r.URL.Path)
			writeError(w, http.StatusUnauthorized, ErrorInfo{Code: CodeUnauthorized, Message: "counter token revoked"})
			return
		case errors.Is(err, store.ErrUnknownToken):
			s.log.Warn("hub: unknown counter token", "remote", r.RemoteAddr, "path", r.URL.Path)
			writeError(w, http.StatusUnauthorized, ErrorInfo{Code: CodeUnauthorized, Message: "unknown counter token"})
			return
		case err != nil:
			s.fail(w, r, err)
			return
		}
		start := time.Now()
		h(w, r, c)
		if r.Method != http.MethodGet {
			// The path names a ticket, tracking code or ID at most; the
			// query (a search text can be a NIK) is never logged.
			s.log.Debug("hub: call", "counter", c.Code, "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
		}
	}
}

// fail answers err as the protocol's error: the queue's errors by their
// sentinel, with the field or transition they name.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var fe *queue.FieldError
	var te *queue.TransitionError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, ErrorInfo{Code: CodeTooLarge, Message: fmt.Sprintf("body over %d bytes", mbe.Limit)})
	case errors.As(err, &te):
		writeError(w, http.StatusUnprocessableEntity, ErrorInfo{Code: CodeTransition, Message: te.Error(),
			Ticket: te.Ticket, Status: string(te.Status), Action: string(te.Action)})
	case errors.As(err, &fe):
		writeError(w, http.StatusUnprocessableEntity, ErrorInfo{Code: CodeInvalid, Message: fe.Error(),
			Field: fe.Field, Rule: fe.Code, Reason: fe.Reason})
	case errors.Is(err, queue.ErrInvalid):
		writeError(w, http.StatusUnprocessableEntity, ErrorInfo{Code: CodeInvalid, Message: err.Error()})
	case errors.Is(err, store.ErrKeyReused):
		writeError(w, http.StatusConflict, ErrorInfo{Code: CodeKeyMismatch, Message: err.Error()})
	case errors.Is(err, queue.ErrConflict):
		writeError(w, http.StatusConflict, ErrorInfo{Code: CodeConflict, Message: err.Error()})
	case errors.Is(err, queue.ErrQueueEmpty):
		writeError(w, http.StatusNotFound, ErrorInfo{Code: CodeQueueEmpty, Message: err.Error()})
	case errors.Is(err, queue.ErrNotFound):
		writeError(w, http.StatusNotFound, ErrorInfo{Code: CodeNotFound, Message: err.Error()})
	case errors.Is(err, store.ErrDamaged):
		s.log.Error("hub: database damaged", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusServiceUnavailable, ErrorInfo{Code: CodeDamaged, Message: err.Error()})
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, ErrorInfo{Code: CodeUnavailable, Message: "cancelled; nothing was saved"})
	default:
		s.log.Error("hub: call failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, ErrorInfo{Code: CodeInternal, Message: "internal error; nothing was saved"})
	}
}

func badRequest(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusBadRequest, ErrorInfo{Code: CodeBadRequest, Message: msg})
}

// readBody decodes one JSON object of at most limit bytes into v,
// refusing unknown fields and anything after it. A body cut short (the
// connection ended before its Content-Length) is CodeIncomplete: the
// client may send it again. It answers the error itself and reports false.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.fail(w, r, err)
		} else {
			writeError(w, http.StatusBadRequest, ErrorInfo{Code: CodeIncomplete, Message: "the body was cut short; nothing was done"})
		}
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("more than one JSON value")
		}
	}
	if err != nil {
		badRequest(w, "malformed body: "+err.Error())
		return false
	}
	return true
}

// key is the call's idempotency key; it answers the error itself.
func key(w http.ResponseWriter, r *http.Request) (string, bool) {
	k := r.Header.Get(HeaderKey)
	if k == "" {
		writeError(w, http.StatusBadRequest, ErrorInfo{Code: CodeKeyRequired, Message: "a mutating call needs an " + HeaderKey + " header"})
		return "", false
	}
	if store.ValidateKey(k) != nil {
		writeError(w, http.StatusBadRequest, ErrorInfo{Code: CodeBadKey, Message: HeaderKey + " is not a ULID"})
		return "", false
	}
	return k, true
}

// mutation reads what every mutating call starts with: its idempotency
// key, its body (at most limit bytes, into b) and who acts (the token's
// counter and the clerk the body names, read from *clerk once b is read).
// It answers an error itself and returns false.
func (s *Server) mutation(w http.ResponseWriter, r *http.Request, c store.Counter, limit int64, b any, clerk *string) (string, queue.Actor, bool) {
	k, ok := key(w, r)
	if !ok || !s.readBody(w, r, limit, b) {
		return "", queue.Actor{}, false
	}
	by, ok := actor(w, c, *clerk)
	return k, by, ok
}

// actor is who acts: the counter of the token, and the clerk it names.
func actor(w http.ResponseWriter, c store.Counter, clerk string) (queue.Actor, bool) {
	clerk = strings.TrimSpace(clerk)
	bad := len(clerk) > MaxClerk
	for _, r := range clerk {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			bad = true
		}
	}
	if bad {
		writeError(w, http.StatusUnprocessableEntity, ErrorInfo{Code: CodeInvalid, Field: "clerk", Rule: "text",
			Reason: fmt.Sprintf("at most %d characters, no control characters", MaxClerk), Message: "clerk: not a name"})
		return queue.Actor{}, false
	}
	return queue.Actor{Counter: c.Code, Clerk: clerk}, true
}

func (s *Server) answerRequest(w http.ResponseWriter, r queue.Request, again bool) {
	if again {
		w.Header().Set(HeaderReplayed, "true")
	}
	writeJSON(w, http.StatusOK, RequestAnswer{Request: r, Again: again})
}

func (s *Server) hello(w http.ResponseWriter, r *http.Request, c store.Counter) {
	var last uint64
	if err := s.st.View(r.Context(), func(tx *store.Tx) error { last = tx.LastSeq(); return nil }); err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.st.Now().In(s.st.Location())
	_, off := now.Zone()
	zone := s.st.Location().String()
	if zone == "Local" {
		zone = ""
	}
	writeJSON(w, http.StatusOK, Hello{StationID: s.st.StationID(), Epoch: s.st.Epoch(), TimeZone: zone, UTCOffset: off,
		Now: now, Today: s.st.DayOf(now), LastSeq: last,
		Counter: CounterInfo{Code: c.Code, Name: c.Name, Services: c.Services, Printer: c.Printer}})
}

func (s *Server) register(w http.ResponseWriter, r *http.Request, c store.Counter) {
	var b RegisterBody
	k, by, ok := s.mutation(w, r, c, MaxBody, &b, &b.Clerk)
	if !ok {
		return
	}
	in := queue.NewRequest{Service: b.Service, Name: b.Name, NIK: b.NIK, Phone: b.Phone, Notes: b.Notes, Priority: queue.Priority(b.Priority)}
	req, again, err := s.st.RegisterOnce(r.Context(), k, in, by)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.answerRequest(w, req, again)
}

func (s *Server) call(w http.ResponseWriter, r *http.Request, c store.Counter) {
	var b CallBody
	k, by, ok := s.mutation(w, r, c, MaxBody, &b, &b.Clerk)
	if !ok {
		return
	}
	services := b.Services
	if len(services) == 0 {
		services = c.Services // the counter's lines; none registered: every line
	}
	for _, svc := range services {
		if err := queue.ValidateServiceCode(strings.ToUpper(strings.TrimSpace(svc))); err != nil {
			s.fail(w, r, queue.Invalid("services", fmt.Sprintf("%q is not a service code", svc)))
			return
		}
	}
	req, again, err := s.st.CallNextOnce(r.Context(), k, services, by)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.answerRequest(w, req, again)
}

func (s *Server) act(w http.ResponseWriter, r *http.Request, c store.Counter) {
	var b ActBody
	k, by, ok := s.mutation(w, r, c, MaxBody, &b, &b.Clerk)
	if !ok {
		return
	}
	act := queue.Action(b.Action)
	if !act.Valid() {
		s.fail(w, r, queue.Invalid("action", fmt.Sprintf("unknown action %q", b.Action)))
		return
	}
	req, again, err := s.st.ActOnce(r.Context(), k, r.PathValue("ref"), act, b.Service, by)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.answerRequest(w, req, again)
}

// identify gives a walk-in registered without identity (a kiosk's) the
// applicant's name, NIK and phone, validated as at registration.
func (s *Server) identify(w http.ResponseWriter, r *http.Request, c store.Counter) {
	var b IdentifyBody
	k, by, ok := s.mutation(w, r, c, MaxBody, &b, &b.Clerk)
	if !ok {
		return
	}
	id := queue.Identity{Name: b.Name, NIK: b.NIK, Phone: b.Phone}
	req, again, err := s.st.Identify(r.Context(), k, r.PathValue("ref"), id, by)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.answerRequest(w, req, again)
}

// closeDay closes a day's open requests (store.CloseDay). It carries a key
// as every mutating call does, but is not recorded under it: closing again
// closes nothing more, so a retry after a lost answer is safe and answers
// what is left (the requests being served).
func (s *Server) closeDay(w http.ResponseWriter, r *http.Request, c store.Counter) {
	var b CloseDayBody
	_, by, ok := s.mutation(w, r, c, MaxBody, &b, &b.Clerk)
	if !ok {
		return
	}
	as, err := queue.ParseStatus(b.As)
	if err != nil {
		s.fail(w, r, queue.Invalid("as", fmt.Sprintf("%q is not no_show or cancelled", b.As)))
		return
	}
	var dc queue.DayClose
	if b.DryRun {
		dc, err = s.st.CloseDayDryRun(r.Context(), b.Day, as)
	} else {
		dc, err = s.st.CloseDay(r.Context(), b.Day, as, by)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, CloseDayAnswer{Day: dc.Day, As: string(dc.As), Closed: dc.Closed, Serving: dc.Serving, DryRun: b.DryRun})
}

func (s *Server) replaceCatalog(w http.ResponseWriter, r *http.Request, c store.Counter) {
	if !slices.Contains(s.opt.CatalogCounters, c.Code) {
		writeError(w, http.StatusForbidden, ErrorInfo{Code: CodeForbidden, Message: "counter " + c.Code + " may not replace the office's catalog"})
		return
	}
	var b CatalogBody
	k, by, ok := s.mutation(w, r, c, MaxCatalogBody, &b, &b.Clerk)
	if !ok {
		return
	}
	out, again, err := s.st.ReplaceCatalogOnce(r.Context(), k, b.Services, by)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if again {
		w.Header().Set(HeaderReplayed, "true")
	}
	writeJSON(w, http.StatusOK, CatalogAnswer{Services: out, Again: again})
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, _ store.Counter) {
	req, err := s.st.Get(r.Context(), r.PathValue("ref"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, RequestAnswer{Request: req})
}

func (s *Server) detail(w http.ResponseWriter, r *http.Request, _ store.Counter) {
	req, events, err := s.st.Detail(r.Context(), r.PathValue("ref"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, DetailAnswer{Request: req, Events: events})
}

// day is the query's day (today when absent); it answers the error itself.
func day(w http.ResponseWriter, r *http.Request, name, dflt string) (string, bool) {
	d := r.URL.Query().Get(name)
	if d == "" {
		return dflt, true
	}
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		writeError(w, http.StatusBadRequest, ErrorInfo{Code: CodeBadRequest, Field: name, Message: fmt.Sprintf("%s: %q is not a date YYYY-MM-DD", name, d)})
		return "", false
	}
	return d, true
}

func (s *Server) dayQueue(w http.ResponseWriter, r *http.Request, _ store.Counter) {
	d, ok := day(w, r, "day", s.st.Today())
	if !ok {
		return
	}
	ans := QueueAnswer{Day: d, Requests: []queue.Request{}}
	err := s.st.View(r.Context(), func(tx *store.Tx) error {
		ans.LastSeq = tx.LastSeq()
		rs, err := tx.Day(d)
		if rs != nil {
			ans.Requests = rs
		}
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ans)
}

func (s *Server) find(w http.ResponseWriter, r *http.Request, _ store.Counter) {
	q := r.URL.Query()
	text := q.Get("q")
	if len(text) > MaxFindText {
		badRequest(w, fmt.Sprintf("q: longer than %d bytes", MaxFindText))
		return
	}
	limit := 50
	if l := q.Get("limit"); l != "" {
		if _, err := fmt.Sscanf(l, "%d", &limit); err != nil || limit < 1 || limit > MaxFindLimit || fmt.Sprint(limit) != l {
			badRequest(w, fmt.Sprintf("limit: %q is not a number from 1 to %d", l, MaxFindLimit))
			return
		}
	}
	rs, err := s.st.Find(r.Context(), text, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rs == nil {
		rs = []queue.Request{}
	}
	writeJSON(w, http.StatusOK, FindAnswer{Requests: rs})
}

func (s *Server) services(w http.ResponseWriter, r *http.Request, _ store.Counter) {
	svcs, err := s.st.Services(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, CatalogAnswer{Services: svcs})
}

// between streams the requests of a range of days, one JSON line each,
// then an end line with the count: an answer cut short has no end line.
func (s *Server) between(w http.ResponseWriter, r *http.Request, _ store.Counter) {
	from, ok := day(w, r, "from", "")
	if !ok {
		return
	}
	to, ok := day(w, r, "to", "")
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	n := 0
	started := false
	err := s.st.Between(r.Context(), from, to, func(req queue.Request) error {
		if !started {
			started = true
			w.WriteHeader(http.StatusOK)
		}
		if n%100 == 0 {
			_ = rc.SetWriteDeadline(time.Now().Add(s.opt.WriteTimeout))
		}
		n++
		return enc.Encode(BetweenLine{Request: &req})
	})
	if err != nil {
		if !started {
			s.fail(w, r, err)
		}
		return // cut short: no end line, the client knows
	}
	_ = enc.Encode(BetweenLine{End: true, Count: n})
}
