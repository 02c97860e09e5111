package central

// Tracking: an applicant follows a request by the tracking code on their
// receipt, read-only and without a login. GET /lacak (the form), GET
// /lacak/{code} (the answer page; POST with the field nik4 for the second
// factor), GET /v1/track/{code} and /v2/track/{code} (JSON). What anyone
// with the code sees: the service, the office, the day of registration,
// the stage and the expected completion date. The last four digits of the
// request's NIK (?nik4= or the form's field) unlock the ticket, the
// counter and the times. Never a name, NIK or phone.
//
// A code that does not exist, a wrong second factor and an erased request
// give one answer, byte for byte, after the same work: the lookup is always
// made (the storage reads as much on a miss), the digits are always
// compared in constant time (against a value no digits match when there is
// nothing to compare with), the answer is always built.

import (
	"crypto/subtle"
	"errors"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/loket-id/loket/holidays"
	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts"
	"github.com/loket-id/loket/sync/protocol"
)

// Tracking's default rate per address: 30 lookups a minute, 10 at once.
const (
	DefaultTrackRate  = 30 // per minute
	DefaultTrackBurst = 10
)

// The stages a tracked request is in (TrackAnswer.Stage).
const (
	StageWaiting     = "waiting"
	StageInService   = "in_service" // called or being served
	StageDone        = "done"
	StageNoShow      = "no_show"
	StageCancelled   = "cancelled"
	StageTransferred = "transferred" // moved to another service, waiting in its line
)

// TrackAnswer is what tracking shows of a request. The fields after
// Unlocked are set only when the second factor matched.
type TrackAnswer struct {
	Code            string     `json:"code"`
	Office          string     `json:"office"`
	Service         string     `json:"service"`
	ServiceName     string     `json:"service_name"`
	FirstService    string     `json:"first_service,omitempty"` // when transferred: the service it was registered for
	FirstName       string     `json:"first_service_name,omitempty"`
	Registered      string     `json:"registered"` // YYYY-MM-DD, the office's day
	Stage           string     `json:"stage"`
	StageText       string     `json:"stage_text"`
	Due             string     `json:"due,omitempty"` // YYYY-MM-DD; none for a no-show, a cancellation or a service not in the catalog
	Unlocked        bool       `json:"unlocked"`
	Ticket          string     `json:"ticket,omitempty"`
	Counter         string     `json:"counter,omitempty"`
	CalledAt        *time.Time `json:"called_at,omitempty"`
	ServingAt       *time.Time `json:"serving_at,omitempty"`
	DoneAt          *time.Time `json:"done_at,omitempty"`
	registered, due time.Time
}

// trackNotFound is the one answer to an unknown code, a wrong second
// factor and an erased request.
const trackNotFound = "not found or the last four digits do not match"

// noDigits is what a second factor is compared with when there is no NIK to
// compare it with: four bytes no four digits equal.
var noDigits = []byte{0xff, 0xff, 0xff, 0xff}

// lookup answers a tracking query: code as typed, nik4 the second factor
// ("" for none). ok is false for the one not-found answer. The same work
// is done whatever the outcome (see the file's comment).
func (s *Server) lookup(code, nik4, lang string) (TrackAnswer, bool, error) {
	norm, valid := queue.NormalizeTrackingCode(code)
	if !valid {
		norm = "" // still looked up: a miss
	}
	t, found, err := s.Storage.Track(norm)
	if err != nil {
		return TrackAnswer{}, false, err
	}
	svcs, err := Services(s.Storage)
	if err != nil {
		return TrackAnswer{}, false, err
	}
	cat := protocol.Catalog{Services: svcs}
	real := found && !t.Request.Erased
	if !real {
		t = decoy(cat.Services) // the answer is built all the same
	}
	r := t.Request
	want, has := noDigits, real && len(r.NIK) >= 4
	if has {
		want = []byte(r.NIK[len(r.NIK)-4:])
	}
	given := []byte("????")
	if len(nik4) == 4 {
		given = []byte(nik4)
	}
	match := subtle.ConstantTimeCompare(want, given) == 1
	a := s.answer(t, cat.Services, lang)
	unlocked := match && has
	visible := real && (nik4 == "" || unlocked)
	if unlocked {
		a.Unlocked, a.Ticket, a.Counter = true, r.Ticket, r.Counter
		a.CalledAt, a.ServingAt, a.DoneAt = s.inZone(r.CalledAt, r.ArrivedAt), s.inZone(r.ServingAt, r.ArrivedAt), s.inZone(r.DoneAt, r.ArrivedAt)
	}
	if !visible {
		return TrackAnswer{}, false, nil
	}
	return a, true, nil
}

