package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/queue"
)

// The compact encoding of requests, events and personal parts (schema 3).
//
// Each value starts with a version byte (recVersion). The rest is a
// sequence of fields: unsigned varints, zig-zag varints for signed values,
// strings as a varint length and the bytes, ULIDs as their 16 bytes, times
// as zig-zag nanoseconds since 1970 and the UTC offset in seconds (a later
// time of the same record as the difference from the first). What a field
// usually repeats (the request's ID in its created event, an arrival equal
// to the event's time, the station of this database) is a flag bit instead.
//
// Chosen by measurement (BENCHMARKS.md, "A smaller store"): a year of demo
// history takes less than a third of the bytes tight JSON would, and
// decodes several times faster. An event whose fields this encoding would
// not give back byte for byte (a non-canonical ULID, a payload that does
// not marshal back to the same JSON) is stored as JSON, which starts with
// '{': the sync protocol's hash covers an event's data bytes, so those are
// kept exactly. Nothing outside the store sees this encoding: `loket
// export` and the protocol speak JSON.

const recVersion = 1

var errShort = errors.New("record ends early")

type enc struct{ b []byte }

func (e *enc) uv(v uint64)      { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) sv(v int64)       { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) str(s string)     { e.uv(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) bytes(b []byte)   { e.uv(uint64(len(b))); e.b = append(e.b, b...) }
func (e *enc) raw(b []byte)     { e.b = append(e.b, b...) }
func (e *enc) time(t time.Time) { e.sv(t.UnixNano()); e.sv(int64(offsetOf(t))) }

// timeFrom writes t as its difference from base (both offsets too).
func (e *enc) timeFrom(t, base time.Time) {
	e.sv(t.UnixNano() - base.UnixNano())
	e.sv(int64(offsetOf(t) - offsetOf(base)))
}

type dec struct {
	b    []byte
	err  error
	skip bool // strings are read past, not made (eventHead)
}

func (d *dec) uv() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) sv() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) take(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errShort
		return nil
	}
	out := d.b[:n:n]
	d.b = d.b[n:]
	return out
}

// day writes a date YYYY-MM-DD as days since 1970 plus one (0 and the
// string for anything else).
func (e *enc) day(s string) {
	if t, err := time.Parse(time.DateOnly, s); err == nil && t.Format(time.DateOnly) == s && t.Unix() >= 0 {
		e.uv(uint64(t.Unix()/86400) + 1)
		return
	}
	e.uv(0)
	e.str(s)
}

func (d *dec) day() string {
	n := d.uv()
	if n == 0 {
		return d.str()
	}
	if d.skip {
		return ""
	}
	return time.Unix(int64(n-1)*86400, 0).UTC().Format(time.DateOnly)
}

// statuses are the request statuses as one number (0: the string follows).
var statuses = []queue.Status{"", queue.StatusWaiting, queue.StatusCalled, queue.StatusServing, queue.StatusDone,
	queue.StatusNoShow, queue.StatusCancelled}

func (e *enc) status(s queue.Status) {
	if i := slices.Index(statuses, s); i > 0 {
		e.uv(uint64(i))
		return
	}
	e.uv(0)
	e.str(string(s))
}

func (d *dec) status() queue.Status {
	n := d.uv()
	if n == 0 {
		return queue.Status(d.str())
	}
	if n >= uint64(len(statuses)) {
		d.err = fmt.Errorf("unknown status %d", n)
		return ""
	}
	return statuses[n]
}

func (d *dec) str() string {
	b := d.take(d.uv())
	if d.skip {
		return ""
	}
	return string(b)
}
func (d *dec) bytesV() []byte { return bytes.Clone(d.take(d.uv())) }

func (d *dec) time() time.Time {
	ns, off := d.sv(), d.sv()
	return timeAt(ns, int(off))
}

func (d *dec) timeFrom(base time.Time) time.Time {
	ns, off := d.sv(), d.sv()
	return timeAt(base.UnixNano()+ns, offsetOf(base)+int(off))
}

func (d *dec) ulid() string {
	b := d.take(16)
	if d.err != nil {
		return ""
	}
	var id ulid.ULID
	copy(id[:], b)
	return id.String()
}

