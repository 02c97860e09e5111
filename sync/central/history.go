package central

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/sync/protocol"
)

// History is a page of a station's own events after sequence after (at
// most limit, 1 to protocol.MaxHistoryEvents), from the log its bindings
// have built, as they were received. It is how a restored or reinstalled
// counter gets its history back.
func (s *BoltStorage) History(key string, after uint64, limit int) (protocol.History, error) {
	if limit <= 0 || limit > protocol.MaxHistoryEvents {
		limit = protocol.MaxHistoryEvents
	}
	h := protocol.History{Station: key, Events: []protocol.Event{}}
	err := s.view(func(tx *bolt.Tx) error {
		st, err := getStation(tx, key)
		if err != nil {
			return err
		}
		h.HighWater = st.HighWater
		prefix := eventPrefix(key, st.Generation)
		c := tx.Bucket(bEvents).Cursor()
		for k, v := c.Seek(eventKey(key, st.Generation, after+1)); k != nil && bytes.HasPrefix(k, prefix) && len(h.Events) < limit; k, v = c.Next() {
			if binary.BigEndian.Uint64(k[len(prefix):]) > st.HighWater {
				break
			}
			var se storedEvent
			if err := json.Unmarshal(v, &se); err != nil {
				return s.damaged(fmt.Sprintf("event %x of station %s does not decode", k, key), err)
			}
			e := se.Event
			if e.Personal, err = eventPersonal(tx, key, st.Generation, e); err != nil {
				return s.damaged(fmt.Sprintf("event %x of station %s", k, key), err)
			}
			h.Events = append(h.Events, e)
		}
		return nil
	})
	return h, err
}

// history answers GET /v2/sync/events?after=N&limit=M with the station's own
// events, in v2 form with the personal parts still held; at /v1/... (v1
// true) without them (the data is the v2 facts either way, which a v1
// counter reads as a request without a name).
func (s *Server) history(w http.ResponseWriter, r *http.Request, st Station, v1 bool) {
	q := r.URL.Query()
	var after uint64
	limit := protocol.MaxHistoryEvents
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, protocol.Error{Code: protocol.CodeBadRequest, Message: fmt.Sprintf("after=%q is not a sequence number", v)})
			return
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > protocol.MaxHistoryEvents {
			writeError(w, http.StatusBadRequest, protocol.Error{Code: protocol.CodeBadRequest,
				Message: fmt.Sprintf("limit=%q must be a number from 1 to %d", v, protocol.MaxHistoryEvents)})
			return
		}
		limit = n
	}
	h, err := s.Storage.History(st.Key, after, limit)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if v1 {
		for i := range h.Events {
			h.Events[i].Personal = nil
		}
	}
	s.Log.Info("history sent", "station", st.Key, "after", after, "events", len(h.Events), "high_water", h.HighWater)
	writeJSON(w, http.StatusOK, h)
}
