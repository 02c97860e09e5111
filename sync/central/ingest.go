package central

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/sync/protocol"
)

// IngestTx is what the protocol's ingest rules (IngestBatch) need from a
// storage: small reads and writes, every one inside the one transaction the
// storage opens for the batch. A storage implements it over its own
// transaction (bbolt: a write transaction; SQL: a transaction that has
// locked the station's row) and commits only when IngestBatch returns no
// error. The rules live in IngestBatch alone, so every storage applies
// them identically.
type IngestTx interface {
	// Station is the station's record (an error matching ErrNoStation when
	// there is none).
	Station(key string) (Station, error)
	// PutStation replaces the station's record (its binding, high-water
	// mark, last seen and skew).
	PutStation(st Station) error
	// EventHash is the hash of the stored event seq of the station's log
	// generation, "" when none is stored (or it cannot be read: a stored
	// event that is not the one sent is a conflict either way).
	EventHash(key string, generation uint32, seq uint64) (string, error)
	// PutEvent stores an event of the station's log generation, as sent
	// but without its personal part (e.Personal is nil: that goes to
	// PutPersonal), with the time it was received.
	PutEvent(key string, generation uint32, e protocol.Event, receivedAt time.Time) error
	// Request is the stored request id, with its current personal part
	// (the one of its latest event that has one still stored; none once
	// erased), and the key of the station that created it; found is false
	// when there is none.
	Request(id string) (r queue.Request, station string, found bool, err error)
	// PutRequest stores (creates or replaces) the request r, created by
	// station of office: its facts only (r.WithoutPersonal()); the personal
	// part is stored apart, by PutPersonal.
	PutRequest(office, station string, r queue.Request) error
	// PutPersonal stores the personal part (name, NIK, phone, notes and the
	// key of its digest, encoded by the caller as JSON of queue.Personal)
	// of the event seq of the station's log generation, for request
	// requestID: kept apart from the facts, so that it can be erased
	// (protocol v2).
	PutPersonal(key string, generation uint32, seq uint64, requestID string, personal []byte) error
	// ErasePersonal deletes the personal part of every event of request
	// requestID, and the comment of its survey answer (the answer stays:
	// see Surveys).
	ErasePersonal(requestID string) error
	// PutSurvey stores a station's survey answer (from a survey.answered
	// event, its comment from the event's personal part) unless one is
	// held for its request already (the first stands, by phone or from a
	// station); stored is false then, and that is no error: a station's
	// batch is never refused for it, so its sync never stalls.
	PutSurvey(a skm.Answer) (stored bool, err error)
}

// refuse is a batch refused as a whole with the protocol's error code.
func refuse(code, format string, args ...any) *IngestError {
	return &IngestError{P: protocol.Error{Code: code, Message: fmt.Sprintf(format, args...)}}
}

// IngestBatch applies the protocol's rules to a batch of station key's
// events through tx: the binding (the first push of a database binds it; a
// rebound station's next database must send from its high-water mark or
// earlier), every event of the bound station and epoch, events at or below
// the high-water mark with the stored hash are retries and skipped, one
// with another hash refuses the batch (conflict), a sequence above
// high-water + 1 refuses it (gap); the rest are stored, their requests
// materialised with the station's own rules (queue.Apply) within the
// requests that station created, a request.created validated, and the
// high-water mark, last seen time and clock skew recorded. Any refusal is
// an *IngestError and the caller must then write nothing (roll back).
func IngestBatch(tx IngestTx, key string, events []protocol.Event, clientNow, now time.Time) (protocol.State, error) {
	var state protocol.State
	st, err := tx.Station(key)
	if err != nil {
		return state, err
	}
	if st.Epoch == "" && st.HighWater > 0 && len(events) > 0 && events[0].Seq > st.HighWater {
		return state, refuse(protocol.CodeHistoryRequired, "station %s was rebound and holds %d events: this database must recover them "+
			"(loket sync does) and send from event %d or earlier", key, st.HighWater, st.HighWater)
	}
	for _, e := range events {
		if st.Epoch == "" { // first push of this database: bind it (a rebound one continues the log)
			st.StationID, st.Epoch = e.Station, e.Epoch
		}
		if e.Station != st.StationID {
			return state, refuse(protocol.CodeForbidden, "event %d belongs to another station than the database bound to %s (station ID %s…); "+
				"if this counter was reinstalled, ask the central office to run: loket-central station rebind %s",
				e.Seq, key, st.StationID[:8], key)
		}
		if e.Epoch != st.Epoch {
			return state, refuse(protocol.CodeEpochMismatch, "station %s is bound to another database (epoch %s…); "+
				"if this counter was reinstalled or restored, ask the central office to run: loket-central station rebind %s",
				key, st.Epoch[:8], key)
		}
	}
	for _, e := range events {
		if e.Seq <= st.HighWater {
			h, err := tx.EventHash(key, st.Generation, e.Seq)
			if err != nil {
				return state, err
			}
			if h == "" || h != e.Hash {
				return state, refuse(protocol.CodeConflict, "event %d differs from the event %d already stored for station %s: "+
					"this database may have been restored from a backup", e.Seq, e.Seq, key)
			}
			state.Duplicate++
			continue
		}
		if e.Seq != st.HighWater+1 {
			err := refuse(protocol.CodeGap, "event %d arrived but the next expected is %d", e.Seq, st.HighWater+1)
			err.P.Expected = st.HighWater + 1
			return state, err
		}
		facts := e
		facts.Personal = nil // stored apart (PutPersonal), never in the event's record
		if err := tx.PutEvent(key, st.Generation, facts, now); err != nil {
			return state, err
		}
		if e.Type != queue.EventCatalog {
			if err := applyEvent(tx, st, e, now); err != nil {
				return state, err
			}
		}
		st.HighWater = e.Seq
		state.Received++
	}
	st.LastSeen = now
	if !clientNow.IsZero() {
		skew := clientNow.Sub(now)
		st.SkewSeconds = int64(skew.Seconds())
		st.Skewed = skew > MaxSkew || skew < -MaxSkew
	}
	state.Station, state.StationID, state.Epoch, state.HighWater = key, st.StationID, st.Epoch, st.HighWater
	return state, tx.PutStation(st)
}

