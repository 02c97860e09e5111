package store

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/internal/atomicfile"
	"github.com/loket-id/loket/internal/boltcheck"
	"github.com/loket-id/loket/queue"
)

// CheckReport is what Check found.
type CheckReport struct {
	Requests int      `json:"requests"`
	Events   uint64   `json:"events"`
	Problems []string `json:"problems"`
}

// OK reports whether no problem was found.
func (r CheckReport) OK() bool { return len(r.Problems) == 0 }

// DamageMarkSuffix names the file beside the database (loket.db.damaged)
// in which Check records the problems it found. While it exists the store
// refuses every write; a Check that finds nothing removes it.
const DamageMarkSuffix = ".damaged"

// Check verifies the database: its structure (boltcheck.Deep, with this
// process's writers held off: both meta pages, the freelist, every page in
// use reachable once and not free, none lost, each page's header and
// elements, and the order of every key, which is what bbolt's own
// Tx.Check verifies) and, in a read transaction of the snapshot walked,
// the store's invariants: every request decodes and is reachable from
// each of its index entries, the index holds nothing else (so no ticket
// is used twice on a day), the event log is contiguous from 1, and every
// request's list of events names its own events. The walk and the
// invariants run at once, on two goroutines (when the root page, whose
// header is checked first, is a leaf: the invariants find their buckets
// in it through bbolt): the invariants read the
// large buckets with boltcheck's Reader, which checks every offset it
// follows (never bbolt's map), and whatever they read through bbolt waits
// for the walk. The walk is skipped for the snapshot Open walked the same
// way (Options.ForCheck). Neither reads a file larger than
// boltcheck.MapMax (64 MB) through a map, so that such a file does not
// become the process's resident memory. It never writes to the database.
// It records its verdict beside it: problems go to the damage mark (path +
// DamageMarkSuffix), which stops every write from then on, in this process
// and in the next to open the file; no problems remove the mark.
//
// A broken structure is also returned as an error matching ErrDamaged, and
// what the invariants found is then left out (they read what is unsound).
func (s *Store) Check(ctx context.Context) (CheckReport, error) {
	var rep CheckReport
	defer s.shared()()
	// The write transaction holds writers off while the structure is
	// walked, so that the file holds still; the read transaction begun
	// under it is the snapshot walked, which the invariants read.
	wtx, err := s.db.Begin(true)
	if err != nil {
		return rep, fmt.Errorf("check %s: %w", s.path, err)
	}
	btx, err := s.db.Begin(false)
	if err != nil {
		_ = wtx.Rollback()
		return rep, fmt.Errorf("check %s: %w", s.path, err)
	}
	defer btx.Rollback()
	var walkErr error
	walked := make(chan struct{})
	overlap := true // the invariants may start before the walk ends
	if snap := (walkedSnapshot{s.db, uint64(btx.ID())}); s.walked == snap {
		s.walked = walkedSnapshot{} // once: a later Check walks again
		_ = wtx.Rollback()
		close(walked)
	} else if quick, err := boltcheck.VerifyHeld(s.path, boltcheck.Quick); err != nil {
		walkErr = err // the meta pages, the root page's header or the freelist
		_ = wtx.Rollback()
		close(walked)
	} else {
		// The invariants find the buckets through bbolt before the walk
		// ends: that reads the root page alone only when it is a leaf.
		overlap = quick.RootLeaf
		go func() {
			defer close(walked)
			defer wtx.Rollback()
			info, err := boltcheck.VerifyHeld(s.path, boltcheck.Deep)
			if err == nil && info.Meta.TxID != snap.txid { // writers are held off: cannot be
				err = fmt.Errorf("check %s: the file's meta page is of transaction %d, bbolt's of %d", s.path, info.Meta.TxID, snap.txid)
			}
			walkErr = err
		}()
	}
	sound := func() bool { <-walked; return walkErr == nil }

	pages, err := boltcheck.OpenReader(s.path, s.db.Info().PageSize)
	if err != nil {
		err = fmt.Errorf("check %s: %w", s.path, err)
	} else {
		defer pages.Close()
		if overlap || sound() {
			err = boltcheck.Guard(s.path, func() error {
				tx := &Tx{s: s, tx: btx}
				tx.checkInvariants(&rep, pages, sound)
				return ctx.Err()
			})
		}
	}
	if !sound() {
		rep = CheckReport{}
		if errors.Is(walkErr, ErrDamaged) {
			var be *boltcheck.Error
			if errors.As(walkErr, &be) {
				rep.Problems = append(rep.Problems, "structure: "+be.Problem)
			}
			if len(rep.Problems) == 0 {
				rep.Problems = append(rep.Problems, "structure: "+walkErr.Error())
			}
			if merr := s.markDamaged(rep.Problems); merr != nil {
				return rep, errors.Join(walkErr, merr)
			}
		}
		return rep, walkErr
	}
	if errors.Is(err, ErrDamaged) {
		var be *boltcheck.Error
		if errors.As(err, &be) {
			rep.Problems = append(rep.Problems, be.Problem)
		}
	}
	if err != nil && !errors.Is(err, ErrDamaged) {
		return rep, err // cancelled: no verdict
	}
	if rep.OK() {
		return rep, s.clearDamageMark()
	}
	if merr := s.markDamaged(rep.Problems); merr != nil {
		return rep, errors.Join(err, merr)
	}
	return rep, err
}

