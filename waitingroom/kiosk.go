package waitingroom

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/time/rate"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts"
	"github.com/loket-id/loket/store"
)

func (s *Server) kioskPage(w http.ResponseWriter, r *http.Request) {
	lang, err := s.langOf(r)
	if err != nil {
		http.Error(w, "400: "+err.Error(), http.StatusBadRequest)
		return
	}
	t := i18n.For(lang)
	days, months := calendar(t)
	prios := []map[string]string{{"code": "", "name": t.S("kiosk.regular")}}
	for _, p := range queue.Priorities {
		prios = append(prios, map[string]string{"code": string(p), "name": t.S("receipt.prio." + string(p))})
	}
	cfg := map[string]any{
		"lang":       lang,
		"office":     s.cfg.Office,
		"priorities": prios,
		"days":       days,
		"months":     months,
		"text": map[string]string{
			"title":    t.S("kiosk.title"),
			"choose":   t.S("kiosk.choose"),
			"priority": t.S("kiosk.priority"),
			"working":  t.S("kiosk.working"),
			"take":     t.S("kiosk.take"),
			"busy":     t.S("kiosk.busy"),
			"error":    t.S("kiosk.error"),
			"back":     t.S("kiosk.back"),
			"offline":  t.S("kiosk.offline"),
			"waiting":  t.S("board.waiting"),
			"ticket":   t.S("slip.title"),
			"tracking": t.S("receipt.tracking"),
			"wait":     t.S("slip.wait"),
			"identity": t.S("slip.identity"),
		},
	}
	s.page(w, "kiosk.html", pageData{Lang: lang, Title: s.cfg.Office}, cfg)
}

// kioskState is the lines the kiosk offers: the active services with their
// waiting counts.
func (s *Server) kioskState(w http.ResponseWriter, r *http.Request) {
	var ls []Line
	err := s.store.View(r.Context(), func(tx *store.Tx) error {
		all, err := lines(tx, s.store.Today())
		if err != nil {
			return err
		}
		svcs, err := tx.Services()
		if err != nil {
			return err
		}
		active := map[string]bool{}
		for _, sv := range svcs {
			active[sv.Code] = sv.Active
		}
		for _, l := range all {
			if active[l.Service] {
				ls = append(ls, l)
			}
		}
		return nil
	})
	if err != nil {
		s.fail(w, "read the lines", err)
		return
	}
	now := s.store.Now().In(s.cfg.Location)
	_, offset := now.Zone()
	writeJSON(w, http.StatusOK, map[string]any{"lines": ls, "now_ms": now.UnixMilli(), "utc_offset_s": offset})
}

// Ticket is the kiosk's answer to taking a number: what the slip shows.
type Ticket struct {
	ID           string    `json:"id"`
	Ticket       string    `json:"ticket"`
	Service      string    `json:"service"`
	ServiceName  string    `json:"service_name"`
	Priority     string    `json:"priority,omitempty"`
	PriorityName string    `json:"priority_name,omitempty"`
	TrackingCode string    `json:"tracking_code"`
	ArrivedAt    time.Time `json:"arrived_at"`
	Ahead        int       `json:"ahead"`
	AheadText    string    `json:"ahead_text"`
	DateText     string    `json:"date_text"`
	Slip         string    `json:"slip"` // the PDF's path
	QR           string    `json:"qr"`   // the QR code as a PNG data URL
}

type ticketRequest struct {
	Service  string `json:"service"`
	Priority string `json:"priority"`
	Key      string `json:"key"` // a ULID the page made: a retry after a lost answer gives the same ticket
}

// kioskLimit is one kiosk's ticket rate.
type kioskLimit struct {
	mu sync.Mutex
	l  *rate.Limiter
}

// limiter is a kiosk's ticket rate.
func (s *Server) limiter(id string) *kioskLimit {
	s.limMu.Lock()
	defer s.limMu.Unlock()
	l := s.limiters[id]
	if l == nil {
		n := s.cfg.Kiosk.TicketsPerMinute
		l = &kioskLimit{l: rate.NewLimiter(rate.Every(time.Minute/time.Duration(n)), n)}
		s.limiters[id] = l
	}
	return l
}