func (d *dec) done(what string) error {
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes left over", len(d.b))
	}
	if d.err != nil {
		return fmt.Errorf("decode %s: %w", what, d.err)
	}
	return nil
}

func offsetOf(t time.Time) int { _, off := t.Zone(); return off }

// timeAt is the instant ns in a zone of offset off, as encoding/json reads
// a time written with that offset: UTC for 0, the local zone when it has
// that offset then, a fixed zone otherwise.
func timeAt(ns int64, off int) time.Time {
	t := time.Unix(0, ns)
	if off == 0 {
		return t.UTC()
	}
	if l := t.In(time.Local); offsetOf(l) == off {
		return l
	}
	return t.In(time.FixedZone("", off))
}

// ulidBytes is the 16 bytes of a canonical ULID string (false otherwise).
func ulidBytes(s string) ([16]byte, bool) {
	id, err := ulid.ParseStrict(s)
	if err != nil || id.String() != s {
		return id, false
	}
	return id, true
}

// Request record flags.
const (
	rfErased = 1 << iota
	rfStationOwn
	rfFirstSame
	rfCalled
	rfServing
	rfDone
	rfClosed
	rfClosedIsDone
	rfQueued
	rfQueuedIsArrived
	rfUpdatedIsArrived
	rfNotes
	rfSurveyed // the survey (SKM) was answered (survey.answered; survey.go)
)

// encodeRequest is the stored form of r (its facts; the ID is the key) and
// the refs to its personal part.
func encodeRequest(r queue.Request, rf refs, station string) []byte {
	var flags uint64
	set := func(f uint64, ok bool) {
		if ok {
			flags |= f
		}
	}
	set(rfErased, r.Erased)
	set(rfStationOwn, r.Station == station)
	set(rfFirstSame, r.FirstService == r.Service)
	set(rfCalled, r.CalledAt != nil)
	set(rfServing, r.ServingAt != nil)
	set(rfDone, r.DoneAt != nil)
	closedIsDone := r.ClosedAt != nil && r.DoneAt != nil && sameTime(*r.ClosedAt, *r.DoneAt)
	set(rfClosed, r.ClosedAt != nil && !closedIsDone)
	set(rfClosedIsDone, closedIsDone)
	queuedIsArrived := !r.QueuedAt.IsZero() && sameTime(r.QueuedAt, r.ArrivedAt)
	set(rfQueued, !r.QueuedAt.IsZero() && !queuedIsArrived)
	set(rfQueuedIsArrived, queuedIsArrived)
	set(rfUpdatedIsArrived, sameTime(r.UpdatedAt, r.ArrivedAt))
	set(rfNotes, rf.notes != 0)
	set(rfSurveyed, r.Surveyed)
	e := enc{b: make([]byte, 0, 128)}
	e.raw([]byte{recVersion})
	e.uv(flags)
	e.str(r.TrackingCode)
	e.str(r.Ticket)
	e.day(r.Day)
	e.str(r.Service)
	if flags&rfFirstSame == 0 {
		e.str(r.FirstService)
	}
	e.status(r.Status)
	e.str(string(r.Priority))
	if flags&rfStationOwn == 0 {
		e.str(r.Station)
	}
	e.time(r.ArrivedAt)
	for _, t := range []*time.Time{r.CalledAt, r.ServingAt, r.DoneAt} {
		if t != nil {
			e.timeFrom(*t, r.ArrivedAt)
		}
	}
	if flags&rfClosed != 0 {
		e.timeFrom(*r.ClosedAt, r.ArrivedAt)
	}
	if flags&rfQueued != 0 {
		e.timeFrom(r.QueuedAt, r.ArrivedAt)
	}
	if flags&rfUpdatedIsArrived == 0 {
		e.timeFrom(r.UpdatedAt, r.ArrivedAt)
	}
	e.uv(uint64(r.Calls))
	e.uv(uint64(r.Transfers))
	e.uv(uint64(r.Reopens))
	e.str(r.Counter)
	e.str(r.Clerk)
	e.uv(uint64(len(r.DocumentsReceived)))
	for _, d := range r.DocumentsReceived {
		e.str(d)
	}
	e.uv(uint64(len(r.EventSeqs)))
	var prev uint64
	for _, s := range r.EventSeqs {
		e.uv(s - prev) // ascending
		prev = s
	}
	e.uv(rf.personal)
	if flags&rfNotes != 0 {
		e.uv(rf.notes)
	}
	return e.b
}

