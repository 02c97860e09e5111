package store

// The layout of loket.db, every bucket and key shape. A test
// (TestLayoutIsDocumented) works a fresh database and compares its buckets,
// meta keys and index prefixes with this drawing (an entry that says "when"
// may be absent): change both together, and
// the layout only through a migration (migrations.go).
//
//	meta
//	├── schema_version     -> uint64 BE (migrations.go)
//	├── station_id         -> 32 hex digits, random, made once (Identity)
//	├── epoch              -> 32 hex digits, random, made once (Identity)
//	├── created_at         -> RFC 3339
//	├── sync_acked         -> uint64 BE: the last event the central server acknowledged (syncstate.go)
//	├── sync_at            -> RFC 3339: the last successful sync
//	├── catalog_version    -> uint64 BE: the central catalog adopted
//	├── set_aside          -> JSON: the events a recovery could not apply (when there were any; recover.go)
//	├── compact_pending    -> RFC 3339: an erasure's compaction is due (when a crash interrupted one; erase.go)
//	└── replaced           -> the new file's name: this file was replaced (when a rewrite replaced it: only in the old file; rewrite.go)
//	services
//	└── <code>             -> queue.Service JSON
//	requests
//	└── <id, a ULID>       -> the request's facts and the seq of its current personal part (records.go)
//	events
//	├── <seq uint64 BE>    -> queue.Event without Personal, append-only, contiguous from 1
//	└── <seq uint64 BE>p   -> queue.Personal of event seq, apart from it (key, name, NIK, phone, notes; records.go, eventlog.go); deleted on erasure
//	journal                   what was written since the last merge (journal.go), moved to the buckets above by the merge
//	├── <id, a ULID>       -> a request of today: as in requests
//	├── <id>j              -> its journal entry: its t, c, g, l, m, n and w keys
//	├── e<seq uint64 BE>   -> an event since the merge: as in events, every seq after the events bucket's
//	└── e<seq uint64 BE>p  -> its personal record: as in events
//	idx                       one bucket for every index, a one-letter prefix each (index.go)
//	├── c<tracking code>                                      -> id    tracking code
//	├── g<last group of the tracking code>/<id>               -> ""    tracking code's last group
//	├── l<last four NIK digits>/<id>                          -> ""    NIK's last four digits
//	├── m<lower-case name word>\x00<id>                       -> ""    name words
//	├── n<nik>/<id>                                           -> ""    NIK
//	├── t<day>/<code>\x00<n uint32 BE>                        -> id    ticket
//	└── w<day><0 priority|1 regular><queued ns uint64 BE><id>  -> code  waiting line
//	keys                      made by the first keyed action (keys.go)
//	└── <idempotency key, a ULID> -> <event seq uint64 BE><SHA-256 of the action's payload> (the seq alone once its request is erased)
//	hub_counters              the office hub's counters (counters.go); not events, never synced
//	└── <counter code>        -> Counter JSON (name, services, printer, SSH key, its token's SHA-256)
//	hub_tokens
//	└── <SHA-256 of a counter token> -> <counter code> (counters not revoked)
//	hub_devices               the waiting room's boards and kiosks (devices.go); not events, never synced
//	└── <device ID>           -> Device JSON (role, its token's SHA-256)
//	hub_device_tokens
//	└── <SHA-256 of a device token> -> <device ID> (devices not revoked)
//
// <day> is the local date YYYY-MM-DD. The waiting line orders by
// queue.Request.QueuePosition: the arrival, or the moment a request was put
// back (requeue), so a request put back goes behind those waiting then.
// The l and g keys came with schema 2 (migrations.go builds them for the
// requests stored before); the personal bucket and the compact records
// with schema 3 (migrate_v3.go); the journal (<id>j), the waiting line's w
// (q before) and the personal records beside their events (in a personal
// bucket of their own before) with schema 4 (migrate_v4.go); the journal's
// bucket, holding today's requests and the events since the merge as well
// as the journal entries (beside their requests in requests before), with
// schema 5 (migrateV5). A request's t, c, g, l, m, n and w keys are all in
// its journal entry (beside it in journal) or all in their places. The journal entry's value: the number
// of keys, then each key's kind letter, the length of its text (uvarint)
// and the text (the key without the request's ID; a w key's text is the
// key between its w and the ID, then its value, the service).
//
// There is no day index: request IDs
// are ULIDs, whose first ten characters are the arrival time, so a day's
// requests are one key range of requests. The next event sequence is the
// last event key of events plus one; a day's next ticket is the last
// ticket key of that day and service, in its place or in the journal,
// plus one. Keys that sort numerically are
// big-endian integers; requests, events and personal parts are compact
// records (codec.go), other values JSON with explicit field names. Fewer
// buckets means fewer pages written per action (BENCHMARKS.md).
