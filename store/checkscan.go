package store

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/queue"
)

// Check's reading of the compact records (codec.go) without building
// queue values: every field is read and its length checked, as the
// decoders do, but strings stay slices of the page and nothing is
// allocated. A record these cannot read (JSON kept as it was, a version
// they do not know) is left to the decoders.

// reqScan is what Check needs of a stored request.
type reqScan struct {
	tracking, ticket, service, priority []byte
	day                                 []byte // YYYY-MM-DD in the record, unless dayInBuf (dayText)
	dayInBuf                            bool
	waiting                             bool
	queuedNS                            int64 // the queue position (queued, or arrived)
	seqs                                []byte
	nseqs                               uint64
	personal, notes                     uint64
	dayBuf                              [10]byte
	dayN                                uint64 // the day dayBuf holds
}

// scanRequest reads a stored request record of the compact form (false:
// not that form, decode it).
func scanRequest(v []byte, r *reqScan) (bool, error) {
	if len(v) == 0 || v[0] != recVersion {
		return false, nil
	}
	d := dec{b: v[1:], skip: true}
	flags := d.uv()
	r.tracking = d.take(d.uv())
	r.ticket = d.take(d.uv())
	r.dayInBuf = false
	if n := d.uv(); n == 0 {
		r.day = d.take(d.uv())
	} else if d.err == nil {
		if n != r.dayN { // requests come by arrival: most are of the day before them
			time.Unix(int64(n-1)*86400, 0).UTC().AppendFormat(r.dayBuf[:0], time.DateOnly)
			r.dayN = n
		}
		r.dayInBuf = true // not r.day = r.dayBuf[:]: a slice of r kept in r would put r on the heap
	}
	r.service = d.take(d.uv())
	if flags&rfFirstSame == 0 {
		d.take(d.uv())
	}
	st := d.uv()
	switch {
	case st == 0:
		r.waiting = string(d.take(d.uv())) == string(queue.StatusWaiting)
	case st < uint64(len(statuses)):
		r.waiting = statuses[st] == queue.StatusWaiting
	case d.err == nil:
		return true, fmt.Errorf("unknown status %d", st)
	}
	r.priority = d.take(d.uv())
	if flags&rfStationOwn == 0 {
		d.take(d.uv())
	}
	arrived := d.sv()
	d.sv()
	for f := uint64(rfCalled); f <= rfClosed; f <<= 1 { // called, serving, done, closed
		if flags&f != 0 {
			d.sv()
			d.sv()
		}
	}
	r.queuedNS = arrived
	if flags&rfQueued != 0 {
		r.queuedNS = arrived + d.sv()
		d.sv()
	}
	if flags&rfUpdatedIsArrived == 0 {
		d.sv()
		d.sv()
	}
	d.uv() // calls
	d.uv() // transfers
	d.uv() // reopens
	d.take(d.uv())
	d.take(d.uv())
	for n := d.uv(); n > 0 && d.err == nil; n-- {
		d.take(d.uv())
	}
	r.nseqs = d.uv()
	start := d.b
	for i := uint64(0); i < r.nseqs && d.err == nil; i++ {
		d.uv()
	}
	if d.err == nil {
		r.seqs = start[:len(start)-len(d.b)]
	}
	r.personal = d.uv()
	r.notes = 0
	if flags&rfNotes != 0 {
		r.notes = d.uv()
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes left over", len(d.b))
	}
	return true, d.err
}

// dayText is the request's day, YYYY-MM-DD.
func (r *reqScan) dayText() []byte {
	if r.dayInBuf {
		return r.dayBuf[:]
	}
	return r.day
}

// scanPersonal reads a personal record's NIK and name.
func scanPersonal(v []byte) (nik, name []byte, err error) {
	if len(v) == 0 || v[0] != recVersion {
		return nil, nil, fmt.Errorf("personal record of an unknown version")
	}
	d := dec{b: v[1:], skip: true}
	d.take(d.uv()) // key
	name = d.take(d.uv())
	nik = d.take(d.uv())
	d.take(d.uv()) // phone
	d.take(d.uv()) // notes
	return nik, name, d.done("personal part")
}

