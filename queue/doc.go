// Package queue is the queue's rules, with no I/O: what a walk-in's request
// is (Request, Status, Priority, Service), the events that change it
// (Event, Action) and the one pure function that applies them ([Apply]),
// the validation of everything a clerk types (NIK, phone, name, notes,
// service codes), the formats of tickets, tracking codes and IDs, masking,
// the service catalog's file form, and the export record.
//
// The counter's database (package store), the central server (sync/central),
// the statistics, the receipts and the terminal UI all use these types and
// rules, so a request means the same thing everywhere. This package imports
// no database, network or PDF code; a test checks that it, sync/protocol,
// stats, demo and tui stay that way.
//
// # The rules
//
// Statuses: waiting → called → serving → done; waiting/called → no_show or
// cancelled; called → called (recall); called → waiting (requeue); a
// transfer moves a waiting, called or serving request to another service's
// line as waiting, at its original arrival position. [Apply] refuses
// anything else with a [TransitionError] naming the current status.
//
// Errors are matched with errors.Is: [ErrInvalid] (bad input, nothing
// written; a [FieldError] names the field), [ErrNotFound], [ErrQueueEmpty],
// [ErrConflict].
package queue