// sameTime: the same instant in the same offset (so the same JSON).
func sameTime(a, b time.Time) bool { return a.Equal(b) && offsetOf(a) == offsetOf(b) }

// decodeRequest reads a stored request (key id): its facts and refs. A
// value that starts with '{' is a request of schema 2 or before (JSON,
// with its personal part inside), as the migration reads it.
func decodeRequest(id []byte, v []byte, station string) (queue.Request, refs, error) {
	var r queue.Request
	if len(v) > 0 && v[0] == '{' {
		err := json.Unmarshal(v, &r)
		return r, refs{}, err
	}
	if len(v) == 0 || v[0] != recVersion {
		return r, refs{}, fmt.Errorf("request record of an unknown version")
	}
	d := dec{b: v[1:]}
	flags := d.uv()
	r.ID = string(id)
	r.TrackingCode = d.str()
	r.Ticket = d.str()
	r.Day = d.day()
	r.Service = d.str()
	r.FirstService = r.Service
	if flags&rfFirstSame == 0 {
		r.FirstService = d.str()
	}
	r.Status = d.status()
	r.Priority = queue.Priority(d.str())
	r.Station = station
	if flags&rfStationOwn == 0 {
		r.Station = d.str()
	}
	r.ArrivedAt = d.time()
	opt := func(f uint64) *time.Time {
		if flags&f == 0 {
			return nil
		}
		t := d.timeFrom(r.ArrivedAt)
		return &t
	}
	r.CalledAt, r.ServingAt, r.DoneAt = opt(rfCalled), opt(rfServing), opt(rfDone)
	r.ClosedAt = opt(rfClosed)
	if flags&rfClosedIsDone != 0 && r.DoneAt != nil {
		t := *r.DoneAt
		r.ClosedAt = &t
	}
	switch {
	case flags&rfQueued != 0:
		r.QueuedAt = d.timeFrom(r.ArrivedAt)
	case flags&rfQueuedIsArrived != 0:
		r.QueuedAt = r.ArrivedAt
	}
	r.UpdatedAt = r.ArrivedAt
	if flags&rfUpdatedIsArrived == 0 {
		r.UpdatedAt = d.timeFrom(r.ArrivedAt)
	}
	r.Calls = int(d.uv())
	r.Transfers = int(d.uv())
	r.Reopens = int(d.uv())
	r.Counter = d.str()
	r.Clerk = d.str()
	if n := d.uv(); n > 0 && d.err == nil && n <= uint64(len(d.b)) {
		r.DocumentsReceived = make([]string, n)
		for i := range r.DocumentsReceived {
			r.DocumentsReceived[i] = d.str()
		}
	}
	if n := d.uv(); n > 0 && d.err == nil && n <= uint64(len(d.b)) {
		r.EventSeqs = make([]uint64, n)
		var prev uint64
		for i := range r.EventSeqs {
			prev += d.uv()
			r.EventSeqs[i] = prev
		}
	}
	r.Erased = flags&rfErased != 0
	r.Surveyed = flags&rfSurveyed != 0
	var rf refs
	rf.personal = d.uv()
	if flags&rfNotes != 0 {
		rf.notes = d.uv()
	}
	if d.err == nil && len(d.b) == 0 {
		return r, rf, nil
	}
	return r, rf, d.done("request " + string(id))
}

// requestRefs reads only the refs of a stored request (they are at its
// end, so the whole record is decoded; it is small).
func requestRefs(id, v []byte) (refs, error) {
	_, rf, err := decodeRequest(id, v, "")
	return rf, err
}

// encodePersonal is the stored form of a personal part.
func encodePersonal(p queue.Personal) []byte {
	e := enc{b: make([]byte, 0, 1+17+len(p.Name)+len(p.NIK)+len(p.Phone)+len(p.Notes)+4)}
	e.raw([]byte{recVersion})
	e.bytes(p.Key)
	e.str(p.Name)
	e.str(p.NIK)
	e.str(p.Phone)
	e.str(p.Notes)
	return e.b
}