// kioskTicket registers a walk-in without identity: one touch, one number.
func (s *Server) kioskTicket(w http.ResponseWriter, r *http.Request) {
	dev := deviceOf(r)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "the body must be JSON (Content-Type: application/json)")
		return
	}
	var in ticketRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "bad request body: "+err.Error())
		return
	}
	prio, err := queue.ParsePriority(in.Priority)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := store.ValidateKey(in.Key); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	// Only new numbers count: a refused one or a retry takes no turn. One
	// kiosk's numbers are taken one at a time.
	lim := s.limiter(dev.ID)
	lim.mu.Lock()
	if lim.l.Tokens() < 1 {
		lim.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(max(1, 60/s.cfg.Kiosk.TicketsPerMinute)))
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("kiosk %s took more than %d numbers a minute", dev.ID, s.cfg.Kiosk.TicketsPerMinute))
		return
	}
	req, ahead, again, err := s.store.RegisterWalkIn(r.Context(), in.Key, in.Service, prio, queue.Actor{Counter: dev.ID, Clerk: "kiosk"})
	if err == nil && !again {
		lim.l.Allow()
	}
	lim.mu.Unlock()
	if errors.Is(err, queue.ErrInvalid) || errors.Is(err, queue.ErrNotFound) {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		s.fail(w, "register a walk-in", err)
		return
	}
	lang, _ := s.langOf(r)
	tk, err := s.ticketOf(r, req, ahead, lang)
	if err != nil {
		s.fail(w, "make the ticket", err)
		return
	}
	s.log.Info("waitingroom: kiosk number", "kiosk", dev.ID, "ticket", req.Ticket, "again", again)
	status := http.StatusCreated
	if again {
		status = http.StatusOK
	}
	writeJSON(w, status, tk)
}

func (s *Server) ticketOf(r *http.Request, req queue.Request, ahead int, lang string) (Ticket, error) {
	t := i18n.For(lang)
	svc, err := s.serviceOf(r, req.Service)
	if err != nil {
		return Ticket{}, err
	}
	qr, err := qrcode.Encode(receipts.Data{Request: req, TrackingURL: s.cfg.TrackingURL}.QRContent(), qrcode.Medium, 320)
	if err != nil {
		return Ticket{}, err
	}
	at := req.ArrivedAt.In(s.cfg.Location)
	tk := Ticket{ID: req.ID, Ticket: req.Ticket, Service: req.Service, ServiceName: svc.Name(lang), TrackingCode: req.TrackingCode,
		ArrivedAt: req.ArrivedAt, Ahead: ahead, AheadText: t.S("slip.ahead", ahead), DateText: t.LongDate(at) + " " + at.Format("15:04"),
		Slip: "/kiosk/slip/" + req.ID + "?lang=" + lang, QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(qr)}
	if req.Priority != queue.PriorityNone {
		tk.Priority, tk.PriorityName = string(req.Priority), t.S("receipt.prio."+string(req.Priority))
	}
	return tk, nil
}

func (s *Server) serviceOf(r *http.Request, code string) (queue.Service, error) {
	var svc queue.Service
	err := s.store.View(r.Context(), func(tx *store.Tx) error {
		var err error
		svc, err = tx.Service(code)
		return err
	})
	return svc, err
}

// kioskSlip is the ticket slip of a walk-in this kiosk registered today.
func (s *Server) kioskSlip(w http.ResponseWriter, r *http.Request) {
	dev := deviceOf(r)
	id := r.PathValue("id")
	lang, err := s.langOf(r)
	if err != nil || !queue.LooksLikeID(id) {
		http.Error(w, "400: want /kiosk/slip/<request ID>[?lang=id|en]", http.StatusBadRequest)
		return
	}
	var req queue.Request
	var svc queue.Service
	ahead := 0
	err = s.store.View(r.Context(), func(tx *store.Tx) error {
		hist, err := tx.History(id)
		if err != nil {
			return err
		}
		if len(hist) == 0 || hist[0].Counter != dev.ID || hist[0].Type != queue.EventCreated {
			return fmt.Errorf("request %s was not registered by kiosk %s: %w", id, dev.ID, queue.ErrNotFound)
		}
		if req, err = tx.Request(id); err != nil {
			return err
		}
		if req.Day != s.store.Today() {
			return fmt.Errorf("request %s is not of today: %w", id, queue.ErrNotFound)
		}
		ahead = tx.WaitingAhead(req)
		svc, err = tx.Service(req.Service)
		return err
	})
	if errors.Is(err, queue.ErrNotFound) {
		http.Error(w, "404: no such ticket of this kiosk today", http.StatusNotFound)
		return
	}
	if err != nil {
		s.fail(w, "read the ticket", err)
		return
	}
	var buf bytes.Buffer
	if _, err := receipts.Slip(&buf, receipts.SlipData{Request: req, Service: svc, Office: s.cfg.Office, Ahead: ahead,
		Lang: lang, TrackingURL: s.cfg.TrackingURL, Location: s.cfg.Location}); err != nil {
		s.fail(w, "make the slip", err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", req.Ticket+".pdf"))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
