package queue

import (
	"encoding/json"
	"fmt"
	"time"
)

// Status is where a request stands in the queue.
type Status string

// The statuses of a request. done, no_show and cancelled are final.
const (
	StatusWaiting   Status = "waiting"
	StatusCalled    Status = "called"
	StatusServing   Status = "serving"
	StatusDone      Status = "done"
	StatusNoShow    Status = "no_show"
	StatusCancelled Status = "cancelled"
)

// Statuses lists every status in queue order.
var Statuses = []Status{StatusWaiting, StatusCalled, StatusServing, StatusDone, StatusNoShow, StatusCancelled}

// Final reports whether no further transition is possible.
func (s Status) Final() bool {
	return s == StatusDone || s == StatusNoShow || s == StatusCancelled
}

// ParseStatus checks a status name.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", Invalid("status", fmt.Sprintf("unknown status %q (want one of waiting, called, serving, done, no_show, cancelled)", s))
}

// Priority is the priority category of an applicant. The categories follow
// the groups that Indonesian public-service standards ask offices to serve
// first (kelompok rentan): the elderly, people with disabilities, pregnant
// women and people with small children.
type Priority string

// Priority categories. The empty priority is the regular line.
const (
	PriorityNone     Priority = ""
	PriorityElderly  Priority = "elderly"
	PriorityDisabled Priority = "disabled"
	PriorityPregnant Priority = "pregnant"
	PriorityChild    Priority = "child"
)

// Priorities lists the non-empty priority categories.
var Priorities = []Priority{PriorityElderly, PriorityDisabled, PriorityPregnant, PriorityChild}

// ParsePriority checks a priority category; "" and "none" are the regular line.
func ParsePriority(s string) (Priority, error) {
	if s == "" || s == "none" {
		return PriorityNone, nil
	}
	for _, p := range Priorities {
		if string(p) == s {
			return p, nil
		}
	}
	return "", Invalid("priority", fmt.Sprintf("unknown priority %q (want none, elderly, disabled, pregnant or child)", s))
}

// Service is one entry of the service catalog.
type Service struct {
	Code          string   `json:"code" toml:"code"`
	NameID        string   `json:"name_id" toml:"name_id"`
	NameEN        string   `json:"name_en" toml:"name_en"`
	SLADays       int      `json:"sla_days" toml:"sla_days"`
	TargetWaitMin int      `json:"target_wait_minutes" toml:"target_wait_minutes"`
	Documents     []string `json:"documents" toml:"documents"`
	// Fee is what the service costs the applicant, in whole rupiah; 0 is
	// free of charge (the receipt says so).
	Fee    int64 `json:"fee,omitempty" toml:"fee"`
	Active bool  `json:"active" toml:"active"`
	// IdentityRequired: a request of the service cannot be done before it
	// has the applicant's name and NIK (see NeedsIdentity); nil is true.
	IdentityRequired *bool `json:"identity_required,omitempty" toml:"identity_required,omitempty"`
}

// Name returns the service name in the language lang ("id" or "en").
func (s Service) Name(lang string) string {
	if lang == "en" && s.NameEN != "" {
		return s.NameEN
	}
	return s.NameID
}