// damage is what the last Check found wrong, "" if nothing.
func (s *Store) damage() string {
	s.damagedMu.Lock()
	defer s.damagedMu.Unlock()
	return s.damaged
}

// markDamaged writes the damage mark and stops this store's writes.
func (s *Store) markDamaged(problems []string) error {
	summary := fmt.Sprintf("%d problems, the first: %s", len(problems), problems[0])
	s.damagedMu.Lock()
	s.damaged = summary
	s.damagedMu.Unlock()
	text := fmt.Sprintf("loket check found %s is damaged on %s; writes are refused until a check finds nothing.\n%s\n",
		s.path, s.clock().Format(time.RFC3339), strings.Join(problems, "\n"))
	if err := atomicfile.Write(s.path+DamageMarkSuffix, []byte(text), 0o600); err != nil {
		return fmt.Errorf("record the damage of %s: %w", s.path, err)
	}
	return nil
}

func (s *Store) clearDamageMark() error {
	s.damagedMu.Lock()
	s.damaged = ""
	s.damagedMu.Unlock()
	if err := os.Remove(s.path + DamageMarkSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the damage mark of %s: %w", s.path, err)
	}
	return nil
}

// readDamageMark is the summary of the damage mark beside path, "" if none.
func readDamageMark(path string) string {
	b, err := os.ReadFile(path + DamageMarkSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		return fmt.Sprintf("the damage mark %s cannot be read (%v)", path+DamageMarkSuffix, err)
	}
	lines := strings.SplitN(string(b), "\n", 3)
	if len(lines) >= 2 && lines[1] != "" {
		return lines[1] + " (see " + path + DamageMarkSuffix + ")"
	}
	return "see " + path + DamageMarkSuffix
}

// needsNoMigration refuses a file whose schema would have to be migrated
// (written) to be used.
func (s *Store) needsNoMigration() error {
	return s.db.View(func(tx *bolt.Tx) error {
		var v uint64
		if m := tx.Bucket(bMeta); m != nil {
			v = getU64(m.Get(kSchemaVersion))
		}
		if v != SchemaVersion() {
			return fmt.Errorf("%w: schema %d needs a migration, which is not done on a file the last check found problems in (%s)",
				ErrDamaged, v, s.damaged)
		}
		return nil
	})
}

