package central

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/sync/protocol"
)

// Server answers the sync protocol over HTTP.
type Server struct {
	Storage Storage
	Log     *slog.Logger
	Now     func() time.Time
	// Location is the offices' time zone, for days and hours in statistics.
	Location *time.Location
	// Rate and Burst limit each station's requests; zero means 100/s, burst
	// 200: far above a real sync (250 events a request), low enough that a
	// broken or hostile client cannot monopolise the server.
	Rate  rate.Limit
	Burst int
	// SurveyRate and SurveyBurst limit each client address on the survey
	// pages (/skm); zero means one every 3 seconds, burst 20.
	SurveyRate  rate.Limit
	SurveyBurst int
	// TrackRate and TrackBurst limit the tracking lookups of each client
	// address (track.go); zero means DefaultTrackRate a minute, burst
	// DefaultTrackBurst.
	TrackRate  rate.Limit
	TrackBurst int

	mu           sync.Mutex
	limiters     map[string]*rate.Limiter
	surveyLimits *addrLimits
	trackLimits  *addrLimits
}

// Handler is the HTTP handler of the protocol.
func (s *Server) Handler() http.Handler {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	// Version 2, and version 1 for counters not yet upgraded: the same
	// handlers, a v1 batch converted on arrival (protocol.UpgradeV1) and a
	// v1 history given without the personal parts v1 does not know.
	for _, v := range []struct {
		prefix string
		v1     bool
	}{{protocol.Prefix, false}, {protocol.PrefixV1, true}} {
		mux.HandleFunc("GET "+v.prefix+"/sync/state", s.authed(s.state))
		mux.HandleFunc("POST "+v.prefix+"/sync/events", s.authed(func(w http.ResponseWriter, r *http.Request, st Station) { s.events(w, r, st, v.v1) }))
		mux.HandleFunc("GET "+v.prefix+"/sync/events", s.authed(func(w http.ResponseWriter, r *http.Request, st Station) { s.history(w, r, st, v.v1) }))
		mux.HandleFunc("GET "+v.prefix+"/catalog", s.authed(s.catalog))
		mux.HandleFunc("GET "+v.prefix+"/stats", s.stats)
		mux.HandleFunc("GET "+v.prefix+"/track/{code}", s.trackJSON)
	}
	mux.HandleFunc("GET /skm", s.skmStart)
	mux.HandleFunc("GET /skm/{code}", s.skmForm)
	mux.HandleFunc("POST /skm/{code}", s.skmAnswer)
	// The applicant's tracking pages (track.go): no login, read-only.
	mux.HandleFunc("GET /lacak", s.trackForm)
	mux.HandleFunc("GET /lacak/{code}", s.trackAnswer)
	mux.HandleFunc("POST /lacak/{code}", s.trackAnswer)
	mux.HandleFunc("GET /lacak/assets/{file}", s.trackAsset)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, protocol.Error{Code: protocol.CodeNotFound, Message: "no such endpoint: " + r.Method + " " + r.URL.Path})
	})
	return s.recoverer(mux)
}

// NewHTTPServer is an http.Server with every timeout set.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 16 << 10}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, e protocol.Error) { writeJSON(w, status, e) }

// recoverer turns a panic into a 500 and a log line: never a dropped connection.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				s.Log.Error("panic in handler", "path", r.URL.Path, "panic", fmt.Sprint(v))
				writeError(w, http.StatusInternalServerError, protocol.Error{Code: protocol.CodeInternal, Message: "internal error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type stationHandler func(w http.ResponseWriter, r *http.Request, st Station)

// authed finds the station of the bearer token (never logged), and limits
// its request rate.
func (s *Server) authed(h stationHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			writeError(w, http.StatusUnauthorized, protocol.Error{Code: protocol.CodeUnauthorized, Message: "missing bearer token"})
			return
		}
		st, err := s.Storage.Authenticate(token)
		switch {
		case errors.Is(err, ErrRevoked):
			s.Log.Warn("revoked token used", "station", st.Key, "remote", r.RemoteAddr)
			writeError(w, http.StatusUnauthorized, protocol.Error{Code: protocol.CodeUnauthorized, Message: "token revoked"})
			return
		case errors.Is(err, ErrUnknownToken), errors.Is(err, ErrNoStation):
			s.Log.Warn("unknown token", "remote", r.RemoteAddr)
			writeError(w, http.StatusUnauthorized, protocol.Error{Code: protocol.CodeUnauthorized, Message: "unknown token"})
			return
		case err != nil:
			s.internal(w, r, err)
			return
		}
		if !s.allow(w, st.Key) {
			return
		}
		h(w, r, st)
	}
}

// allow takes one request from the limiter of key (a station, or a
// supervisor token); over the limit it answers 429 and reports false.
func (s *Server) allow(w http.ResponseWriter, key string) bool {
	if s.limiter(key).Allow() {
		return true
	}
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusTooManyRequests, protocol.Error{Code: protocol.CodeRateLimited, Message: "too many requests; retry after 1 second"})
	return false
}

func (s *Server) limiter(key string) *rate.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limiters == nil {
		s.limiters = map[string]*rate.Limiter{}
	}
	l, ok := s.limiters[key]
	if !ok {
		r, b := s.Rate, s.Burst
		if r == 0 {
			r, b = 100, 200
		}
		l = rate.NewLimiter(r, b)
		s.limiters[key] = l
	}
	return l
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Error("internal error", "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, protocol.Error{Code: protocol.CodeInternal, Message: "internal error"})
}