// Request is one walk-in's request as it stands now.
//
// Times: ArrivedAt is the registration; CalledAt the first call (waiting time
// is ArrivedAt to CalledAt, and a recall, a put back, a transfer or a
// reopen does not move it); ServingAt the latest start of service; DoneAt
// the moment it became done; ClosedAt the moment it reached any final
// status (cleared by a reopen). QueuedAt is its place in the waiting line,
// for ordering only: the arrival, or the moment it was put back (requeue).
type Request struct {
	ID           string     `json:"id"`
	TrackingCode string     `json:"tracking_code"`
	Ticket       string     `json:"ticket"`
	Day          string     `json:"day"` // local date of arrival, YYYY-MM-DD
	Service      string     `json:"service"`
	FirstService string     `json:"first_service"`
	Status       Status     `json:"status"`
	Priority     Priority   `json:"priority"`
	Name         string     `json:"name"`
	NIK          string     `json:"nik"`
	Phone        string     `json:"phone"`
	Notes        string     `json:"notes"`
	Station      string     `json:"station"`
	ArrivedAt    time.Time  `json:"arrived_at"`
	CalledAt     *time.Time `json:"called_at,omitempty"`
	ServingAt    *time.Time `json:"serving_at,omitempty"`
	DoneAt       *time.Time `json:"done_at,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	// QueuedAt orders the waiting line (see QueuePosition); zero in
	// requests stored before it existed, which then queue by arrival.
	QueuedAt  time.Time `json:"queued_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at"`
	Calls     int       `json:"calls"`
	Transfers int       `json:"transfers"`
	// Reopens counts the times a no-show or cancellation was reopened.
	Reopens int    `json:"reopens,omitempty"`
	Counter string `json:"counter"`
	Clerk   string `json:"clerk"`
	// DocumentsReceived are the service's required documents that the clerk
	// ticked as received at registration (as the catalog names them).
	DocumentsReceived []string `json:"documents_received,omitempty"`
	// Erased: the personal part was erased (request.erased); the name,
	// NIK, phone and notes are gone, the facts stay.
	Erased bool `json:"erased,omitempty"`
	// EventSeqs are the sequence numbers of this request's events, oldest first.
	EventSeqs []uint64 `json:"event_seqs"`
}

// WaitingTime is how long r waited for its first call: until then, or until
// it was closed without a call, or (still waiting) until now.
func (r Request) WaitingTime(now time.Time) time.Duration {
	end := now
	if r.CalledAt != nil {
		end = *r.CalledAt
	} else if r.ClosedAt != nil {
		end = *r.ClosedAt
	}
	if end.Before(r.ArrivedAt) {
		return 0
	}
	return end.Sub(r.ArrivedAt)
}

// QueuePosition is the time that orders r in its waiting line (within its
// priority class): QueuedAt, or the arrival for a request stored before
// QueuedAt existed.
func (r Request) QueuePosition() time.Time {
	if r.QueuedAt.IsZero() {
		return r.ArrivedAt
	}
	return r.QueuedAt
}

// Actor is who performs an action: the counter (station) code and the clerk.
type Actor struct {
	Counter string `json:"counter,omitempty"`
	Clerk   string `json:"clerk,omitempty"`
}

// Event types. Every change to the database is one event.
const (
	EventCreated     = "request.created"
	EventCalled      = "request.called"
	EventRecalled    = "request.recalled"
	EventServing     = "request.serving"
	EventDone        = "request.done"
	EventNoShow      = "request.no_show"
	EventCancelled   = "request.cancelled"
	EventRequeued    = "request.requeued"
	EventTransferred = "request.transferred"
	EventReopened    = "request.reopened"
	EventCatalog     = "catalog.replaced"
)

// Event is one entry of the append-only event log. Seq is contiguous per
// station, starting at 1. Data holds the type-specific payload: the new
// request's facts and its personal part's digest for request.created
// (CreatedData; v1 wrote the whole request), the digest for
// request.identified (IdentifiedData), the reason for request.erased, {"service":..,"from":..} for
// request.transferred, {"chosen":true} for a request.called that called one
// chosen request out of order (none for call-next), the catalog for
// catalog.replaced.
type Event struct {
	Seq       uint64          `json:"seq"`
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	RequestID string          `json:"request_id,omitempty"`
	At        time.Time       `json:"at"`
	Station   string          `json:"station,omitempty"`
	Epoch     string          `json:"epoch,omitempty"`
	Counter   string          `json:"counter,omitempty"`
	Clerk     string          `json:"clerk,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	// Personal is the personal part a request.created or
	// request.identified event sets, kept beside the event and not in Data
	// (which carries its digest): see personal.go. Nil when it was erased.
	Personal *Personal `json:"personal,omitempty"`
}

// CallData is the payload of a request.called event that called one chosen
// request out of order (a call by its ticket, tracking code or ID rather
// than call-next): {"chosen":true}. A call-next writes no payload.
type CallData struct {
	Chosen bool `json:"chosen,omitempty"`
}

// ChosenCall is the payload of a call out of order.
var ChosenCall = json.RawMessage(`{"chosen":true}`)

// IsChosenCall reports whether e is a request.called event that called its
// request out of order.
func IsChosenCall(e Event) bool {
	if e.Type != EventCalled || len(e.Data) == 0 {
		return false
	}
	var cd CallData
	return json.Unmarshal(e.Data, &cd) == nil && cd.Chosen
}

// TransferData is the payload of request.transferred.
type TransferData struct {
	From    string `json:"from"`
	Service string `json:"service"`
}

// Action is a transition a clerk asks for on one request.
type Action string

// The actions on a request.
const (
	ActCall     Action = "call"
	ActRecall   Action = "recall"
	ActServe    Action = "serve"
	ActDone     Action = "done"
	ActNoShow   Action = "noshow"
	ActCancel   Action = "cancel"
	ActRequeue  Action = "requeue"
	ActTransfer Action = "transfer"
	ActReopen   Action = "reopen"
)

// transition is one legal move: from these statuses, by this event, to that status.
type transition struct {
	event string
	from  []Status
	to    Status
}

var transitions = map[Action]transition{
	ActCall:     {EventCalled, []Status{StatusWaiting}, StatusCalled},
	ActRecall:   {EventRecalled, []Status{StatusCalled}, StatusCalled},
	ActServe:    {EventServing, []Status{StatusCalled}, StatusServing},
	ActDone:     {EventDone, []Status{StatusServing}, StatusDone},
	ActNoShow:   {EventNoShow, []Status{StatusWaiting, StatusCalled}, StatusNoShow},
	ActCancel:   {EventCancelled, []Status{StatusWaiting, StatusCalled}, StatusCancelled},
	ActRequeue:  {EventRequeued, []Status{StatusCalled}, StatusWaiting},
	ActTransfer: {EventTransferred, []Status{StatusWaiting, StatusCalled, StatusServing}, StatusWaiting},
	ActReopen:   {EventReopened, []Status{StatusNoShow, StatusCancelled}, StatusWaiting},
}