// checkInvariants checks the store's invariants in one pass over each
// bucket, without building a queue value for any record that reads well
// (checkscan.go), in memory of 8 bytes per event:
//
//   - every request decodes, under its own ID, and lists its events, each
//     of which is an event of that request (the owner of each event, by
//     sequence number, in an array the event log is then checked against);
//   - the index (with the journal's entries beside the requests, each
//     counted as the keys it holds; journal.go) holds exactly the entries
//     the requests make: the hashes of
//     the entries the requests make and of those the index holds are added
//     up (with a random seed) and compared; only when they differ are the
//     entries hashed, sorted and merged to name the ones missing or stray
//     (diagnoseIndex);
//   - the event log is contiguous from 1 and every event decodes;
//   - every personal record belongs to an event that sets one (merged
//     with the event log, both by sequence number), and every request's
//     personal part is there.
//
// The large buckets are read through pages (boltcheck's Reader, which
// checks every offset it follows) when it is not nil, else through
// bbolt's map. What is
// read through bbolt's map (the index's diagnosis, a record only the
// decoder reads, the hub's buckets) first waits for sound, which says
// whether the structure walk, running at the same time, found the file
// sound; when it did not, checkInvariants stops.
func (tx *Tx) checkInvariants(rep *CheckReport, pages *boltcheck.Reader, sound func() bool) {
	bad := func(format string, args ...any) {
		if len(rep.Problems) < 100 {
			rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...))
		}
	}
	b := func(name []byte) *bolt.Bucket { return tx.tx.Bucket(name) }
	var cursors []*boltcheck.Cursor
	defer func() { // a read that stopped first: what follows it may come of it
		for _, c := range cursors {
			if err := c.Err(); err != nil {
				rep.Problems = append([]string{fmt.Sprintf("reading the file stopped: %v", err)}, rep.Problems...)
			}
		}
	}()
	cursor := func(name []byte) kvCursor {
		bk := b(name)
		if pages == nil || bk.Root() == 0 { // an inline bucket lives in its parent's page
			return bk.Cursor()
		}
		c := pages.Cursor(uint64(bk.Root()))
		cursors = append(cursors, c)
		return c
	}
	var inEvents uint64
	if root := b(bEvents).Root(); pages != nil && root != 0 {
		k, _ := pages.Cursor(uint64(root)).Last() // an event, or the personal record after it (<seq>p)
		inEvents = getU64(k[:min(len(k), 8)])
	} else {
		k, _ := b(bEvents).Cursor().Last() // through the map; an inline bucket lives in the root page
		inEvents = getU64(k[:min(len(k), 8)])
	}
	// The events since the merge are in the journal's bucket, after the
	// others (eventlog.go); the journal holds a day: read whole.
	var inJournal uint64
	jcur := cursor(bJournal)
	for k, _ := jcur.First(); k != nil; k, _ = jcur.Next() {
		if k[0] == ePrefix && (len(k) == 9 || len(k) == 10 && k[9] == 'p') {
			inJournal = max(inJournal, getU64(k[1:9]))
		}
	}
	rep.Events = max(inEvents, inJournal)
	if rep.Events > 1<<40 {
		bad("event log ends at %d, which cannot be", rep.Events)
		return
	}
	seed := maphash.MakeSeed()
	// The owner of an event: a hash of its request's ID (16 bytes; 0: none).
	ownerOf := func(id []byte) uint64 { return maphash.Bytes(seed, id) | 1 }
	ownerOfText := func(text []byte) uint64 {
		var id ulid.ULID
		if id.UnmarshalText(text) != nil {
			return maphash.Bytes(seed, text) | 1 // no ULID: an owner no event names
		}
		return ownerOf(id[:])
	}
	owner := make([]uint64, rep.Events+1)
	want, have := indexSum{seed: seed}, indexSum{seed: seed}

	// Pass 1: the requests; the index entries they make, added up (but
	// those of their personal parts: pass 3); the events they list, in
	// owner; the personal records they read, in current and notes.
	pc := &eventScan{a: cursor(bEvents), b: cursor(bJournal), personal: true} // the personal records, beside the events (eventlog.go)
	current, notes := newBitmap(rep.Events+1), newBitmap(rep.Events+1)
	refer := func(set bitmap, seq uint64, k, ticket []byte) {
		if seq >= uint64(len(owner)) {
			bad("request %s (%s) reads its personal part from event %d, which has none", k, ticket, seq)
			return
		}
		set.set(seq)
	}
	var rs reqScan
	var kb []byte
	// request checks one stored request (k, v), of requests or of the
	// journal's bucket; it reports false when the walk found the file
	// unsound.
	request := func(k, v []byte) bool {
		rep.Requests++
		ok, err := scanRequest(v, &rs)
		if !ok || err != nil { // a record of another form, or a broken one: the decoder says which
			if !sound() {
				return false
			}
			tx.checkRequestDecoded(k, v, &want, owner, ownerOfText, bad)
			return true
		}
		if rs.personal != 0 {
			refer(current, rs.personal, k, rs.ticket)
		}
		if rs.notes != 0 {
			refer(notes, rs.notes, k, rs.ticket)
		}
		requestIndex(&want, &kb, k, &rs, nil, nil)
		if rs.nseqs == 0 {
			bad("request %s (%s) has no events", k, rs.ticket)
		}
		who := ownerOfText(k)
		d := dec{b: rs.seqs}
		var seq uint64
		for range rs.nseqs {
			seq += d.uv()
			listEvent(owner, seq, who, bad)
		}
		return true
	}
	c := cursor(bRequests)
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if !isRequestKey(k) {
			bad("requests holds key %q, which is not a request ID", k)
			continue
		}
		if !request(k, v) {
			return
		}
	}
	// The journal's bucket: today's requests and their journal entries
	// (journal.go), then the events since the merge (pass 2).
	jc := newJournalCheck(tx)
	c = cursor(bJournal)
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if k[0] == ePrefix { // an event or a personal record: pass 2 reads them
			if len(k) != 9 && (len(k) != 10 || k[9] != 'p') {
				bad("the journal holds key %q, of no known form", k)
			}
			continue
		}
		if !sound() { // a journal entry's request and keys are looked up through bbolt's map
			return
		}
		switch {
		case isJournalKey(k):
			jc.entry(k, v, &have, &kb, bad)
		case isRequestKey(k):
			jc.request(k, bad)
			if !request(k, v) {
				return
			}
		default:
			bad("the journal holds key %q, of no known form", k)
		}
	}

	// Pass 2: the event log, contiguous from 1, each event decoding and
	// being its listing request's own; the personal records merged in, and
	// the index entries of those that are a request's current one added
	// up, with the request's ID from the event.
	var next uint64 = 1
	var idText [26]byte
	pk, pv := pc.First()
	ec := &eventScan{a: cursor(bEvents), b: cursor(bJournal)}
	for k, v := ec.First(); k != nil; k, v = ec.Next() {
		seq := getU64(k)
		if seq != next {
			bad("event log jumps from %d to %d", next-1, seq)
			for s := next; s < seq && s < uint64(len(owner)); s++ {
				if owner[s] != 0 {
					bad("a request lists event %d, which does not exist", s)
				}
			}
		}
		next = seq + 1
		ok, typ, rid, err := scanEvent(v)
		ridText := func() []byte { return ulidText(&idText, rid) }
		if !ok {
			if !sound() {
				return
			}
			var e queue.Event
			if e, err = eventHead(seq, v, tx.ident()); err == nil {
				typ = e.Type
				ridText = func() []byte { return []byte(e.RequestID) }
				if id, perr := ulid.ParseStrict(e.RequestID); perr == nil {
					rid = id[:]
				}
			}
		}
		if err != nil {
			bad("event %d does not decode: %v", seq, err)
		}
		if seq < uint64(len(owner)) && owner[seq] != 0 && err == nil && (rid == nil || ownerOf(rid) != owner[seq]) {
			bad("a request lists event %d, which is not its own (it is request %s's)", seq, ridText())
		}
		for ; pk != nil && getU64(pk) < seq; pk, pv = pc.Next() {
			bad("personal record of event %d, which does not exist", getU64(pk))
		}
		hasPersonal := pk != nil && getU64(pk) == seq
		if hasPersonal {
			nik, name, perr := scanPersonal(pv)
			switch {
			case perr != nil:
				bad("personal record of event %d does not decode: %v", seq, perr)
			case err == nil && typ != queue.EventCreated && typ != queue.EventIdentified && typ != queue.EventSurveyed:
				bad("personal record of event %d, a %s", seq, typ)
			case err == nil && seq < uint64(len(current)*64) && current.get(seq):
				identityIndex(&want, &kb, ridText(), nik, name)
			}
			pk, pv = pc.Next()
		}
		if !hasPersonal && seq < uint64(len(current)*64) && (current.get(seq) || notes.get(seq)) {
			bad("request %s reads its personal part from event %d, which has none", ridText(), seq)
		}
	}
	for ; pk != nil; pk, pv = pc.Next() {
		bad("personal record of event %d, which does not exist", getU64(pk))
	}
	for s := next; s < uint64(len(current)*64) && s <= rep.Events; s++ {
		if current.get(s) || notes.get(s) {
			bad("a request reads its personal part from event %d, which does not exist", s)
		}
	}

	// Pass 3: the index, added up the same way.
	ic := cursor(bIdx)
	for k, v := ic.First(); k != nil; k, v = ic.Next() {
		have.add(k, v)
	}
	if !sound() { // what follows reads through bbolt's map
		return
	}
	if want.sum != have.sum || want.n != have.n {
		if !tx.diagnoseIndex(bad) {
			bad("the index holds %d entries and the requests make %d, but no one entry could be named", have.n, want.n)
		}
	}
	// The office hub's counters and their token index (counters.go).
	tx.checkCounters(bad)
	// The waiting room's devices and their token index (devices.go).
	tx.checkDevices(bad)
}