func decodePersonal(v []byte) (queue.Personal, error) {
	var p queue.Personal
	if len(v) == 0 || v[0] != recVersion {
		return p, fmt.Errorf("personal record of an unknown version")
	}
	d := dec{b: v[1:]}
	if p.Key = d.bytesV(); len(p.Key) == 0 {
		p.Key = nil
	}
	p.Name, p.NIK, p.Phone, p.Notes = d.str(), d.str(), d.str(), d.str()
	return p, d.done("personal part")
}

// Event types as one byte.
var eventTypes = []string{"", queue.EventCreated, queue.EventCalled, queue.EventRecalled, queue.EventServing, queue.EventDone,
	queue.EventNoShow, queue.EventCancelled, queue.EventRequeued, queue.EventTransferred, queue.EventReopened,
	queue.EventCatalog, queue.EventIdentified, queue.EventErased}

var eventTypeCode = func() map[string]uint64 {
	m := map[string]uint64{}
	for i, t := range eventTypes {
		if t != "" {
			m[t] = uint64(i)
		}
	}
	return m
}()

// Event flags and data kinds.
const (
	efOwnStation = 1 << iota // station and epoch are the database's
	efRequest                // has a request ID
	efAtIsID                 // (unused bit kept for order)
)

const (
	dkNone       = iota // no data
	dkRaw               // the JSON bytes as they are
	dkCreated           // queue.CreatedData, compact
	dkIdentified        // queue.IdentifiedData: the digest's 16 bytes, or none
	dkChosen            // {"chosen":true}
)

// Created data flags.
const (
	cfIDIsRequest = 1 << iota
	cfStationIsEvent
	cfFirstSame
	cfArrivedIsAt
	cfQueuedIsArrived
	cfQueuedZero
	cfUpdatedIsArrived
	cfCounterIsEvent
	cfClerkIsEvent
	cfDigest
)

// encodeEvent is the stored form of e (without Personal; Seq is the key).
// own is the database's identity: an event of it keeps no station or epoch.
// An event whose compact form would not decode to the same event is
// stored as JSON.
func encodeEvent(e queue.Event, own Identity) ([]byte, error) {
	e.Personal = nil
	if v, ok := encodeEventCompact(e, own); ok {
		return v, nil
	}
	if e.Station == own.StationID && e.Epoch == own.Epoch {
		e.Station, e.Epoch = "", ""
	}
	return json.Marshal(e)
}

func encodeEventCompact(e queue.Event, own Identity) ([]byte, bool) {
	id, ok := ulidBytes(e.ID)
	typ, known := eventTypeCode[e.Type]
	if !ok || !known {
		return nil, false
	}
	var flags uint64
	if e.Station == own.StationID && e.Epoch == own.Epoch {
		flags |= efOwnStation
	}
	var rid [16]byte
	if e.RequestID != "" {
		if rid, ok = ulidBytes(e.RequestID); !ok {
			return nil, false
		}
		flags |= efRequest
	}
	en := enc{b: make([]byte, 0, 96)}
	en.raw([]byte{recVersion})
	en.uv(flags)
	en.raw(id[:])
	en.uv(typ)
	if flags&efRequest != 0 {
		en.raw(rid[:])
	}
	en.time(e.At)
	if flags&efOwnStation == 0 {
		en.str(e.Station)
		en.str(e.Epoch)
	}
	en.str(e.Counter)
	en.str(e.Clerk)
	switch {
	case len(e.Data) == 0:
		en.uv(dkNone)
	case e.Type == queue.EventCalled && bytes.Equal(e.Data, queue.ChosenCall):
		en.uv(dkChosen)
	case e.Type == queue.EventCreated && encodeCreated(&en, e):
	case e.Type == queue.EventIdentified && encodeIdentified(&en, e.Data):
	default:
		en.uv(dkRaw)
		en.bytes(e.Data)
	}
	// Decode it again: what does not come back the same is kept as JSON.
	back, err := decodeEventCompact(e.Seq, en.b, own)
	if err != nil || !sameEvent(e, back) {
		return nil, false
	}
	return en.b, true
}

