package hub

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// changes is GET /v1/changes?after=SEQ: a server-sent-event stream that
// follows the hub's event log. It sends a hello (the log's identity and
// last sequence number), then every event after SEQ, in order, with the
// request it changed as that request is now, and then each new event as it
// is committed, whoever made it (a counter, the hub's own screen, a local
// command through the owner socket): the stream reads the log, not the
// calls. An idle stream sends a comment every Heartbeat.
//
// The server's WriteTimeout would cut a stream: each message moves the
// write deadline on instead, and the read deadline is lifted.
func (s *Server) changes(w http.ResponseWriter, r *http.Request, c store.Counter) {
	var after uint64
	if a := r.URL.Query().Get("after"); a != "" {
		n, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, ErrorInfo{Code: CodeBadRequest, Field: "after", Message: fmt.Sprintf("after: %q is not a sequence number", a)})
			return
		}
		after = n
	}
	// Subscribe before the first read, so no commit falls between.
	notify, stop := s.st.Subscribe()
	defer stop()
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	bw := bufio.NewWriterSize(w, 32<<10)
	send := func() error {
		_ = rc.SetWriteDeadline(time.Now().Add(s.opt.WriteTimeout))
		if err := bw.Flush(); err != nil {
			return err
		}
		return rc.Flush()
	}
	var last uint64
	if err := s.st.View(r.Context(), func(tx *store.Tx) error { last = tx.LastSeq(); return nil }); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
	writeEvent(bw, 0, "hello", StreamHello{StationID: s.st.StationID(), Epoch: s.st.Epoch(), LastSeq: last})
	if err := send(); err != nil {
		return
	}
	s.log.Debug("hub: change stream open", "counter", c.Code, "after", after)
	beat := time.NewTicker(s.opt.Heartbeat)
	defer beat.Stop()
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	for {
		// A counter revoked while its stream is open gets nothing more.
		if _, err := s.st.AuthenticateCounter(r.Context(), token); err != nil {
			s.log.Warn("hub: change stream closed: the counter's token no longer works", "counter", c.Code, "err", err)
			return
		}
		batch, err := s.readChanges(r, after)
		if err != nil {
			s.log.Warn("hub: change stream", "counter", c.Code, "err", err)
			return // the client reconnects and resumes
		}
		for _, ch := range batch {
			writeEvent(bw, ch.Seq, "change", ch)
			after = ch.Seq
		}
		if len(batch) > 0 {
			if err := send(); err != nil {
				return
			}
			beat.Reset(s.opt.Heartbeat)
		}
		if len(batch) == MaxChangesBatch {
			continue
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		case <-notify:
		case <-beat.C:
			_, _ = bw.WriteString(": ping\n\n")
			if err := send(); err != nil {
				return
			}
		}
	}
}

// readChanges reads the events after seq, each with its request as it is
// now, in one read transaction.
func (s *Server) readChanges(r *http.Request, after uint64) ([]Change, error) {
	var out []Change
	err := s.st.View(r.Context(), func(tx *store.Tx) error {
		events, err := tx.Events(after, MaxChangesBatch)
		if err != nil {
			return err
		}
		for _, e := range events {
			ch := Change{Seq: e.Seq, Type: e.Type, RequestID: e.RequestID, At: e.At, Counter: e.Counter, Clerk: e.Clerk,
				Chosen: queue.IsChosenCall(e)}
			if e.RequestID != "" {
				req, err := tx.Resolve(e.RequestID)
				if err != nil {
					return fmt.Errorf("request %s of event %d: %w", e.RequestID, e.Seq, err)
				}
				ch.Request = &req
			}
			out = append(out, ch)
		}
		return nil
	})
	return out, err
}

// writeEvent writes one server-sent event; its data is one line of JSON.
func writeEvent(w *bufio.Writer, id uint64, event string, v any) {
	b, _ := json.Marshal(v) // the protocol's own types always encode
	if id > 0 {
		fmt.Fprintf(w, "id: %d\n", id)
	}
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
}