// kvCursor is how checkInvariants reads a bucket: bbolt's cursor, or a
// boltcheck.Reader's.
type kvCursor interface {
	First() (key, value []byte)
	Next() (key, value []byte)
}

// listEvent records that the request who lists event seq.
func listEvent(owner []uint64, seq, who uint64, bad func(string, ...any)) {
	switch {
	case seq == 0 || seq >= uint64(len(owner)):
		bad("a request lists event %d, which does not exist", seq)
	case owner[seq] != 0 && owner[seq] != who:
		bad("event %d is listed by two requests", seq)
	default:
		owner[seq] = who
	}
}

// checkRequestDecoded is pass 1 for a request the scan could not read: it
// is decoded (which names what is wrong with it) and joined.
func (tx *Tx) checkRequestDecoded(k, v []byte, want *indexSum, owner []uint64, ownerOfText func([]byte) uint64, bad func(string, ...any)) {
	r, rf, err := decodeRequest(k, v, tx.ident().StationID)
	if err != nil {
		bad("request %s does not decode: %v", k, err)
		return
	}
	var p queue.Personal
	for i, seq := range []uint64{rf.personal, rf.notes} {
		if seq == 0 {
			continue
		}
		q, ok, err := tx.personalAt(seq)
		if !ok || err != nil {
			bad("request %s (%s) reads its personal part from event %d, which has none", k, r.Ticket, seq)
			continue
		}
		if i == 0 {
			p = q
		} else {
			p.Notes = q.Notes
		}
	}
	for _, kv := range tx.expectedIndex(r.WithPersonal(p)) {
		want.add(kv[0], kv[1])
	}
	if len(r.EventSeqs) == 0 {
		bad("request %s (%s) has no events", k, r.Ticket)
	}
	who := ownerOfText(k)
	for _, seq := range r.EventSeqs {
		listEvent(owner, seq, who, bad)
	}
}

