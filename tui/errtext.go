package tui

import (
	"context"
	"errors"
	"os/exec"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/loket-id/loket/internal/errtext"
	"github.com/loket-id/loket/queue"
)

// Errors as a clerk reads them: every kind the UI knows is said in the
// UI's language from the catalog (a refused transition, a field, a request
// not found, a sync or print failure); the raw reason, which comes from
// the system in English, follows only where it helps, shortened.

// rawMax is how much of a raw reason a one-line message keeps.
const rawMax = 60

// errText is err in the UI's language.
func (c common) errText(err error) string {
	t := c.t
	var te *queue.TransitionError
	var fe *queue.FieldError
	switch {
	case errors.As(err, &te):
		return errtext.Transition(t, te)
	case errors.As(err, &fe):
		if s, ok := errtext.Field(t, fe); ok {
			return s
		}
		return t.S("err.invalid", fe.Field, shorten(fe.Reason, rawMax))
	case errors.Is(err, queue.ErrQueueEmpty):
		return t.S("msg.empty")
	case errors.Is(err, queue.ErrNotFound):
		return t.S("msg.notfound", shorten(err.Error(), rawMax))
	}
	return t.S("msg.error", shorten(err.Error(), rawMax*2))
}

// failed is an action's error as a message: "Gagal: …" or a known kind.
func (c common) failed(err error) []tea.Msg { return warn(c.errText(err)) }

// printErrKind names what became of a print in the UI's language.
func (c common) printErrKind(err error) string {
	t := c.t
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return t.S("printerr.notfound")
	case errors.Is(err, context.DeadlineExceeded):
		return t.S("printerr.timeout")
	}
	return t.S("printerr.failed")
}

// syncErrText is one of the syncer's last errors ("15:04:05 server
// unreachable: dial tcp …"): the time, the kind in the UI's language, then
// the raw reason, shortened.
func (c common) syncErrText(s string) string {
	t := c.t
	at, rest := "", s
	if len(s) > 9 && s[2] == ':' && s[5] == ':' && s[8] == ' ' {
		at, rest = s[:9], s[9:]
	}
	kinds := []struct{ raw, key string }{
		{"server unreachable", "syncerr.unreachable"},
		{"refused by the server", "syncerr.refused"},
		{"the server makes no progress", "syncerr.noprogress"},
	}
	for _, k := range kinds {
		if i := strings.Index(rest, k.raw); i >= 0 {
			var name string
			switch k.key { // literal keys, so the catalog's tests see them
			case "syncerr.unreachable":
				name = t.S("syncerr.unreachable")
			case "syncerr.refused":
				name = t.S("syncerr.refused")
			default:
				name = t.S("syncerr.noprogress")
			}
			raw := strings.Trim(rest[:i]+rest[i+len(k.raw):], " :")
			if raw == "" {
				return at + name
			}
			return at + name + " · " + shorten(raw, rawMax)
		}
	}
	return at + shorten(rest, rawMax+20)
}

// shorten cuts plain s to n cells.
func shorten(s string, n int) string { return ansi.Truncate(clean(s), n, "…") }
