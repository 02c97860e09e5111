package waitingroom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/speech"
)

// pageData is what a page's template gets: its title and the JSON its
// script reads (in a data attribute, escaped by html/template).
type pageData struct {
	Lang    string
	Title   string
	Version string
	Config  string
}

// langOf is the page's language: ?lang=, else the config's.
func (s *Server) langOf(r *http.Request) (string, error) {
	switch l := r.URL.Query().Get("lang"); l {
	case "":
		return s.cfg.Lang, nil
	case "id", "en":
		return l, nil
	default:
		return "", fmt.Errorf("lang %q is not id or en", l)
	}
}

// servicesOf reads ?services=A,B (empty: every service).
func servicesOf(r *http.Request) (map[string]bool, []string, error) {
	raw := strings.TrimSpace(r.URL.Query().Get("services"))
	if raw == "" {
		return nil, nil, nil
	}
	set := map[string]bool{}
	var list []string
	for _, c := range strings.Split(raw, ",") {
		c = strings.ToUpper(strings.TrimSpace(c))
		if err := queue.ValidateServiceCode(c); err != nil {
			return nil, nil, fmt.Errorf("services: %w", err)
		}
		if !set[c] {
			set[c] = true
			list = append(list, c)
		}
	}
	return set, list, nil
}

// calendar is the names of the days and months the page's clock shows.
func calendar(t i18n.Text) (days, months []string) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		days = append(days, t.Weekday(d))
	}
	for m := time.January; m <= time.December; m++ {
		months = append(months, t.Month(m))
	}
	return days, months
}

func (s *Server) boardPage(w http.ResponseWriter, r *http.Request) {
	lang, err := s.langOf(r)
	if err != nil {
		http.Error(w, "400: "+err.Error(), http.StatusBadRequest)
		return
	}
	_, services, err := servicesOf(r)
	if err != nil {
		http.Error(w, "400: "+err.Error(), http.StatusBadRequest)
		return
	}
	q := r.URL.Query()
	t := i18n.For(lang)
	days, months := calendar(t)
	cfg := map[string]any{
		"lang":         lang,
		"office":       s.cfg.Office,
		"running_text": s.cfg.Board.RunningText,
		"sound":        on(q.Get("sound"), s.cfg.Board.Sound),
		"chime":        on(q.Get("chime"), s.cfg.Board.Chime),
		"services":     services,
		"days":         days,
		"months":       months,
		"text": map[string]string{
			"call":    t.S("board.call"),
			"goto":    t.S("board.goto"),
			"recent":  t.S("board.recent"),
			"waiting": t.S("board.waiting"),
			"none":    t.S("board.none"),
			"offline": t.S("board.offline"),
			"sound":   t.S("board.sound"),
		},
	}
	s.page(w, "board.html", pageData{Lang: lang, Title: s.cfg.Office}, cfg)
}

// page renders an embedded page with its config as JSON.
func (s *Server) page(w http.ResponseWriter, name string, d pageData, cfg any) {
	b, err := json.Marshal(cfg)
	if err != nil {
		s.fail(w, "render page", err)
		return
	}
	d.Config, d.Version = string(b), s.version()
	tpl, err := template.ParseFS(s.assets, name)
	if err != nil {
		s.fail(w, "render page", err)
		return
	}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, d); err != nil {
		s.fail(w, "render page", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; frame-src 'self'; object-src 'none'; base-uri 'none'")
	_, _ = w.Write(buf.Bytes())
}

// fail answers 500 and logs what went wrong.
func (s *Server) fail(w http.ResponseWriter, what string, err error) {
	s.log.Error("waitingroom: "+what, "err", err)
	http.Error(w, "500: "+what+" failed", http.StatusInternalServerError)
}

// heartbeat keeps idle connections (and proxies) open and lets a board see
// a dead server: EventSource reconnects by itself.
const heartbeat = 15 * time.Second

// replayWindow bounds which missed calls a reconnecting board announces:
// those it had not seen (after its Last-Event-ID) from the last minutes.
const replayWindow = 2 * time.Minute

// boardEvents streams the state: first the whole state (so a reconnecting
// board, after a server restart or a network drop, shows what is current),
// then every change. A new page load announces nothing; a reconnect
// (EventSource's Last-Event-ID) announces the calls it missed, if recent.
func (s *Server) boardEvents(w http.ResponseWriter, r *http.Request) {
	services, _, err := servicesOf(r)
	if err != nil {
		http.Error(w, "400: "+err.Error(), http.StatusBadRequest)
		return
	}
	rc := http.NewResponseController(w)
	sub, st := s.feed.subscribe()
	defer s.feed.unsubscribe(sub)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil {
		return
	}
	if st != nil {
		var missed []Call
		lastID := r.Header.Get("Last-Event-ID")
		if lastID == "" {
			lastID = r.URL.Query().Get("last") // a page that opened its stream again
		}
		if last, err := strconv.ParseUint(lastID, 10, 64); err == nil {
			now := s.store.Now()
			for i := len(st.Calls) - 1; i >= 0; i-- {
				if c := st.Calls[i]; c.Seq > last && now.Sub(c.At) < replayWindow {
					missed = append(missed, c)
				}
			}
		}
		if err := s.send(w, st, services, missed); err != nil {
			return
		}
	}
	if err := rc.Flush(); err != nil {
		return
	}
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case m, ok := <-sub.ch:
			if !ok {
				return // fell behind: dropped; the page reconnects
			}
			if err := s.send(w, m.state, services, m.announce); err != nil {
				return
			}
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// send writes one state event.
func (s *Server) send(w http.ResponseWriter, st *State, services map[string]bool, announce []Call) error {
	b, err := json.Marshal(st.filter(services, announce, s.store.Now().In(s.cfg.Location)))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "id: %d\nevent: state\ndata: %s\n\n", st.Seq, b)
	return err
}

// boardAudio is the spoken call of ?ticket at ?counter in ?lang, with a
// chime first unless ?chime=0. The same question always has the same
// answer, so the browser may keep it.
func (s *Server) boardAudio(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lang, err := s.langOf(r)
	if err != nil {
		http.Error(w, "400: "+err.Error(), http.StatusBadRequest)
		return
	}
	wav, err := s.speech.Call(lang, q.Get("ticket"), q.Get("counter"), on(q.Get("chime"), s.cfg.Board.Chime))
	if errors.Is(err, speech.ErrInput) {
		http.Error(w, "400: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err != nil {
		s.fail(w, "spoken call", err)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("Content-Length", strconv.Itoa(len(wav)))
	_, _ = w.Write(wav)
}
