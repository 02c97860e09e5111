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
// cancelled; called → called (recall); called → waiting (requeue, "put
// back"); no_show/cancelled → waiting (reopen); a transfer moves a waiting,
// called or serving request to another service's line as waiting, at its
// original arrival position. [Apply] refuses anything else with a
// [TransitionError] naming the current status.
//
//   - Put back (requeue) lets the next person go first: the request goes
//     behind everyone waiting in its line now, within its priority class
//     (Request.QueuedAt becomes the moment it was put back; the waiting
//     line orders by [Request.QueuePosition]). It keeps its ticket and
//     priority, and its waiting time still runs from arrival to the first
//     call (CalledAt stays).
//   - Reopen (request.reopened) takes back a no-show or cancellation on the
//     request's own local day (the day of the event's time in the UTC offset
//     the arrival was stored with), refused later with code "reopen.day":
//     the request waits again at its place by arrival, ClosedAt cleared,
//     Reopens counted. Statistics count it by what it becomes.
//   - Done on a called request is not a rule of Apply: the station writes
//     request.serving and request.done at the same moment (package store,
//     Tx.Act), so the history shows both and the service time is zero.
//   - A day's open requests are closed at its end with store.CloseDay.
//
// A NIK's birth date must exist (ValidateNIK: 31 February is refused, 29
// February allowed, women's day +40); a stored request's NIK is checked
// without that rule, so requests registered before it still sync.
//
// Errors are matched with errors.Is: [ErrInvalid] (bad input, nothing
// written; a [FieldError] names the field), [ErrNotFound], [ErrQueueEmpty],
// [ErrConflict].
package queue