func sameEvent(a, b queue.Event) bool {
	return a.Seq == b.Seq && a.ID == b.ID && a.Type == b.Type && a.RequestID == b.RequestID && sameTime(a.At, b.At) &&
		a.Station == b.Station && a.Epoch == b.Epoch && a.Counter == b.Counter && a.Clerk == b.Clerk &&
		bytes.Equal(a.Data, b.Data)
}

func encodeCreated(en *enc, e queue.Event) bool {
	var d queue.CreatedData
	if json.Unmarshal(e.Data, &d) != nil {
		return false
	}
	digest, err := hex.DecodeString(d.PersonalDigest)
	if err != nil || hex.EncodeToString(digest) != d.PersonalDigest {
		return false
	}
	var flags uint64
	set := func(f uint64, ok bool) {
		if ok {
			flags |= f
		}
	}
	set(cfIDIsRequest, d.ID == e.RequestID)
	set(cfStationIsEvent, d.Station == e.Station)
	set(cfFirstSame, d.FirstService == d.Service)
	set(cfArrivedIsAt, sameTime(d.ArrivedAt, e.At))
	set(cfQueuedZero, d.QueuedAt.IsZero())
	set(cfQueuedIsArrived, !d.QueuedAt.IsZero() && sameTime(d.QueuedAt, d.ArrivedAt))
	set(cfUpdatedIsArrived, sameTime(d.UpdatedAt, d.ArrivedAt))
	set(cfCounterIsEvent, d.Counter == e.Counter)
	set(cfClerkIsEvent, d.Clerk == e.Clerk)
	set(cfDigest, len(digest) > 0)
	en.uv(dkCreated)
	en.uv(flags)
	if flags&cfIDIsRequest == 0 {
		en.str(d.ID)
	}
	en.str(d.TrackingCode)
	en.str(d.Ticket)
	en.day(d.Day)
	en.str(d.Service)
	if flags&cfFirstSame == 0 {
		en.str(d.FirstService)
	}
	en.status(d.Status)
	en.str(string(d.Priority))
	if flags&cfStationIsEvent == 0 {
		en.str(d.Station)
	}
	if flags&cfArrivedIsAt == 0 {
		en.timeFrom(d.ArrivedAt, e.At)
	}
	if flags&(cfQueuedZero|cfQueuedIsArrived) == 0 {
		en.timeFrom(d.QueuedAt, d.ArrivedAt)
	}
	if flags&cfUpdatedIsArrived == 0 {
		en.timeFrom(d.UpdatedAt, d.ArrivedAt)
	}
	if flags&cfCounterIsEvent == 0 {
		en.str(d.Counter)
	}
	if flags&cfClerkIsEvent == 0 {
		en.str(d.Clerk)
	}
	// nil and empty marshal alike (omitempty): the count says which is none.
	en.uv(uint64(len(d.DocumentsReceived)))
	for _, doc := range d.DocumentsReceived {
		en.str(doc)
	}
	if flags&cfDigest != 0 {
		en.bytes(digest)
	}
	return true
}

func encodeIdentified(en *enc, data []byte) bool {
	var d queue.IdentifiedData
	if json.Unmarshal(data, &d) != nil {
		return false
	}
	digest, err := hex.DecodeString(d.PersonalDigest)
	if err != nil || hex.EncodeToString(digest) != d.PersonalDigest {
		return false
	}
	en.uv(dkIdentified)
	en.bytes(digest)
	return true
}

// decodeEvent reads a stored event (without its personal part).
func decodeStoredEvent(seq uint64, v []byte, own Identity) (queue.Event, error) {
	if len(v) > 0 && v[0] == '{' {
		var e queue.Event
		if err := json.Unmarshal(v, &e); err != nil {
			return e, err
		}
		if e.Station == "" && e.Epoch == "" {
			e.Station, e.Epoch = own.StationID, own.Epoch
		}
		return e, nil
	}
	return decodeEventCompact(seq, v, own)
}

func decodeEventCompact(seq uint64, v []byte, own Identity) (queue.Event, error) {
	return decodeEventRecord(seq, v, own, false)
}

// eventHead decodes a stored event, every field read and checked, but the
// JSON of its data made only when it is kept as it is (Check reads every
// event this way: the type and request are what it needs).
func eventHead(seq uint64, v []byte, own Identity) (queue.Event, error) {
	if len(v) > 0 && v[0] == '{' {
		return decodeStoredEvent(seq, v, own)
	}
	return decodeEventRecord(seq, v, own, true)
}