// decoy is what lookup builds an answer from when there is none to give:
// a request of the catalog's first service, so that the work is a real
// answer's (its due date too).
func decoy(svcs []queue.Service) Tracked {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.FixedZone("", 7*3600))
	r := queue.Request{TrackingCode: "AAAA-AAAA-AAAA", Ticket: "A-001", Day: "2026-01-05", Status: queue.StatusWaiting, ArrivedAt: at, Counter: "L1"}
	if len(svcs) > 0 {
		r.Service = svcs[0].Code
	}
	return Tracked{Office: "0000", Request: r}
}

// zone is where a request's days and times are told: the server's
// --timezone, else the office's own (its arrival's offset).
func (s *Server) zone(arrived time.Time) *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return arrived.Location()
}

func (s *Server) inZone(t *time.Time, arrived time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.In(s.zone(arrived))
	return &v
}

// answer is what anyone with the code sees of t.
func (s *Server) answer(t Tracked, svcs []queue.Service, lang string) TrackAnswer {
	r := t.Request
	tx := i18n.For(lang)
	find := func(code string) (queue.Service, bool) {
		for _, sv := range svcs {
			if sv.Code == code {
				return sv, true
			}
		}
		return queue.Service{Code: code}, false
	}
	name := func(code string) string {
		if sv, ok := find(code); ok && sv.Name(lang) != "" {
			return sv.Name(lang)
		}
		return code
	}
	a := TrackAnswer{Code: r.TrackingCode, Office: t.Office, Service: r.Service, ServiceName: name(r.Service), Registered: r.Day}
	a.registered, _ = time.ParseInLocation(time.DateOnly, r.Day, s.zone(r.ArrivedAt))
	if r.FirstService != "" && r.FirstService != r.Service {
		a.FirstService, a.FirstName = r.FirstService, name(r.FirstService)
	}
	switch r.Status {
	case queue.StatusWaiting:
		a.Stage, a.StageText = StageWaiting, tx.S("track.stage.waiting")
		if r.Transfers > 0 {
			a.Stage, a.StageText = StageTransferred, tx.S("track.stage.transferred", a.ServiceName)
		}
	case queue.StatusCalled, queue.StatusServing:
		a.Stage, a.StageText = StageInService, tx.S("track.stage.in_service")
	case queue.StatusDone:
		a.Stage, a.StageText = StageDone, tx.S("track.stage.done")
	case queue.StatusNoShow:
		a.Stage, a.StageText = StageNoShow, tx.S("track.stage.no_show")
	case queue.StatusCancelled:
		a.Stage, a.StageText = StageCancelled, tx.S("track.stage.cancelled")
	}
	if sv, ok := find(r.Service); ok && r.Status != queue.StatusNoShow && r.Status != queue.StatusCancelled {
		a.due = receipts.DueDate(r.ArrivedAt.In(s.zone(r.ArrivedAt)), sv.SLADays, holidays.With(nil))
		a.Due = a.due.Format(time.DateOnly)
	}
	return a
}

