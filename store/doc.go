// Package store is the counter's bbolt file, and nothing else: the service catalog, the
// requests of walk-ins and an append-only log of every change, kept in one
// bbolt file (loket.db). It is the only package that touches bbolt, and it
// knows nothing of screens or networks.
//
// # Rules
//
// Every action (register, call, serve, done, ...) is one read-write bbolt
// transaction that writes the request's new state, its index entries and one
// event in the event log. The call returns only after the transaction is
// committed and fsynced; NoSync is never used. The queue's rules live in one
// pure function, queue.Apply (package queue holds the domain), which the
// central server uses too.
//
// Days are local days in the office's time zone ([Options.Location]): the
// ticket sequence of a service restarts at local midnight, and "today's
// queue" is the requests that arrived today. Call-next only calls requests
// that arrived today, priority first, then by queue position (arrival, or
// the moment a request was put back). Requests left open on an earlier day
// stay in that day's list until they are closed: one by one, by the ticket
// with its date ("2026-12-03/A-002", see [Tx.Resolve]), or all at once by
// [Store.CloseDay] (as no_show or cancelled, one event each, one
// transaction; those being served are left open and reported, as neither a
// no-show nor an invented service time would be true; [Store.CloseDayDryRun]
// lists what it would do).
//
// Two actions are more than one event: done on a called request writes
// request.serving and request.done at the same moment ([Tx.Act]); CloseDay
// writes one event per request it closes. Either all of them are written or
// none.
//
// Search ([Tx.Find]) goes through index keys only: tickets, tracking codes
// (whole, their first groups, or from the second or last group on), NIKs
// (whole, a prefix, or the last four digits that screens and receipts
// show) and the words of names. [Store.SameDaySameService] lists what the
// same NIK already has for a service on a day, for a warning before a
// registration (it does not block).
//
// # The journal (schema 4; a bucket of its own since schema 5)
//
// A request's random search keys (tracking code and its last group, NIK
// and its last four digits, name words) would each land on a leaf of
// their own, with its branch pages, and each page a commit writes costs
// about 12 to 16 µs on a counter's disk: they were most of what a
// registration wrote (24 pages against a bare commit's 6). So a request
// of today keeps them, its ticket's key and, while it waits, its place in
// the waiting line in one journal entry beside it in the requests bucket
// (<request id>j -> its keys), on the request's own leaf: a registration
// writes nothing in the index, and a call rewrites the entry on the leaf
// it rewrites anyway. Its personal record goes beside its event
// (eventlog.go). Since schema 5 the journal is a bucket of its own that
// holds today's requests with their entries and every event written since
// its merge with its personal record: a year's requests and events are
// trees of three levels, every one of whose pages on a changed key's path
// a commit writes; the journal holds a day, two levels, so a registration
// writes 6 pages on any history (the journal's two leaves and its branch,
// the root, the freelist, the meta page), where it wrote 9 on a year
// (journal.go).
//
// Every lookup reads the keys in their places and then the journal:
// search, a ticket's and a tracking code's lookup, the day's next ticket,
// a new tracking code's uniqueness, call-next, the waiting counts and the
// number ahead, the NIK lookups of the same-day warning and of an
// erasure, and Check. The journal is merged into the places in one
// transaction (a crash leaves it whole or merged): by the first
// registration of a new day that finds another day's keys in it, by the
// nightly purge, and when it would pass 10,000 keys, so a lookup never
// reads more than that many besides the places. A request's keys are all
// in the journal or all in their places; a request of another day
// (history written after the fact, a demo) has them written in their
// places at once, and a recovery's import merges the journal first and
// writes in the places; any change to a request with a journal entry
// rewrites the entry. Check reads each journal entry's keys as if they
// were in their places (the union must be exactly the keys the requests
// make), and names an entry that does not decode, one of no request in
// the journal, a request in the journal without its entry or also in
// requests, a key of no known form, a key both in the journal and in its
// place, and a ticket in two entries; its events are checked as the rest
// of the event log, after it (their sequence numbers follow on).
//
// To know whether a new tracking code is taken, and the day's last
// ticket, without reading the journal, the store keeps the journal's codes
// and last tickets as the last committed transaction left them, handed on
// by each write transaction of [Store.Update] as it commits; any other
// write (a migration, a test's) leaves them describing an older
// transaction, and the journal is then read again.
//
// # Personal data (schema 3, beside the events since schema 4)
//
// A request's personal part (the applicant's name, NIK, phone and the
// clerk's notes; queue.Personal) is stored apart from its facts: beside
// the event that set it (request.created, request.identified), under the
// event's sequence number and a p in the events bucket (a bucket of its
// own in schema 3; in the journal's bucket, beside the event, until the
// night's merge since schema 5; eventlog.go), with the random key of the
// digest that the event's data carries instead (queue/personal.go). The
// stored request holds the sequence number of its current personal part,
// and reading it joins the two ([Tx.Request], [Tx.Between], ...), so a
// queue.Request above the store still has its Name, NIK, Phone and Notes;
// [Tx.Events] and [Tx.History] attach Event.Personal (nil once erased).
//
// [Store.Purge] (end of retention) and [Store.Forget] (the applicant's
// request) erase: one request.erased event per request, in one
// transaction, which deletes the personal records of all the request's
// events and its index keys that hold personal data (NIK, last four
// digits, name words), and drops the payload digest of the idempotency
// keys of its events (the digest of a registration holds the NIK).
// Erased means gone from the file: bbolt keeps a
// freed page's old bytes until it reuses the page, so the file is then
// compacted ([Store.Compact]: every page in use copied, full, into a new
// file beside it, fsynced, renamed over the old one, reopened; the store
// stays usable throughout, calls wait). Compaction was chosen over
// overwriting freed pages because bbolt gives no safe way to write a page
// it considers free, and a compacted file is also the smallest. The
// transaction that erases records that a compaction is due; a crash
// before it is done leaves that mark and the next Open compacts. The
// nightly purge also compacts a file that is loose ([Store.Tidy]: more
// free pages than one page of bbolt's freelist holds, 511), whether it
// erased anything or not: bbolt writes the whole freelist at every commit,
// and the day's merge of the journal frees a thousand pages or two that
// nothing else gives back, so an uncompacted year's file made every
// registration write four pages more and pick its pages from all over the
// file (BENCHMARKS.md: 1.9x the bare commit against 1.5x). What the
// store cannot reach: copies the file system or the disk keep of the old
// file's blocks (use disk encryption) and backups made before.
//
// Records are in a compact binary form with a version byte (codec.go);
// `loket export` and the sync protocol speak JSON.
//
// # Identifiers
//
//   - ID: a ULID (time-sortable, unique across stations without coordination).
//   - Tracking code: 12 characters from the alphabet 23456789ABCDEFGHJKLMNPQRSTUVWXYZ
//     (no 0/O, no 1/I), written XXXX-XXXX-XXXX. The first four characters are
//     taken from the station ID, the other eight are random (40 bits) and are
//     drawn again until they are unique in this database. Two stations clash
//     only if their station tags (20 bits) and one of their random parts both
//     match: for 1,000 stations of 100,000 requests each the chance of any
//     clash is about 0.4%, and the central server refuses a clash rather than
//     merging two applicants.
//   - Ticket: the service code and a per-station, per-service daily sequence,
//     The counter is written in the same transaction as the request, so
//     a crash can never hand the same ticket out twice.
//
// # Buckets
//
// The file's layout, every bucket and key shape, is drawn in buckets.go
// beside the names it uses; a test opens a fresh database, works it, and
// compares what it holds with the drawing.
//
// # A damaged file
//
// bbolt trusts its file: a truncated file, or a broken meta, freelist or
// leaf page, makes it read past the end of its memory map (a fatal SIGSEGV
// that recover cannot catch) or panic. So [Open] first has
// internal/boltcheck walk the file's structure with ordinary bounds-checked
// reads (boltcheck.Walk): both meta pages, the file size against the
// high-water mark, the root page, the freelist and every id on it, then
// every page in use from the root, its header and element table, and that
// no page is both in use and free (a write would overwrite it) and none is
// lost. A file that fails is refused with [ErrDamaged], untouched. bbolt's
// open and the identity read then run under boltcheck.Guard (panics and
// memory faults become ErrDamaged) as a last line. The walk reads a level
// of the trees at a time in the order of the file: a file of up to 64 MB
// through a map of its own, a larger one with reads of up to 256 KB, so
// that the file does not become the process's resident memory.
//
// [Store.Check] walks the same way but reads every key too
// (boltcheck.Deep: the keys of each page in order, and inside the range
// the parent page gives them, which is what bbolt's own Tx.Check verifies
// besides the rest, so bbolt's check is not run), and beside the walk, on
// a second goroutine, checks the store's invariants, reading the large
// buckets with boltcheck's Reader (its own map or reads, every offset
// checked, never bbolt's map); what the invariants read through bbolt waits
// for the walk. `loket check` opens with Options.ForCheck: the open walks
// as Check does, and Check does not walk that snapshot again.
//
// The open's walk takes about 0.05 s on a year of a busy counter (100,000
// requests, 68,000 pages) and 0.3 s on five years (631 MB), against about
// 0.2 s and 0.85 s for the full Check (BENCHMARKS.md). The full check is
// therefore not run on open. Instead its verdict is kept: when Check finds a problem it writes
// it to loket.db.damaged ([DamageMarkSuffix]) beside the file, and from
// then on every [Store.Update] fails with ErrDamaged, in this process and in
// every later one, while reads still work; a Check that finds nothing
// removes the mark. So no write ever goes into a file that Check calls
// corrupt, and no write goes into a file whose structure is broken.
//
// # Recovery
//
// A database restored from a backup, or a new one on a reinstalled counter,
// imports the history the central server holds for its station
// ([Tx.ImportHistory], one transaction): its own events from where it parted
// from that history are undone, the server's events written as they are,
// and its own written again after them (a ticket the history had already
// given that day gets the next free number; an action the history
// contradicts is set aside). A new database takes over the identity
// (station_id, epoch) of the history it imports: it becomes that station's
// database. Events of another identity than the meta's keep their station
// and epoch on disk.
//
// Keys that sort numerically are big-endian integers; requests, events and
// personal parts are compact records (codec.go), the other values JSON
// with explicit field names. The layout is changed only by a migration
// (see migrations.go; schema 3 converts the whole file into a new one,
// migrate_v3.go); a database with a newer schema version is refused and
// left untouched.
package store