// scanEvent reads a stored event of the compact form: its type and
// request (false: not that form, decode it).
func scanEvent(v []byte) (ok bool, typ string, rid []byte, err error) {
	if len(v) == 0 || v[0] != recVersion {
		return false, "", nil, nil
	}
	d := dec{b: v[1:], skip: true}
	flags := d.uv()
	d.take(16)
	t := d.uv()
	if d.err == nil && (t == 0 || t >= uint64(len(eventTypes))) {
		return true, "", nil, fmt.Errorf("unknown type %d", t)
	}
	typ = eventTypes[min(t, uint64(len(eventTypes)-1))]
	if flags&efRequest != 0 {
		rid = d.take(16)
	}
	d.sv()
	d.sv()
	if flags&efOwnStation == 0 {
		d.take(d.uv())
		d.take(d.uv())
	}
	d.take(d.uv())
	d.take(d.uv())
	switch kind := d.uv(); kind {
	case dkNone, dkChosen:
	case dkRaw, dkIdentified:
		d.take(d.uv())
	case dkCreated:
		scanCreated(&d)
	default:
		if d.err == nil {
			return true, typ, rid, fmt.Errorf("unknown data kind %d", kind)
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes left over", len(d.b))
	}
	return true, typ, rid, d.err
}

// scanCreated reads past a created event's compact data (decodeCreated).
func scanCreated(d *dec) {
	flags := d.uv()
	str := func() { d.take(d.uv()) }
	if flags&cfIDIsRequest == 0 {
		str()
	}
	str() // tracking code
	str() // ticket
	if d.uv() == 0 {
		str()
	}
	str() // service
	if flags&cfFirstSame == 0 {
		str()
	}
	if st := d.uv(); st == 0 {
		str()
	} else if st >= uint64(len(statuses)) && d.err == nil {
		d.err = fmt.Errorf("unknown status %d", st)
	}
	str() // priority
	if flags&cfStationIsEvent == 0 {
		str()
	}
	tm := func() { d.sv(); d.sv() }
	if flags&cfArrivedIsAt == 0 {
		tm()
	}
	if flags&(cfQueuedZero|cfQueuedIsArrived) == 0 {
		tm()
	}
	if flags&cfUpdatedIsArrived == 0 {
		tm()
	}
	if flags&cfCounterIsEvent == 0 {
		str()
	}
	if flags&cfClerkIsEvent == 0 {
		str()
	}
	for n := d.uv(); n > 0 && d.err == nil; n-- {
		str()
	}
	if flags&cfDigest != 0 {
		str()
	}
}

// indexSum adds up the hashes of index entries (key, value): two sums are
// equal when the entries are, but for a chance of 2^-64 with a seed no
// one knows beforehand.
type indexSum struct {
	seed maphash.Seed
	sum  uint64
	n    uint64
}

func (s *indexSum) hash(k, v []byte) uint64 {
	h := maphash.Bytes(s.seed, k)
	if len(v) > 0 { // key and value hashed apart (no copy), mixed so that the pair counts, not each alone
		h = mix64(h ^ mix64(maphash.Bytes(s.seed, v)+0x9E3779B97F4A7C15))
	}
	return h
}

// mix64 is SplitMix64's finaliser: every bit of x moves every bit out.
func mix64(x uint64) uint64 {
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}

func (s *indexSum) add(k, v []byte) {
	s.sum += s.hash(k, v)
	s.n++
}

// requestIndex adds every index entry of request id (the same as
// expectedIndex of it, joined with a personal part of nik and name) to
// sum, building each key in kb.
func requestIndex(sum *indexSum, kb *[]byte, id []byte, r *reqScan, nik, name []byte) {
	k := (*kb)[:0]
	put := func(v []byte) { sum.add(k, v) }
	// ticket
	code, n, _ := parseTicket(string(r.ticket))
	k = append(append(append(append(append(k, pTicket), r.dayText()...), '/'), code...), 0)
	k = binary.BigEndian.AppendUint32(k, n)
	put(id)
	k = append(append(k[:0], pTracking), r.tracking...)
	put(id)
	if len(r.tracking) == 14 {
		k = append(append(append(append(k[:0], pTrackEnd), r.tracking[10:]...), '/'), id...)
		put(nil)
	}
	*kb = k
	identityIndex(sum, kb, id, nik, name)
	k = *kb
	if r.waiting {
		k = append(append(k[:0], pWaiting), r.dayText()...)
		if len(r.priority) > 0 {
			k = append(k, 0)
		} else {
			k = append(k, 1)
		}
		k = binary.BigEndian.AppendUint64(k, uint64(r.queuedNS))
		k = append(k, id...)
		put(r.service)
	}
	*kb = k
}

// identityIndex adds the index entries of a personal part of nik and name
// (request id's) to sum.
func identityIndex(sum *indexSum, kb *[]byte, id, nik, name []byte) {
	k := (*kb)[:0]
	if len(nik) > 0 {
		k = append(append(append(append(k, pNIK), nik...), '/'), id...)
		sum.add(k, nil)
		k = append(append(append(append(k[:0], pNIKLast), nik[max(0, len(nik)-4):]...), '/'), id...)
		sum.add(k, nil)
	}
	if len(name) > 0 {
		nameWords(name, func(w []byte) {
			k = append(append(append(append(k[:0], pName), w...), 0), id...)
			sum.add(k, nil)
		})
	}
	*kb = k
}

// nameWords calls fn with each word of name as nameTokens has it; an ASCII
// name (most) without allocating.
func nameWords(name []byte, fn func([]byte)) {
	var lower [96]byte
	if len(name) > len(lower) {
		for _, w := range nameTokens(string(name)) {
			fn([]byte(w))
		}
		return
	}
	for _, c := range name {
		if c >= 0x80 {
			for _, w := range nameTokens(string(name)) {
				fn([]byte(w))
			}
			return
		}
	}
	// Lower case, every separator a space; then each word not seen before it.
	for i, c := range name {
		switch {
		case c >= 'A' && c <= 'Z':
			lower[i] = c + 'a' - 'A'
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			lower[i] = c
		default:
			lower[i] = ' '
		}
	}
	text := lower[:len(name)]
	spaceWords(text, func(i int, w []byte) bool {
		seen := false
		spaceWords(text[:i], func(_ int, before []byte) bool {
			seen = string(before) == string(w)
			return !seen
		})
		if !seen {
			fn(w)
		}
		return true
	})
}

// spaceWords calls fn with each word of the space-separated text and the
// offset it starts at, until fn returns false.
func spaceWords(text []byte, fn func(at int, word []byte) bool) {
	for i := 0; i < len(text); {
		if text[i] == ' ' {
			i++
			continue
		}
		j := i
		for j < len(text) && text[j] != ' ' {
			j++
		}
		if !fn(i, text[i:j]) {
			return
		}
		i = j
	}
}

// ulidText writes the 26-character form of a 16-byte ULID into buf.
func ulidText(buf *[26]byte, b []byte) []byte {
	var id ulid.ULID
	copy(id[:], b)
	_ = id.MarshalTextTo(buf[:])
	return buf[:]
}

// bitmap is a set of sequence numbers.
type bitmap []uint64

func newBitmap(n uint64) bitmap    { return make(bitmap, (n+63)/64) }
func (b bitmap) get(i uint64) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitmap) set(i uint64)      { b[i/64] |= 1 << (i % 64) }
