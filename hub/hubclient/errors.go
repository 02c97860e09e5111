package hubclient

import (
	"errors"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// Errors of the client, to be matched with errors.Is. The queue's errors
// come back as the queue's own (queue.ErrInvalid with a *queue.FieldError
// or *queue.TransitionError, queue.ErrNotFound, queue.ErrQueueEmpty,
// queue.ErrConflict; store.ErrKeyReused for a key sent with another
// payload), so a caller handles them as it does the store's.
var (
	// ErrUnreachable: the hub could not be reached (no connection was
	// made). Nothing was sent, so nothing was saved.
	ErrUnreachable = errors.New("the office hub cannot be reached; nothing was sent")
	// ErrNoAnswer: the call was sent, and no answer came back even after
	// one retry with the same key. Whether it was done is unknown: look
	// before doing it again, or send it again with the same key.
	ErrNoAnswer = errors.New("no answer from the office hub, so whether the call was done is unknown")
	// ErrUnauthorized: the hub refused the counter's token (none, unknown
	// or revoked). Nothing was saved.
	ErrUnauthorized = errors.New("the office hub refused this counter's token")
	// ErrForbidden: the counter may not do this at the hub. Nothing was saved.
	ErrForbidden = errors.New("this counter may not do that at the office hub")
)

// Error is an error answer of the hub that is not one of the queue's own.
type Error struct {
	Status int
	Info   hub.ErrorInfo
}

func (e *Error) Error() string { return e.Info.Message }

// Is matches the error to the sentinel its code stands for.
func (e *Error) Is(target error) bool {
	switch e.Info.Code {
	case hub.CodeNotFound:
		return target == queue.ErrNotFound
	case hub.CodeQueueEmpty:
		return target == queue.ErrQueueEmpty
	case hub.CodeConflict:
		return target == queue.ErrConflict
	case hub.CodeKeyMismatch:
		return target == queue.ErrConflict || target == store.ErrKeyReused
	case hub.CodeInvalid, hub.CodeBadRequest, hub.CodeKeyRequired, hub.CodeBadKey, hub.CodeTooLarge:
		return target == queue.ErrInvalid
	case hub.CodeUnauthorized:
		return target == ErrUnauthorized
	case hub.CodeForbidden:
		return target == ErrForbidden
	case hub.CodeDamaged:
		return target == store.ErrDamaged
	}
	return false
}

// decodeError turns an error answer back into the error it was at the hub.
func decodeError(status int, info hub.ErrorInfo) error {
	switch {
	case info.Code == hub.CodeInvalid && info.Field != "":
		return &queue.FieldError{Field: info.Field, Code: info.Rule, Reason: info.Reason}
	case info.Code == hub.CodeTransition:
		return &queue.TransitionError{Ticket: info.Ticket, Status: queue.Status(info.Status), Action: queue.Action(info.Action)}
	}
	return &Error{Status: status, Info: info}
}
