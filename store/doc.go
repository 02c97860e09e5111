// Package store is the counter's local database: the service catalog, the
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
// pure function, [Apply], which the central server uses too.
//
// Days are local days in the office's time zone ([Options.Location]): the
// ticket sequence of a service restarts at local midnight, and "today's
// queue" is the requests that arrived today. Call-next only calls requests
// that arrived today; requests left waiting on an earlier day stay in that
// day's list until a clerk closes them (no-show or cancel).
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
//	meta            schema_version -> uint64 BE; station_id, epoch (random 128-bit, hex), created_at;
//	                sync_acked, sync_at, catalog_version; set_aside -> JSON events a recovery could not apply
//	services        <code> -> Service JSON
//	requests        <id> -> Request JSON
//	events          <seq uint64 BE> -> Event JSON (append-only, contiguous from 1)
//	counters        "ticket/<YYYY-MM-DD>/<code>" -> uint64 BE (the last ticket handed out)
//	idx_ticket      <YYYY-MM-DD>/<ticket> -> id
//	idx_tracking    <tracking code> -> id
//	idx_nik         <nik>/<id> -> ""
//	idx_name        <lower-case word of the name>\x00<id> -> ""
//	idx_waiting     <YYYY-MM-DD><0 priority|1 regular><arrival unix ns uint64 BE><id> -> service code
//
// There is no day index: request IDs are ULIDs, whose first ten characters
// are the arrival time, so a day's requests are one key range of requests.
// Each request lists its own events (event_seqs), so its history needs no
// index either; the next event sequence is the last key of events plus one.
// Fewer buckets means fewer pages written per action.
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
// Keys that sort numerically are big-endian integers; values are JSON with
// explicit field names. The layout is changed only by a migration (see
// migrations.go); a database with a newer schema version is refused and left
// untouched.
package store