// applyEvent materialises event e of station st on its request: a station
// touches only the requests it created, under any of its bindings; a
// request is created once and never regressed.
func applyEvent(tx IngestTx, st Station, e protocol.Event, now time.Time) error {
	cur, owner, found, err := tx.Request(e.RequestID)
	if err != nil {
		return err
	}
	switch {
	case found && owner != st.Key:
		return refuse(protocol.CodeForbidden, "event %d (%s) is for request %s, which another station created", e.Seq, e.Type, e.RequestID)
	case e.Type == queue.EventCreated:
		if found {
			// Never a second creation: what is stored (by any binding) is
			// not regressed.
			return refuse(protocol.CodeConflict, "event %d creates request %s, which already exists", e.Seq, e.RequestID)
		}
	case !found:
		return refuse(protocol.CodeBadRequest, "event %d (%s) is for request %s, which this station never created", e.Seq, e.Type, e.RequestID)
	}
	if !found {
		cur = queue.Request{}
	}
	next, err := queue.Apply(cur, e.ToStore())
	if err != nil {
		return refuse(protocol.CodeBadRequest, "event %d: %v", e.Seq, err)
	}
	if e.Type == queue.EventCreated { // next is the request as sent
		if err := validateCreated(e, next, now); err != nil {
			return refuse(protocol.CodeBadRequest, "event %d: request.created: %v", e.Seq, err)
		}
	}
	next.EventSeqs = append(next.EventSeqs, e.Seq)
	switch {
	case e.Type == queue.EventErased:
		// The erasure travels as an event: every personal part of the
		// request goes (the facts and every event stay).
		if err := tx.ErasePersonal(e.RequestID); err != nil {
			return err
		}
	case e.Type == queue.EventSurveyed:
		// The answer beside the requests (its comment from the personal
		// part); the comment is never stored as the request's personal part.
		a, err := surveyFromEvent(st, e)
		if err != nil {
			return refuse(protocol.CodeBadRequest, "event %d: survey.answered: %v", e.Seq, err)
		}
		if _, err := tx.PutSurvey(a); err != nil {
			return err
		}
	case e.Personal != nil && !e.Personal.Empty() && (e.Type == queue.EventCreated || e.Type == queue.EventIdentified):
		// Only a new event stores a personal part: a duplicate never
		// brings back what an erasure removed.
		// The request's personal part after the event: an identification
		// converted from v1 keeps the notes the request had.
		p, err := json.Marshal(queue.PersonalOf(next, e.Personal.Key))
		if err != nil {
			return err
		}
		if err := tx.PutPersonal(st.Key, st.Generation, e.Seq, e.RequestID, p); err != nil {
			return err
		}
	}
	return tx.PutRequest(st.Office, st.Key, next.WithoutPersonal())
}

// CheckCreated checks a stored request.created event e, with the personal
// part still stored for it in e.Personal (nil when none), as ingest did
// when it was received at received: for a storage's Check.
func CheckCreated(e protocol.Event, received time.Time) error {
	r, err := queue.Apply(queue.Request{}, e.ToStore())
	if err != nil {
		return err
	}
	return validateCreated(e, r, received)
}

// validateCreated checks r, the request a request.created event e carries,
// with the counter's own rules (queue.ValidateCreated) and against what the
// event says of it: the same request, station, time and clerk, and an
// arrival within the protocol's bounds of the server's clock at receipt (now).
func validateCreated(e protocol.Event, r queue.Request, now time.Time) error {
	if err := queue.ValidateCreated(r); err != nil {
		return err
	}
	switch {
	case r.ID != e.RequestID:
		return fmt.Errorf("the request is %s, the event names %s: %w", r.ID, e.RequestID, queue.ErrInvalid)
	case r.Station != e.Station:
		return fmt.Errorf("the request names another station than its event: %w", queue.ErrInvalid)
	case !r.ArrivedAt.Equal(e.At):
		return fmt.Errorf("the request arrived at %s, its event is at %s: %w", r.ArrivedAt.Format(time.RFC3339Nano), e.At.Format(time.RFC3339Nano), queue.ErrInvalid)
	case r.Counter != e.Counter || r.Clerk != e.Clerk:
		return fmt.Errorf("the request names another counter or clerk than its event: %w", queue.ErrInvalid)
	}
	return protocol.CheckArrival(r.ArrivedAt, now)
}