func (s *Server) state(w http.ResponseWriter, r *http.Request, st Station) {
	writeJSON(w, http.StatusOK, protocol.State{Station: st.Key, StationID: st.StationID, Epoch: st.Epoch, HighWater: st.HighWater})
}

func (s *Server) catalog(w http.ResponseWriter, r *http.Request, st Station) {
	c, err := s.Storage.Catalog()
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if c.Version == 0 {
		writeError(w, http.StatusNotFound, protocol.Error{Code: protocol.CodeNoCatalog, Message: "no catalog has been published"})
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// ReadBatch decodes a request body into a batch within the protocol's
// limits, every event in v2 form (a version 1 batch, v1 true, is checked
// with its v1 hashes and converted); its error is the protocol error to
// answer with and its status.
func ReadBatch(r *http.Request, w http.ResponseWriter, v1 bool) (protocol.Batch, int, *protocol.Error) {
	var b protocol.Batch
	body := http.MaxBytesReader(w, r.Body, protocol.MaxBodyBytes)
	var in io.Reader = body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return b, http.StatusBadRequest, &protocol.Error{Code: protocol.CodeBadRequest, Message: "body is not gzip: " + err.Error()}
		}
		defer zr.Close()
		in = io.LimitReader(zr, protocol.MaxInflated+1)
	}
	data, err := io.ReadAll(in)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || len(data) > protocol.MaxInflated {
		return b, http.StatusRequestEntityTooLarge, &protocol.Error{Code: protocol.CodeTooLarge,
			Message: fmt.Sprintf("body over %d bytes (%d after gzip)", protocol.MaxBodyBytes, protocol.MaxInflated)}
	}
	if err != nil {
		return b, http.StatusBadRequest, &protocol.Error{Code: protocol.CodeBadRequest, Message: "read body: " + err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return b, http.StatusBadRequest, &protocol.Error{Code: protocol.CodeBadRequest, Message: "malformed JSON: " + err.Error()}
	}
	if len(b.Events) == 0 {
		return b, http.StatusBadRequest, &protocol.Error{Code: protocol.CodeBadRequest, Message: "a batch needs at least one event"}
	}
	if len(b.Events) > protocol.MaxBatchEvents {
		return b, http.StatusRequestEntityTooLarge, &protocol.Error{Code: protocol.CodeTooLarge,
			Message: fmt.Sprintf("%d events in a batch; at most %d", len(b.Events), protocol.MaxBatchEvents)}
	}
	for i, e := range b.Events {
		if err := e.Validate(); err != nil {
			return b, http.StatusBadRequest, &protocol.Error{Code: protocol.CodeBadRequest, Message: err.Error()}
		}
		if i > 0 && (e.Seq != b.Events[i-1].Seq+1 || e.Epoch != b.Events[0].Epoch || e.Station != b.Events[0].Station) {
			return b, http.StatusBadRequest, &protocol.Error{Code: protocol.CodeBadRequest,
				Message: fmt.Sprintf("event %d: a batch must be consecutive events of one station and epoch", e.Seq)}
		}
	}
	for i, e := range b.Events {
		if !v1 {
			if queue.IsV1Event(e.ToStore()) {
				return b, http.StatusBadRequest, &protocol.Error{Code: protocol.CodeBadRequest,
					Message: fmt.Sprintf("event %d: a %s event in version 1 form (personal data in its data) sent to %s", e.Seq, e.Type, protocol.Prefix)}
			}
			continue
		}
		up, err := protocol.UpgradeV1(e)
		if err != nil {
			return b, http.StatusBadRequest, &protocol.Error{Code: protocol.CodeBadRequest, Message: err.Error()}
		}
		b.Events[i] = up
	}
	return b, 0, nil
}

func (s *Server) events(w http.ResponseWriter, r *http.Request, st Station, v1 bool) {
	b, status, perr := ReadBatch(r, w, v1)
	if perr != nil {
		s.Log.Info("batch refused", "station", st.Key, "status", status, "error", perr.Code)
		writeError(w, status, *perr)
		return
	}
	var clientNow time.Time
	if c := r.Header.Get("X-Loket-Clock"); c != "" {
		clientNow, _ = time.Parse(time.RFC3339Nano, c)
	}
	state, err := s.Storage.Ingest(st.Key, b.Events, clientNow, s.Now())
	var ie *IngestError
	switch {
	case errors.As(err, &ie):
		status := http.StatusConflict
		switch ie.P.Code {
		case protocol.CodeForbidden:
			status = http.StatusForbidden
		case protocol.CodeBadRequest:
			status = http.StatusBadRequest
		}
		if ie.P.Code == protocol.CodeConflict {
			s.Log.Error("CONFLICT: a station sent an event that differs from the stored one", "station", st.Key,
				"first_seq", b.Events[0].Seq, "last_seq", b.Events[len(b.Events)-1].Seq)
		} else {
			s.Log.Warn("batch refused", "station", st.Key, "error", ie.P.Code)
		}
		writeError(w, status, ie.P)
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	s.Log.Info("batch stored", "station", st.Key, "received", state.Received, "duplicate", state.Duplicate, "high_water", state.HighWater)
	writeJSON(w, http.StatusOK, state)
}

// Services is the published catalog's services, or, before the central
// office has published one, the catalog the counters work on then (their
// embedded default): the pages name services and count due dates with it.
func Services(st Storage) ([]queue.Service, error) {
	c, err := st.Catalog()
	if err != nil {
		return nil, err
	}
	if c.Version == 0 {
		return queue.DefaultCatalog(), nil
	}
	return c.Services, nil
}
