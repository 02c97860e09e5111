package central

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/sync/protocol"
)

// Stats computes the figures of what the stations sent, with the same code
// as the stations (package stats). Service targets come from the published
// catalog, or the built-in one before anything is published; hours are in
// loc, or (nil) in each request's own office zone, as the station stored it.
//
// With service set, only requests that ended in that service count.
// "Waiting now" is of today by the machine's clock; StatsAt takes the clock.
func Stats(st Storage, office, station, service, from, to string, loc *time.Location) (stats.Figures, error) {
	return StatsAt(time.Now(), st, office, station, service, from, to, loc)
}

// FactsReader is a storage that reads only the facts the statistics need
// (pgstore: a few columns, no request's JSON decoded): StatsFacts is Export
// with, of each request, only Day, Service, FirstService, Status, Counter,
// Clerk, ArrivedAt (in its own offset), CalledAt, ServingAt, DoneAt,
// Transfers and Reopens set. The figures are the same either way.
type FactsReader interface {
	StatsFacts(office, station, from, to string, fn func(queue.Request) error) error
}

// StatsAt is Stats with now as the present moment (the server's clock).
func StatsAt(now time.Time, st Storage, office, station, service, from, to string, loc *time.Location) (stats.Figures, error) {
	targets := stats.Targets(queue.DefaultCatalog())
	if c, err := st.Catalog(); err == nil && c.Version > 0 {
		for code, m := range stats.Targets(c.Services) {
			targets[code] = m
		}
	} else if err != nil {
		return stats.Figures{}, err
	}
	read := st.Export
	if fr, ok := st.(FactsReader); ok {
		read = fr.StatsFacts
	}
	return stats.ComputeAt(now, from, to, func(fn func(queue.Request) error) error {
		return read(office, station, from, to, func(r queue.Request) error {
			if service != "" && r.Service != service {
				return nil
			}
			return fn(stats.InZone(r, loc))
		})
	}, targets)
}

// stats answers GET /v1/stats?from=&to=&office=&station=&service= for a supervisor
// token (its office, or any with an all-office token) or a station token
// (its own office only), within the same per-token rate limit as the
// station's other calls.
func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	q := r.URL.Query()
	office := q.Get("office")
	scope, err := s.Storage.Supervisor(token)
	switch {
	case err == nil:
		// Each supervisor token has its own limit, apart from every station's.
		if !s.allow(w, "supervisor "+HashToken(token)) {
			return
		}
		if scope != "" {
			if office != "" && office != scope {
				writeError(w, http.StatusForbidden, protocol.Error{Code: protocol.CodeForbidden, Message: "this token reads office " + scope + " only"})
				return
			}
			office = scope
		}
	case errors.Is(err, ErrUnknownToken):
		st, err := s.Storage.Authenticate(token)
		if err != nil {
			writeError(w, http.StatusUnauthorized, protocol.Error{Code: protocol.CodeUnauthorized, Message: "unknown or revoked token"})
			return
		}
		if !s.allow(w, st.Key) {
			return
		}
		if office != "" && office != st.Office {
			writeError(w, http.StatusForbidden, protocol.Error{Code: protocol.CodeForbidden, Message: "a station reads its own office only"})
			return
		}
		office = st.Office
	default:
		s.internal(w, r, err)
		return
	}
	for _, d := range []string{q.Get("from"), q.Get("to")} {
		if d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				writeError(w, http.StatusBadRequest, protocol.Error{Code: protocol.CodeBadRequest, Message: "from and to are dates YYYY-MM-DD"})
				return
			}
		}
	}
	from, to := q.Get("from"), q.Get("to")
	if from == "" {
		now := s.Now()
		if l := s.loc(); l != nil {
			now = now.In(l)
		}
		from = now.Format(time.DateOnly)
	}
	if to == "" {
		to = from
	}
	f, err := StatsAt(s.Now(), s.Storage, office, q.Get("station"), q.Get("service"), from, to, s.loc())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

// loc is the zone for statistics' hours: nil means each request's own.
func (s *Server) loc() *time.Location { return s.Location }
