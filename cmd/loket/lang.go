package main

// What the command line says to a person, in the program's language (--lang,
// $LOKET_LANG, the config, the locale) from the one catalog (package
// i18n): messages, table headers, statuses and errors. Machine formats
// (--format json|csv and their column names) stay as they are. A usage
// error (a flag a command does not take, a missing argument) stays in
// English and is followed by the command's usage line.

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/loket-id/loket/hub/hubclient"
	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/internal/errtext"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/relay"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/station"
)

// t is the catalog in the command's language.
func (e *env) t() i18n.Text { return i18n.For(e.lang) }

// saidError is an error as said to a person: its text in the program's
// language, the error it says still underneath for errors.Is and the exit
// code.
type saidError struct {
	msg string
	err error
}

func (s *saidError) Error() string { return s.msg }
func (s *saidError) Unwrap() error { return s.err }

// say is err as the command's user reads it, in the command's language:
// a refused action, a field, a request not found, the database locked or
// damaged, the central server or office hub unreachable or refusing, by
// their kind from the catalog, with the system's own reason (in English)
// after where it helps. Its exit code stays what it was.
func (e *env) say(err error) error {
	if err == nil || errors.Is(err, errRelayed) || errors.Is(err, flag.ErrHelp) {
		return err
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.Quiet || ee.Err == nil {
			return err
		}
		return &exitError{Code: ee.Code, Err: e.say(ee.Err)}
	}
	var se *saidError
	if errors.As(err, &se) {
		return err
	}
	t := e.t()
	said := func(msg string) error { return &saidError{msg: msg, err: err} }
	var te *queue.TransitionError
	var fe *queue.FieldError
	var ue cli.UsageError
	switch {
	case errors.As(err, &ue):
		if c, ok := commands().Lookup(e.name); ok {
			return said(fmt.Sprintf("%v\n%s", err, t.S("cmd.usage", "loket "+c.Name+" "+c.Args)))
		}
		return err
	case errors.As(err, &te):
		return said(within(err, te, errtext.Transition(t, te)))
	case errors.As(err, &fe):
		// The field by its own name, which is the flag's (--nik: nik).
		reason, _ := errtext.Field(t, fe)
		return said(within(err, fe, t.S("cmd.err.field", fe.Field, reason)))
	case errors.Is(err, queue.ErrQueueEmpty):
		return said(t.S("cmd.err.empty", raw(err)))
	case errors.Is(err, queue.ErrNotFound) && e.ref != "":
		return said(t.S("cmd.err.notfound", e.ref))
	case errors.Is(err, queue.ErrNotFound):
		return said(t.S("msg.notfound", raw(err)))
	case errors.Is(err, store.ErrLocked):
		return said(t.S("cmd.err.locked", raw(err)))
	case errors.Is(err, store.ErrDamaged):
		return said(t.S("cmd.err.damaged", raw(err)))
	case errors.Is(err, relay.ErrNoAnswer):
		return said(t.S("cmd.err.unknown", raw(err)))
	case errors.Is(err, station.ErrRefused):
		return said(t.S("cmd.err.refused", raw(err), orDash(e.cfg.Office.Code)+"/"+orDash(e.cfg.Station.Code)))
	case errors.Is(err, station.ErrNoProgress):
		return said(t.S("cmd.err.noprogress", raw(err)))
	case errors.Is(err, station.ErrUnreachable):
		return said(t.S("cmd.err.unreachable", raw(err)))
	case errors.Is(err, hubclient.ErrUnreachable):
		return said(t.S("cmd.err.hub", raw(err)))
	case errors.Is(err, errNotThroughHub):
		return said(t.S("cmd.err.nothub", e.name))
	}
	return said(t.S("cmd.err.other", err.Error()))
}

// within is err's text with inner's said as msg: what the command said
// around it (which file, which service) is kept.
func within(err, inner error, msg string) string {
	full, own := err.Error(), inner.Error()
	if i := strings.LastIndex(full, own); i >= 0 {
		return full[:i] + msg + full[i+len(own):]
	}
	return msg
}

// raw is err's own text, without the words of the kinds say names (they
// are said in the user's language before it).
func raw(err error) string {
	s := err.Error()
	for _, kind := range []error{station.ErrUnreachable, station.ErrRefused, station.ErrNoProgress, hubclient.ErrUnreachable} {
		s = strings.Replace(s, kind.Error()+": ", "", 1)
	}
	return strings.TrimSpace(s)
}