// EventTypes lists every event type, request.created and catalog.replaced included.
func EventTypes() []string {
	out := []string{EventCreated}
	for _, a := range Actions() {
		out = append(out, a.EventType())
	}
	return append(out, EventIdentified, EventErased, EventCatalog)
}

// Actions lists every action, in a fixed order.
func Actions() []Action {
	return []Action{ActCall, ActRecall, ActServe, ActDone, ActNoShow, ActCancel, ActRequeue, ActTransfer, ActReopen}
}

// From lists the statuses in which a is legal.
func (a Action) From() []Status { return append([]Status(nil), transitions[a].from...) }

var actionByEvent = func() map[string]Action {
	m := map[string]Action{}
	for a, t := range transitions {
		m[t.event] = a
	}
	return m
}()

// EventType returns the event an action writes.
func (a Action) EventType() string { return transitions[a].event }

// Valid reports whether a is an action of the queue.
func (a Action) Valid() bool { _, ok := transitions[a]; return ok }

// Apply returns the request after event e. It is the one definition of the
// queue's rules: the station uses it to make every change and the central
// server uses it to materialise requests from the events it receives. An
// event that is not legal in the request's current status is refused with an
// error naming that status.
func Apply(r Request, e Event) (Request, error) {
	switch e.Type {
	case EventCreated:
		return applyCreated(r, e)
	case EventIdentified:
		return applyIdentified(r, e)
	case EventErased:
		return applyErased(r, e)
	}
	act, ok := actionByEvent[e.Type]
	if !ok {
		return r, fmt.Errorf("unknown event type %q: %w", e.Type, ErrInvalid)
	}
	t := transitions[act]
	if !statusIn(r.Status, t.from) {
		return r, &TransitionError{Ticket: r.Ticket, Status: r.Status, Action: act}
	}
	at := e.At
	if act == ActReopen {
		// The day is the request's local day: the arrival keeps the
		// office's UTC offset, so the event's time is read in that offset.
		if day := at.In(r.ArrivedAt.Location()).Format(time.DateOnly); day != r.Day {
			return r, &FieldError{Field: "day", Code: "reopen.day", Reason: fmt.Sprintf(
				"cannot reopen request %s on %s: a no-show or cancellation is reopened only on its own day (%s)", r.Ticket, day, r.Day)}
		}
	}
	r.Status = t.to
	r.UpdatedAt = at
	r.Counter, r.Clerk = e.Counter, e.Clerk
	switch act {
	case ActCall:
		if len(e.Data) > 0 {
			// A call out of order: {"chosen":true}; nothing else.
			var cd CallData
			if err := json.Unmarshal(e.Data, &cd); err != nil {
				return r, fmt.Errorf("decode request.called payload: %v: %w", err, ErrInvalid)
			}
		}
		r.Calls++
		if r.CalledAt == nil {
			r.CalledAt = &at
		}
	case ActRecall:
		r.Calls++
	case ActServe:
		r.ServingAt = &at
	case ActDone:
		r.DoneAt = &at
		r.ClosedAt = &at
	case ActNoShow, ActCancel:
		r.ClosedAt = &at
	case ActRequeue:
		// Put back: behind everyone waiting in its line now (same
		// priority class), keeping its ticket, priority and first call.
		r.Calls = 0
		r.QueuedAt = at
	case ActReopen:
		// Back into its line at its place by arrival, as if never closed.
		r.Calls = 0
		r.ClosedAt = nil
		r.QueuedAt = r.ArrivedAt
		r.Reopens++
	case ActTransfer:
		var td TransferData
		if err := json.Unmarshal(e.Data, &td); err != nil {
			return r, fmt.Errorf("decode request.transferred payload: %w", err)
		}
		if err := ValidateServiceCode(td.Service); err != nil {
			return r, err
		}
		if td.Service == r.Service {
			return r, Invalid("service", fmt.Sprintf("request %s is already in the line of service %s", r.Ticket, r.Service))
		}
		r.Service = td.Service
		r.Transfers++
		r.Calls = 0
		r.ServingAt = nil
		r.QueuedAt = r.ArrivedAt
	}
	return r, nil
}

func statusIn(s Status, set []Status) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

// TransitionError is an action that is not legal in the request's status.
type TransitionError struct {
	Ticket string
	Status Status
	Action Action
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s request %s: it is %s", actionVerbs[e.Action], e.Ticket, e.Status)
}

// actionVerbs are the actions as an English sentence says them.
var actionVerbs = map[Action]string{
	ActCall: "call", ActRecall: "recall", ActServe: "serve", ActDone: "finish",
	ActNoShow: "mark as no-show", ActCancel: "cancel", ActRequeue: "put back",
	ActTransfer: "transfer", ActReopen: "reopen",
}

// Is makes TransitionError match ErrInvalid: it is the caller's mistake.
func (e *TransitionError) Is(target error) bool { return target == ErrInvalid }