// trackLang is the answer's language: ?lang=id|en, else the first of
// Indonesian or English the browser's Accept-Language names, else
// Indonesian.
func trackLang(r *http.Request) (lang string, chosen bool) {
	switch l := r.URL.Query().Get("lang"); l {
	case "id", "en":
		return l, true
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch base, _, _ := strings.Cut(strings.ToLower(tag), "-"); base {
		case "id", "in", "ms":
			return "id", false
		case "en":
			return "en", false
		}
	}
	return "id", false
}

// trackJSON answers GET /v1/track/{code} and /v2/track/{code}.
func (s *Server) trackJSON(w http.ResponseWriter, r *http.Request) {
	if !s.allowTrack(w, r, nil) {
		return
	}
	lang, _ := trackLang(r)
	a, ok, err := s.lookup(r.PathValue("code"), r.URL.Query().Get("nik4"), lang)
	if err != nil {
		s.trackFailed(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		writeError(w, http.StatusNotFound, protocol.Error{Code: protocol.CodeNotFound, Message: trackNotFound})
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) trackFailed(w http.ResponseWriter, err error) {
	s.Log.Error("internal error", "path", "tracking", "err", err) // never the code or the digits
	writeError(w, http.StatusInternalServerError, protocol.Error{Code: protocol.CodeInternal, Message: "internal error"})
}

// allowTrack takes one lookup from the limiter of the client's address; over
// the limit it answers 429 with Retry-After (a page when page is set) and
// reports false.
func (s *Server) allowTrack(w http.ResponseWriter, r *http.Request, page func(wait int)) bool {
	s.mu.Lock()
	if s.trackLimits == nil {
		per, burst := s.TrackRate, s.TrackBurst
		if per == 0 {
			per = rate.Every(time.Minute / DefaultTrackRate)
		}
		if burst == 0 {
			burst = DefaultTrackBurst
		}
		s.trackLimits = &addrLimits{rate: per, burst: burst, now: s.Now}
	}
	l := s.trackLimits
	s.mu.Unlock()
	wait := l.take(clientAddr(r))
	if wait == 0 {
		return true
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	if page != nil {
		page(secs)
		return false
	}
	writeError(w, http.StatusTooManyRequests, protocol.Error{Code: protocol.CodeRateLimited,
		Message: "too many requests; retry after " + strconv.Itoa(secs) + " seconds"})
	return false
}

// clientAddr is the limit's key: the client's IP address, or its /64 for
// IPv6 (one subscriber's network).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// addrLimits is a token bucket per client address. Buckets that have been
// full for a while are dropped when the map grows, so a crowd of addresses
// cannot grow it without end.
type addrLimits struct {
	rate  rate.Limit
	burst int
	now   func() time.Time

	mu   sync.Mutex
	byIP map[string]*addrLimit
}

type addrLimit struct {
	l    *rate.Limiter
	last time.Time
}

const addrLimitsSweep = 10000

// take takes a token for addr: 0 when allowed, else how long until one is.
func (a *addrLimits) take(addr string) time.Duration {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byIP == nil {
		a.byIP = map[string]*addrLimit{}
	}
	e, ok := a.byIP[addr]
	if !ok {
		if len(a.byIP) >= addrLimitsSweep {
			full := time.Duration(float64(a.burst)/float64(a.rate)*float64(time.Second)) + time.Second
			for k, v := range a.byIP {
				if now.Sub(v.last) > full {
					delete(a.byIP, k)
				}
			}
		}
		e = &addrLimit{l: rate.NewLimiter(a.rate, a.burst)}
		a.byIP[addr] = e
	}
	e.last = now
	res := e.l.ReserveN(now, 1)
	if !res.OK() {
		return time.Minute
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}

// trackCode is the code of a path, as typed (normalised by lookup).
func trackCode(r *http.Request) string { return r.PathValue("code") }

// errNoTemplate is a page that would not render.
var errNoTemplate = errors.New("tracking page template")

// trackHref is the address of the answer page of code, in lang when it was
// chosen by the address.
func trackHref(code, lang string, chosen bool) string {
	u := "/lacak/" + url.PathEscape(code)
	if chosen {
		u += "?lang=" + lang
	}
	return u
}