func decodeEventRecord(seq uint64, v []byte, own Identity, light bool) (queue.Event, error) {
	var e queue.Event
	if len(v) == 0 || v[0] != recVersion {
		return e, fmt.Errorf("event record of an unknown version")
	}
	d := dec{b: v[1:]}
	flags := d.uv()
	e.Seq = seq
	if light {
		d.take(16) // the event's own ID: not needed
	} else {
		e.ID = d.ulid()
	}
	if t := d.uv(); t > 0 && t < uint64(len(eventTypes)) {
		e.Type = eventTypes[t]
	} else if d.err == nil {
		return e, fmt.Errorf("event %d: unknown type %d", seq, t)
	}
	if flags&efRequest != 0 {
		e.RequestID = d.ulid()
	}
	e.At = d.time()
	d.skip = light // what follows is not needed by eventHead
	e.Station, e.Epoch = own.StationID, own.Epoch
	if flags&efOwnStation == 0 {
		e.Station, e.Epoch = d.str(), d.str()
	}
	e.Counter = d.str()
	e.Clerk = d.str()
	switch kind := d.uv(); kind {
	case dkNone:
	case dkRaw:
		e.Data = d.bytesV()
	case dkChosen:
		e.Data = append(json.RawMessage(nil), queue.ChosenCall...)
	case dkIdentified:
		digest := d.take(d.uv())
		if light {
			break
		}
		data, err := json.Marshal(queue.IdentifiedData{PersonalDigest: hex.EncodeToString(digest)})
		if err != nil {
			return e, err
		}
		e.Data = data
	case dkCreated:
		data, err := decodeCreated(&d, e, light)
		if err != nil {
			return e, err
		}
		e.Data = data
	default:
		if d.err == nil {
			return e, fmt.Errorf("event %d: unknown data kind %d", seq, kind)
		}
	}
	if d.err == nil && len(d.b) == 0 {
		return e, nil
	}
	return e, d.done(fmt.Sprintf("event %d", seq))
}

func decodeCreated(d *dec, e queue.Event, light bool) ([]byte, error) {
	var c queue.CreatedData
	flags := d.uv()
	c.ID = e.RequestID
	if flags&cfIDIsRequest == 0 {
		c.ID = d.str()
	}
	c.TrackingCode = d.str()
	c.Ticket = d.str()
	c.Day = d.day()
	c.Service = d.str()
	c.FirstService = c.Service
	if flags&cfFirstSame == 0 {
		c.FirstService = d.str()
	}
	c.Status = d.status()
	c.Priority = queue.Priority(d.str())
	c.Station = e.Station
	if flags&cfStationIsEvent == 0 {
		c.Station = d.str()
	}
	c.ArrivedAt = e.At
	if flags&cfArrivedIsAt == 0 {
		c.ArrivedAt = d.timeFrom(e.At)
	}
	switch {
	case flags&cfQueuedZero != 0:
	case flags&cfQueuedIsArrived != 0:
		c.QueuedAt = c.ArrivedAt
	default:
		c.QueuedAt = d.timeFrom(c.ArrivedAt)
	}
	c.UpdatedAt = c.ArrivedAt
	if flags&cfUpdatedIsArrived == 0 {
		c.UpdatedAt = d.timeFrom(c.ArrivedAt)
	}
	c.Counter = e.Counter
	if flags&cfCounterIsEvent == 0 {
		c.Counter = d.str()
	}
	c.Clerk = e.Clerk
	if flags&cfClerkIsEvent == 0 {
		c.Clerk = d.str()
	}
	if n := d.uv(); n > 0 && d.err == nil && n <= uint64(len(d.b)) {
		c.DocumentsReceived = make([]string, n)
		for i := range c.DocumentsReceived {
			c.DocumentsReceived[i] = d.str()
		}
	}
	if flags&cfDigest != 0 {
		c.PersonalDigest = hex.EncodeToString(d.take(d.uv()))
	}
	if d.err != nil || light {
		return nil, d.err
	}
	return json.Marshal(c)
}
