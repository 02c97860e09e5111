// Package errtext says the queue's own errors in words, in a language of
// the catalog (package i18n): a refused transition ("Tidak dapat melayani
// A-004: statusnya menunggu") and a field's error by its code. The terminal
// UI and the command line say them the same way from here.
package errtext

import (
	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/queue"
)

// Transition is a refused action in t's language: the action, the ticket
// and the status the request is in.
func Transition(t i18n.Text, te *queue.TransitionError) string {
	return t.S("err.transition", t.S("act."+string(te.Action)), te.Ticket, t.S("status."+string(te.Status)))
}

// Field is the reason of a field's error in t's language when the catalog
// has its code (err.<code>), else its own reason (English) and false.
func Field(t i18n.Text, fe *queue.FieldError) (string, bool) {
	if fe.Code != "" && t.Has("err."+fe.Code) {
		return t.S("err." + fe.Code), true
	}
	return fe.Reason, false
}
