package hub

import (
	"time"

	"github.com/loket-id/loket/queue"
)

// The wire types of the hub protocol (PROTOCOL.md), shared with the client
// (package hubclient). Every body is JSON.

// Headers of the protocol.
const (
	// HeaderKey carries the idempotency key (a ULID) of a mutating call.
	HeaderKey = "Idempotency-Key"
	// HeaderReplayed is "true" on the answer to a key already applied.
	HeaderReplayed = "Idempotent-Replayed"
)

// Limits of the protocol.
const (
	// MaxBody bounds the body of a mutating call, catalog replacement aside.
	MaxBody = 64 << 10
	// MaxCatalogBody bounds the body of a catalog replacement.
	MaxCatalogBody = 1 << 20
	// MaxChangesBatch is the most events read for the change stream at once.
	MaxChangesBatch = 256
	// MaxFindLimit bounds the results of one search.
	MaxFindLimit = 200
	// MaxFindText bounds a search text.
	MaxFindText = 200
	// MaxClerk bounds a clerk's name.
	MaxClerk = 64
)

// Error codes of the protocol (ErrorInfo.Code).
const (
	CodeBadRequest   = "bad_request"          // 400: malformed body, query or header
	CodeIncomplete   = "incomplete_body"      // 400: the body was cut short in transit; send it again
	CodeKeyRequired  = "key_required"         // 400: a mutating call without Idempotency-Key
	CodeBadKey       = "bad_key"              // 400: an Idempotency-Key that is not a ULID
	CodeUnauthorized = "unauthorized"         // 401: no token, an unknown or a revoked one
	CodeForbidden    = "forbidden"            // 403: the counter may not do this
	CodeNoEndpoint   = "no_endpoint"          // 404/405: no such endpoint or method
	CodeNotFound     = "not_found"            // 404: queue.ErrNotFound
	CodeQueueEmpty   = "queue_empty"          // 404: queue.ErrQueueEmpty
	CodeConflict     = "conflict"             // 409: queue.ErrConflict
	CodeKeyMismatch  = "idempotency_mismatch" // 409: store.ErrKeyReused
	CodeTooLarge     = "too_large"            // 413: the body is over its limit
	CodeInvalid      = "invalid"              // 422: queue.ErrInvalid (Field, Rule when a field)
	CodeTransition   = "invalid_transition"   // 422: queue.TransitionError (Ticket, Status, Action)
	CodeDamaged      = "damaged"              // 503: store.ErrDamaged, nothing was saved
	CodeUnavailable  = "unavailable"          // 503: the hub is stopping or the call was cancelled
	CodeInternal     = "internal"             // 500: anything else; nothing was saved
)

// ErrorBody is every error answer: {"error":{...}}.
type ErrorBody struct {
	Error ErrorInfo `json:"error"`
}

// ErrorInfo describes an error.
type ErrorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field, Rule: the field and the rule (queue.FieldError's Code) of
	// invalid input.
	Field string `json:"field,omitempty"`
	Rule  string `json:"rule,omitempty"`
	// Reason is queue.FieldError's Reason.
	Reason string `json:"reason,omitempty"`
	// Ticket, Status, Action: an action the request's status does not allow.
	Ticket string `json:"ticket,omitempty"`
	Status string `json:"status,omitempty"`
	Action string `json:"action,omitempty"`
}

// Hello is GET /v1/hello: who the hub is, who the caller is.
type Hello struct {
	StationID string `json:"station_id"`
	Epoch     string `json:"epoch"`
	// TimeZone is the office's zone (an IANA name when the hub has one) and
	// UTCOffset its offset now, in seconds.
	TimeZone  string      `json:"time_zone"`
	UTCOffset int         `json:"utc_offset"`
	Now       time.Time   `json:"now"`
	Today     string      `json:"today"`
	LastSeq   uint64      `json:"last_seq"`
	Counter   CounterInfo `json:"counter"`
}

// CounterInfo is the calling counter as the hub registered it.
type CounterInfo struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Services []string `json:"services"`
	Printer  string   `json:"printer,omitempty"`
}

// RegisterBody is POST /v1/requests.
type RegisterBody struct {
	Clerk    string `json:"clerk"`
	Service  string `json:"service"`
	Name     string `json:"name"`
	NIK      string `json:"nik"`
	Phone    string `json:"phone,omitempty"`
	Notes    string `json:"notes,omitempty"`
	Priority string `json:"priority,omitempty"`
}

// CallBody is POST /v1/call.
type CallBody struct {
	Clerk    string   `json:"clerk"`
	Services []string `json:"services,omitempty"`
}

