package waitingroom

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/loket-id/loket/speech"
	"github.com/loket-id/loket/store"
)

//go:embed assets
var assetsFS embed.FS

// BoardConfig is the [board] section of the hub's config.
type BoardConfig struct {
	RunningText string `toml:"running_text"` // the line that runs along the foot of the board
	Sound       *bool  `toml:"sound"`        // speak the calls; nil is true
	Chime       *bool  `toml:"chime"`        // a chime before each call; nil is true
}

// KioskConfig is the [kiosk] section of the hub's config.
type KioskConfig struct {
	// TicketsPerMinute a kiosk may hand out (a burst of that many, then one
	// every 60/n seconds); more are refused with 429. 0 means 10.
	TicketsPerMinute int `toml:"tickets_per_minute"`
}

// Config is what the waiting room's pages show and how they behave.
type Config struct {
	Office string // the office's name, on the board, the kiosk and the slip
	// OfficeCode and StationCode go into the survey tablet's answers
	// (skm.Answer.Office and Station; the central server sets its own).
	OfficeCode, StationCode string
	Lang                    string         // the pages' default language: "id" (default) or "en"
	TrackingURL             string         // the slip's QR target with {code}; the bare code when empty
	Location                *time.Location // the office's zone; nil is the store's
	Board                   BoardConfig
	Kiosk                   KioskConfig
}

// Options are what New needs.
type Options struct {
	Config  Config
	Store   *store.Store
	Devices Devices
	// Announcer speaks the calls; nil is speech.Default().
	Announcer *speech.Announcer
	// CounterName is the name the board shows for a counter's code (the hub
	// knows its counters); nil or "" shows the code. It runs inside the
	// board's read transaction and reads through tx: it must never call the
	// Store (a read opened inside another deadlocks against a compaction
	// waiting between them; see store.Store.View).
	CounterName func(tx *store.Tx, code string) string
	Logger      *slog.Logger
}

// Server serves the waiting room's board and kiosk. Mount Handler at the
// root of the hub's mux (it answers /board... and /kiosk...) and run Run.
type Server struct {
	cfg     Config
	store   *store.Store
	devices Devices
	speech  *speech.Announcer
	log     *slog.Logger
	feed    *feed
	assets  fs.FS

	verOnce sync.Once
	ver     string

	limMu    sync.Mutex
	limiters map[string]*kioskLimit // by kiosk ID
}

// New checks the options and makes a Server.
func New(o Options) (*Server, error) {
	if o.Store == nil || o.Devices == nil {
		return nil, errors.New("waitingroom: a store and a device registry are required")
	}
	switch o.Config.Lang {
	case "":
		o.Config.Lang = "id"
	case "id", "en":
	default:
		return nil, fmt.Errorf("waitingroom: language %q is not id or en", o.Config.Lang)
	}
	if o.Config.Location == nil {
		o.Config.Location = o.Store.Location()
	}
	if o.Config.Kiosk.TicketsPerMinute < 0 {
		return nil, fmt.Errorf("waitingroom: kiosk.tickets_per_minute %d is negative", o.Config.Kiosk.TicketsPerMinute)
	}
	if o.Config.Kiosk.TicketsPerMinute == 0 {
		o.Config.Kiosk.TicketsPerMinute = 10
	}
	if o.Announcer == nil {
		a, err := speech.Default()
		if err != nil {
			return nil, fmt.Errorf("waitingroom: %w", err)
		}
		o.Announcer = a
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	sub, err := fs.Sub(assetsFS, "assets")
	if err != nil {
		return nil, err
	}
	return &Server{cfg: o.Config, store: o.Store, devices: o.Devices, speech: o.Announcer, log: o.Logger,
		feed: newFeed(o.Store, o.CounterName), assets: sub, limiters: map[string]*kioskLimit{}}, nil
}

// Run follows the store's event log for the boards until ctx ends.
func (s *Server) Run(ctx context.Context) error {
	if err := s.feed.run(ctx); err != nil {
		return fmt.Errorf("waitingroom: follow the event log: %w", err)
	}
	return nil
}

// Handler serves:
//
//	GET  /board            the board (?services=A,B ?lang=en ?sound=0 ?chime=0)
//	GET  /board/events     server-sent events: the state, then every change
//	GET  /board/audio      the spoken call (?ticket=A-007&counter=L2&lang=id&chime=1), WAV
//	GET  /kiosk            the kiosk (?lang=en)
//	GET  /kiosk/state      the services and their waiting counts
//	POST /kiosk/ticket     take a number: {"service","priority","key"}
//	GET  /kiosk/slip/{id}  the ticket slip, PDF
//	GET  /survey           the survey tablet: the field for the tracking code (?code=, ?lang=en)
//	GET  /survey/{code}    the survey of that request
//	POST /survey/{code}    the answer (a form); once per request (survey.go)
//	GET  /board/assets/…, /kiosk/assets/…   the pages' CSS and JS
//
// Every path needs a device token of its role (see Devices).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /board", s.authed(RoleBoard, true, s.boardPage))
	mux.HandleFunc("GET /board/events", s.authed(RoleBoard, false, s.boardEvents))
	mux.HandleFunc("GET /board/audio", s.authed(RoleBoard, false, s.boardAudio))
	mux.HandleFunc("GET /board/assets/{file}", s.authed(RoleBoard, false, s.asset))
	mux.HandleFunc("GET /kiosk", s.authed(RoleKiosk, true, s.kioskPage))
	mux.HandleFunc("GET /kiosk/state", s.authed(RoleKiosk, false, s.kioskState))
	mux.HandleFunc("POST /kiosk/ticket", s.authed(RoleKiosk, false, s.kioskTicket))
	mux.HandleFunc("GET /kiosk/slip/{id}", s.authed(RoleKiosk, false, s.kioskSlip))
	mux.HandleFunc("GET /kiosk/assets/{file}", s.authed(RoleKiosk, false, s.asset))
	mux.HandleFunc("GET /survey", s.authed(RoleSurvey, true, s.surveyStart))
	mux.HandleFunc("GET /survey/{code}", s.authed(RoleSurvey, true, s.surveyForm))
	mux.HandleFunc("POST /survey/{code}", s.authed(RoleSurvey, false, s.surveyAnswer))
	return mux
}

// asset serves an embedded CSS or JS file; they change only with the
// program, so a day of caching is safe (the pages name them with the
// build's hash).
func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := fs.ReadFile(s.assets, name)
	if err != nil || name == "board.html" || name == "kiosk.html" {
		http.NotFound(w, r)
		return
	}
	switch {
	case len(name) > 4 && name[len(name)-4:] == ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case len(name) > 3 && name[len(name)-3:] == ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}

// on reads an on/off setting: the query's "0"/"1" (or "off"/"on") over the
// config's value over true.
func on(q string, cfg *bool) bool {
	switch q {
	case "0", "off", "false":
		return false
	case "1", "on", "true":
		return true
	}
	return cfg == nil || *cfg
}

// version is a short hash of the embedded assets, which the pages put in
// their asset URLs so that a new program's assets are never mixed with a
// cached old one.
func (s *Server) version() string {
	s.verOnce.Do(func() {
		h := sha256.New()
		_ = fs.WalkDir(s.assets, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := fs.ReadFile(s.assets, p)
				h.Write([]byte(p))
				h.Write(b)
			}
			return nil
		})
		s.ver = hex.EncodeToString(h.Sum(nil))[:12]
	})
	return s.ver
}