// diagnoseIndex names the index entries missing or stray (the slow way:
// every request decoded, every entry hashed, both sorted and merged); it
// reports whether it named any.
func (tx *Tx) diagnoseIndex(bad func(string, ...any)) bool {
	idx := tx.tx.Bucket(bIdx)
	sum := indexSum{seed: maphash.MakeSeed()}
	expected := func(fn func(k []byte, r queue.Request, kv [2][]byte)) {
		c := tx.requestCursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			r, err := tx.decodeJoined(k, v)
			if err != nil {
				continue // named by pass 1
			}
			for _, kv := range tx.expectedIndex(r) {
				fn(k, r, kv)
			}
		}
	}
	var want, have []uint64
	expected(func(_ []byte, _ queue.Request, kv [2][]byte) { want = append(want, sum.hash(kv[0], kv[1])) })
	tx.eachIndexEntry(func(k, v []byte, _ bool) { have = append(have, sum.hash(k, v)) })
	slices.Sort(want)
	slices.Sort(have)
	missing, stray := map[uint64]bool{}, map[uint64]bool{}
	for i, j := 0, 0; i < len(want) || j < len(have); {
		switch {
		case j == len(have) || i < len(want) && want[i] < have[j]:
			if len(missing) < 100 {
				missing[want[i]] = true
			}
			i++
		case i == len(want) || have[j] < want[i]:
			if len(stray) < 100 {
				stray[have[j]] = true
			}
			j++
		default:
			i++
			j++
		}
	}
	named := false
	if len(stray) > 0 {
		tx.eachIndexEntry(func(k, v []byte, inJournal bool) {
			if stray[sum.hash(k, v)] {
				if inJournal {
					bad("stray index entry %q (in the journal)", k)
				} else {
					bad("stray index entry %q", k)
				}
				named = true
			}
		})
	}
	if len(missing) > 0 {
		expected(func(k []byte, r queue.Request, kv [2][]byte) {
			if !missing[sum.hash(kv[0], kv[1])] {
				return
			}
			named = true
			switch kv[0][0] {
			case pWaiting:
				bad("waiting request %s (%s) is missing from the waiting line", k, r.Ticket)
			default:
				bad("index entry %c for request %s (%s) is missing or names %q", kv[0][0], k, r.Ticket, idx.Get(kv[0]))
			}
		})
	}
	return named
}

// expectedIndex is every index entry (key, value) request r makes.
func (tx *Tx) expectedIndex(r queue.Request) [][2][]byte {
	keys := indexKeys(r)
	if r.Status == queue.StatusWaiting {
		keys = append(keys, [2][]byte{waitingKey(r), []byte(r.Service)})
	}
	return keys
}