// ActBody is POST /v1/requests/{ref}/actions.
type ActBody struct {
	Clerk   string `json:"clerk"`
	Action  string `json:"action"`
	Service string `json:"service,omitempty"`
}

// IdentifyBody is POST /v1/requests/{ref}/identify: the applicant's
// identity for a walk-in registered without one (a kiosk's).
type IdentifyBody struct {
	Clerk string `json:"clerk"`
	Name  string `json:"name"`
	NIK   string `json:"nik"`
	Phone string `json:"phone,omitempty"`
}

// CloseDayBody is POST /v1/close-day: close the open requests of Day as As
// (no_show or cancelled); DryRun only says what it would do.
type CloseDayBody struct {
	Clerk  string `json:"clerk"`
	Day    string `json:"day"`
	As     string `json:"as"`
	DryRun bool   `json:"dry_run,omitempty"`
}

// CloseDayAnswer is the answer to POST /v1/close-day (queue.DayClose).
type CloseDayAnswer struct {
	Day     string          `json:"day"`
	As      string          `json:"as"`
	Closed  []queue.Request `json:"closed"`
	Serving []queue.Request `json:"serving"`
	DryRun  bool            `json:"dry_run,omitempty"`
}

// PurgeBody is POST /v1/purge: erase the personal part of every request
// closed on a day before Before (YYYY-MM-DD); DryRun only lists them.
type PurgeBody struct {
	Clerk  string `json:"clerk"`
	Before string `json:"before"`
	DryRun bool   `json:"dry_run,omitempty"`
}

// ForgetBody is POST /v1/forget: erase the personal part of every request
// of NIK, at the applicant's request (Note: the clerk's reason). The NIK is
// in the body, never in the path (paths are logged).
type ForgetBody struct {
	Clerk string `json:"clerk"`
	NIK   string `json:"nik"`
	Note  string `json:"note"`
}

// ErasureAnswer is the answer to POST /v1/purge and POST /v1/forget
// (queue.Erasure): the requests whose personal part went, nothing
// personal. Again: the key was answered before; this is that answer.
type ErasureAnswer struct {
	DryRun   bool                  `json:"dry_run,omitempty"`
	Requests []queue.ErasedRequest `json:"requests"`
	Again    bool                  `json:"again,omitempty"`
}

// CatalogBody is PUT /v1/catalog.
type CatalogBody struct {
	Clerk    string          `json:"clerk"`
	Services []queue.Service `json:"services"`
}

// RequestAnswer is the answer to a mutating call on one request.
type RequestAnswer struct {
	Request queue.Request `json:"request"`
	// Again: the key was applied before; this is the first call's result.
	Again bool `json:"again"`
}

// CatalogAnswer is the answer to PUT /v1/catalog and GET /v1/services.
type CatalogAnswer struct {
	Services []queue.Service `json:"services"`
	Again    bool            `json:"again,omitempty"`
}

// QueueAnswer is GET /v1/queue: a day's requests as of event LastSeq.
type QueueAnswer struct {
	Day      string          `json:"day"`
	LastSeq  uint64          `json:"last_seq"`
	Requests []queue.Request `json:"requests"`
}

// DetailAnswer is GET /v1/requests/{ref}/history.
type DetailAnswer struct {
	Request queue.Request `json:"request"`
	Events  []queue.Event `json:"events"`
}

// FindAnswer is GET /v1/find.
type FindAnswer struct {
	Requests []queue.Request `json:"requests"`
}

// BetweenLine is one line of GET /v1/between (NDJSON): a request, or the
// last line, End with the count.
type BetweenLine struct {
	Request *queue.Request `json:"request,omitempty"`
	End     bool           `json:"end,omitempty"`
	Count   int            `json:"count,omitempty"`
}

// StreamHello is the first message of the change stream (event: hello).
type StreamHello struct {
	StationID string `json:"station_id"`
	Epoch     string `json:"epoch"`
	LastSeq   uint64 `json:"last_seq"`
}

// Change is one message of the change stream (event: change): one event of
// the hub's log, and the request it changed as that request is now.
type Change struct {
	Seq       uint64    `json:"seq"`
	Type      string    `json:"type"`
	RequestID string    `json:"request_id,omitempty"`
	At        time.Time `json:"at"`
	Counter   string    `json:"counter,omitempty"`
	Clerk     string    `json:"clerk,omitempty"`
	// Chosen: a call out of order (a request called by ref).
	Chosen  bool           `json:"chosen,omitempty"`
	Request *queue.Request `json:"request,omitempty"`
}
