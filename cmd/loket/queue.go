package main

// The commands that move the queue: add, call, serve, done, noshow, cancel,
// recall, requeue, reopen, transfer, identify, close-day, and receipt.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/loket-id/loket/office"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts"
)

func queueCommands() []*command {
	cmds := []*command{
		{Name: "add", Args: "--service CODE --name NAME --nik NIK [--phone P] [--priority KIND] [--notes TEXT]",
			Summary: "register a walk-in and print the ticket and tracking code", Owned: true, Flags: addFlags},
		{Name: "receipt", Args: "REF [--out FILE] [--print] [--paper 80mm|58mm|A5|A4]",
			Summary: "make the receipt of a request again (saved under the data directory, or --out), and print it with --print",
			Owned:   true, Flags: receiptFlags},
		{Name: "call", Args: "[REF] [--service CODE,...]", Summary: "call the next waiting request (priority first, then by arrival), or REF out of order",
			Owned: true, Flags: callFlags},
		{Name: "transfer", Args: "REF --service CODE", Summary: "move a request to another service's line, keeping its ticket",
			Owned: true, Flags: func(fs *flag.FlagSet) runner {
				service := fs.String("service", "", "service to move to")
				return actFlags(fs, queue.ActTransfer, service)
			}},
	}
	for _, a := range []struct {
		act     queue.Action
		summary string
	}{
		{queue.ActServe, "start serving a called request"},
		{queue.ActDone, "close a request being served as done"},
		{queue.ActNoShow, "mark a waiting or called request as no-show"},
		{queue.ActCancel, "cancel a waiting or called request"},
		{queue.ActRecall, "call a called request again"},
		{queue.ActRequeue, "put a called request back in line"},
		{queue.ActReopen, "put a no-show or cancelled request back in line (on its own day only)"},
	} {
		act := a.act
		cmds = append(cmds, &command{Name: string(act), Args: "REF", Summary: a.summary + " (REF: ticket, tracking code or ID)", Owned: true,
			Flags: func(fs *flag.FlagSet) runner { return actFlags(fs, act, nil) }})
	}
	cmds = append(cmds,
		&command{Name: "identify", Args: "REF --name NAME --nik NIK [--phone P]",
			Summary: "record the identity of a walk-in who took a number at the kiosk", Owned: true, Flags: identifyFlags},
		&command{Name: "close-day", Args: "[DATE] [--as no_show|cancelled] [--dry-run] [--today] [--format text|json]",
			Summary: "close a day's requests still waiting or called (default: yesterday); those being served stay open",
			Owned:   true, Flags: closeDayFlags})
	return cmds
}

func addFlags(fs *flag.FlagSet) runner {
	var in queue.NewRequest
	var priority string
	fs.StringVar(&in.Service, "service", "", "service code (see loket services)")
	fs.StringVar(&in.Name, "name", "", "applicant's name")
	fs.StringVar(&in.NIK, "nik", "", "applicant's NIK (16 digits)")
	fs.StringVar(&in.Phone, "phone", "", "applicant's mobile number (optional)")
	fs.StringVar(&priority, "priority", "", "priority: elderly, disabled, pregnant, child (optional)")
	fs.StringVar(&in.Notes, "notes", "", "notes (optional)")
	format := formatFlag(fs, false)
	by := declareActor(fs)
	return func(e *env, args []string) error {
		if err := noArgs(e, args); err != nil {
			return err
		}
		if err := checkFormat(*format, "text", "json"); err != nil {
			return err
		}
		in.Priority = queue.Priority(priority)
		q, err := e.queue(keyed)
		if err != nil {
			return err
		}
		r, again, err := q.RegisterOnce(e.ctx, e.key, in, e.actor(by))
		if err != nil {
			return err
		}
		e.noteAgain(again)
		t := e.t()
		if *format == "json" {
			if err := writeJSON(e.out(), masked(r)); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(e.out(), t.S("cmd.add.registered", r.Ticket, r.TrackingCode, r.ID))
		}
		e.warnSameDay(q, r)
		e.receiptAfter(q, r)
		return nil
	}
}

// receiptAfter makes and prints the receipt of a request just registered or
// identified. The request stands whatever happens to its receipt: a receipt
// or printer failure is a warning, and `loket receipt REF --print` retries.
func (e *env) receiptAfter(q office.Queue, r queue.Request) {
	t := e.t()
	res, err := e.produceReceipt(q, "", r, true)
	switch {
	case err != nil:
		logReceipt(e.log(), r, res, err)
		fmt.Fprintln(e.app.Stderr, "loket: "+t.S("cmd.receipt.notmade", err.Error(), r.TrackingCode))
	case res.PrintErr != nil:
		logReceipt(e.log(), r, res, nil)
		fmt.Fprintln(e.app.Stderr, "loket: "+t.S("cmd.receipt.notprinted", res.PrintErr.Error(), r.TrackingCode))
	default:
		fmt.Fprintln(e.app.Stderr, t.S("cmd.receipt.saved", res.Path)+e.printed(res.Printed))
	}
}

// service is the catalog's service code (inactive ones too).
func service(ctx context.Context, q office.Queue, code string) (queue.Service, error) {
	svcs, err := q.Services(ctx)
	if err != nil {
		return queue.Service{}, err
	}
	for _, s := range svcs {
		if s.Code == code {
			return s, nil
		}
	}
	return queue.Service{}, queue.Invalid("service", fmt.Sprintf("unknown service %q", code))
}

// produceReceipt saves the receipt of r (on paper, the config's when "")
// and prints it if asked and a printer is set.
func (e *env) produceReceipt(q office.Queue, paper string, r queue.Request, print bool) (receipts.Result, error) {
	m, err := e.receiptMaker(paper, q.Location())
	if err != nil {
		return receipts.Result{}, err
	}
	svc, err := service(e.ctx, q, r.Service)
	if err != nil {
		return receipts.Result{}, err
	}
	return m.Produce(e.ctx, r, svc, print)
}

// receiptFlags: receipt makes (again) the receipt of a request, and prints it with --print.
func receiptFlags(fs *flag.FlagSet) runner {
	out := fs.String("out", "", "write the PDF to FILE instead of the receipts folder")
	print := fs.Bool("print", false, "send it to the configured printer")
	paper := fs.String("paper", "", "paper (default from config, else 80mm)")
	return func(e *env, args []string) error {
		ref, err := oneArg(e, args, "REF")
		if err != nil {
			return err
		}
		q, err := e.queue(reads)
		if err != nil {
			return err
		}
		r, err := q.Get(e.ctx, ref)
		if err != nil {
			return err
		}
		m, err := e.receiptMaker(*paper, q.Location())
		if err != nil {
			return err
		}
		t := e.t()
		if *print && !m.CanPrint() {
			return usagef("--print needs a printer: set receipt.printer (or receipt.print_command) in %s", e.cfgPath)
		}
		if *out == "" {
			res, err := e.produceReceipt(q, *paper, r, *print)
			if err != nil {
				return err
			}
			if res.PrintErr != nil {
				logReceipt(e.log(), r, res, nil)
				return &saidError{msg: t.S("cmd.receipt.savednotprinted", res.Path, res.PrintErr.Error()), err: res.PrintErr}
			}
			fmt.Fprintln(e.out(), res.Path+e.printed(res.Printed))
			return nil
		}
		svc, err := service(e.ctx, q, r.Service)
		if err != nil {
			return err
		}
		path := e.abs(*out)
		h, err := m.Write(path, r, svc)
		if err != nil {
			return err
		}
		if *print {
			if err := m.Print(e.ctx, path, h); err != nil {
				logReceipt(e.log(), r, receipts.Result{Path: path, PrintErr: err}, nil)
				return &saidError{msg: t.S("cmd.receipt.savednotprinted", path, err.Error()), err: err}
			}
		}
		fmt.Fprintln(e.out(), path+e.printed(*print))
		return nil
	}
}

func callFlags(fs *flag.FlagSet) runner {
	services := fs.String("service", "", "only these services (comma-separated; default from config, else all)")
	format := formatFlag(fs, false)
	by := declareActor(fs)
	return func(e *env, args []string) error {
		if len(args) > 1 {
			return usagef("call takes at most one REF (see loket call --help)")
		}
		if err := checkFormat(*format, "text", "json"); err != nil {
			return err
		}
		if len(args) == 1 { // one chosen request, out of order
			if *services != "" {
				return usagef("call takes --service or a REF, not both")
			}
			q, err := e.queue(keyed)
			if err != nil {
				return err
			}
			r, again, err := q.ActOnce(e.ctx, e.key, args[0], queue.ActCall, "", e.actor(by))
			if err != nil {
				return err
			}
			e.noteAgain(again)
			return e.printAction(*format, r, queue.ActCall)
		}
		svcs := e.cfg.Queue.Services
		if *services != "" {
			svcs = strings.Split(*services, ",")
		}
		q, err := e.queue(keyed)
		if err != nil {
			return err
		}
		r, again, err := q.CallNextOnce(e.ctx, e.key, svcs, e.actor(by))
		if err != nil {
			return err
		}
		e.noteAgain(again)
		return e.printAction(*format, r, queue.ActCall)
	}
}

// actFlags declares the flags of the command that performs act (a transfer
// has declared its --service) and returns its Run.
func actFlags(fs *flag.FlagSet, act queue.Action, service *string) runner {
	format := formatFlag(fs, false)
	by := declareActor(fs)
	return func(e *env, args []string) error {
		ref, err := oneArg(e, args, "REF")
		if err != nil {
			return err
		}
		if err := checkFormat(*format, "text", "json"); err != nil {
			return err
		}
		target := ""
		if service != nil {
			target = *service
		}
		if act == queue.ActTransfer && target == "" {
			return usagef("transfer needs --service CODE")
		}
		q, err := e.queue(keyed)
		if err != nil {
			return err
		}
		r, again, err := q.ActOnce(e.ctx, e.key, ref, act, target, e.actor(by))
		if err != nil {
			return err
		}
		e.noteAgain(again)
		return e.printAction(*format, r, act)
	}
}

// noteAgain says on stderr that a keyed command was sent again after a lost
// answer and found its first attempt done: what it prints is that result.
func (e *env) noteAgain(again bool) {
	if again {
		fmt.Fprintln(e.app.Stderr, "loket: "+e.t().S("cmd.again", e.name))
	}
}

// printed is " (printed)" after a receipt's path when it was printed.
func (e *env) printed(yes bool) string {
	if !yes {
		return ""
	}
	return e.t().S("cmd.receipt.printed")
}

// sameDay finds the requests registered today for the same NIK and service
// (office.Queue implementations that can: the database).
type sameDay interface {
	SameDaySameService(ctx context.Context, nik, service, day string) ([]queue.Request, error)
}

// warnSameDay warns on stderr when r's NIK was registered for r's service
// earlier today: the registration stands (the applicant may have a second
// matter; a no-show of today may rather be reopened).
func (e *env) warnSameDay(q office.Queue, r queue.Request) {
	sd, ok := q.(sameDay)
	if !ok || r.NIK == "" {
		return
	}
	found, err := sd.SameDaySameService(e.ctx, r.NIK, r.Service, r.Day)
	if err != nil {
		return
	}
	var others []string
	for _, o := range found {
		if o.ID != r.ID {
			others = append(others, o.Ticket+" ("+e.t().S("status."+string(o.Status))+")")
		}
	}
	if len(others) > 0 {
		fmt.Fprintln(e.app.Stderr, "loket: "+e.t().S("cmd.add.sameday", r.Service, strings.Join(others, ", "), r.Ticket))
	}
}

// errNotThroughHub: the command needs what the office queue it has cannot
// do (the database and the office hub's client can; another office.Queue
// may not).
var errNotThroughHub = errors.New("not available through the office hub yet")

// notThroughHub is errNotThroughHub as a usage error (exit 2): nothing was done.
func notThroughHub() error {
	return &exitError{Code: exitUsage, Err: errNotThroughHub}
}

// identifier records a walk-in's identity (the database and the hub's
// client can).
type identifier interface {
	Identify(ctx context.Context, key, ref string, id queue.Identity, by queue.Actor) (queue.Request, bool, error)
}

// identifyFlags: identify gives a kiosk walk-in its name, NIK and phone.
func identifyFlags(fs *flag.FlagSet) runner {
	var id queue.Identity
	fs.StringVar(&id.Name, "name", "", "applicant's name")
	fs.StringVar(&id.NIK, "nik", "", "applicant's NIK (16 digits)")
	fs.StringVar(&id.Phone, "phone", "", "applicant's mobile number (optional)")
	format := formatFlag(fs, false)
	by := declareActor(fs)
	return func(e *env, args []string) error {
		ref, err := oneArg(e, args, "REF")
		if err != nil {
			return err
		}
		if err := checkFormat(*format, "text", "json"); err != nil {
			return err
		}
		q, err := e.queue(keyed)
		if err != nil {
			return err
		}
		idf, ok := q.(identifier)
		if !ok {
			return notThroughHub()
		}
		r, again, err := idf.Identify(e.ctx, e.key, ref, id, e.actor(by))
		if err != nil {
			return err
		}
		e.noteAgain(again)
		if *format == "json" {
			if err := writeJSON(e.out(), masked(r)); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(e.out(), e.t().S("cmd.identify.done", r.Ticket, r.Name, queue.MaskNIK(r.NIK)))
		}
		e.warnSameDay(q, r)
		if !again { // the applicant now has a name: the full receipt (tanda terima), here
			e.receiptAfter(q, r)
		}
		return nil
	}
}

func (e *env) printAction(format string, r queue.Request, act queue.Action) error {
	if format == "json" {
		return writeJSON(e.out(), masked(r))
	}
	t := e.t()
	switch act {
	case queue.ActCall, queue.ActRecall:
		fmt.Fprintln(e.out(), t.S("cmd.call.called", r.Ticket, r.Calls, r.Counter, orDash(r.Name)))
		if max := e.cfg.Queue.MaxCalls; max > 0 && r.Calls >= max {
			fmt.Fprintln(e.out(), t.S("cmd.call.max", r.Ticket, r.Calls, r.Ticket))
		}
	case queue.ActTransfer:
		fmt.Fprintln(e.out(), t.S("cmd.transfer.moved", r.Ticket, r.Service))
	case queue.ActReopen:
		fmt.Fprintln(e.out(), t.S("msg.reopened", r.Ticket))
	default:
		fmt.Fprintln(e.out(), t.S("cmd.act.now", r.Ticket, t.S("status."+string(r.Status))))
	}
	return nil
}

// dayCloser closes a day's open requests (the database and the hub's
// client can; see store.CloseDay).
type dayCloser interface {
	CloseDay(ctx context.Context, day string, as queue.Status, by queue.Actor) (queue.DayClose, error)
	CloseDayDryRun(ctx context.Context, day string, as queue.Status) (queue.DayClose, error)
}

// closeDayFlags: close-day closes the requests of a day (default
// yesterday, the office's) still waiting or called as no-shows (or
// cancelled), and lists those it leaves open because they are being
// served: for the clerk at the end of the day or a nightly cron job. Today
// is closed only with --today, so that a job run before midnight, or a
// date typed wrong, never sends home the people still waiting.
func closeDayFlags(fs *flag.FlagSet) runner {
	as := fs.String("as", "no_show", "close them as no_show or cancelled")
	dry := fs.Bool("dry-run", false, "only list what it would close; change nothing")
	today := fs.Bool("today", false, "close today (the office's day is over)")
	format := formatFlag(fs, false)
	by := declareActor(fs)
	return func(e *env, args []string) error {
		if len(args) > 1 {
			return usagef("close-day takes at most one DATE (YYYY-MM-DD), got %q", strings.Join(args, " "))
		}
		if err := checkFormat(*format, "text", "json"); err != nil {
			return err
		}
		day := ""
		if len(args) == 1 {
			if _, err := time.Parse(time.DateOnly, args[0]); err != nil {
				return usagef("close-day: %q is not a date YYYY-MM-DD", args[0])
			}
			day = args[0]
		}
		status, err := queue.ParseStatus(*as)
		if err != nil || (status != queue.StatusNoShow && status != queue.StatusCancelled) {
			return usagef("--as %q is not no_show or cancelled", *as)
		}
		how := keyed // closing again closes nothing more: safe to send again
		if *dry {
			how = reads
		}
		q, err := e.queue(how)
		if err != nil {
			return err
		}
		dc, ok := q.(dayCloser)
		if !ok {
			return notThroughHub()
		}
		now := q.Now().In(q.Location())
		switch {
		case day == "" && *today:
			day = q.Today()
		case day == "":
			day = now.AddDate(0, 0, -1).Format(time.DateOnly)
		case day == q.Today() && !*today:
			return usagef("%s is today: close it only when the office's day is over, with --today", day)
		}
		var res queue.DayClose
		if *dry {
			res, err = dc.CloseDayDryRun(e.ctx, day, status)
		} else {
			res, err = dc.CloseDay(e.ctx, day, status, e.actor(by))
		}
		if err != nil {
			return err
		}
		if !*dry {
			e.log().Info("day closed", "day", res.Day, "as", string(res.As), "closed", len(res.Closed), "left_serving", len(res.Serving),
				"counter", e.actor(by).Counter)
		}
		return printDayClose(e, q.Location(), *format, res, *dry)
	}
}

// printDayClose prints what closing a day did (or, dry, would do).
func printDayClose(e *env, loc *time.Location, format string, dc queue.DayClose, dry bool) error {
	for i := range dc.Closed {
		dc.Closed[i] = masked(dc.Closed[i])
	}
	for i := range dc.Serving {
		dc.Serving[i] = masked(dc.Serving[i])
	}
	if format == "json" {
		return writeJSON(e.out(), struct {
			queue.DayClose
			DryRun bool `json:"dry_run"`
		}{dc, dry})
	}
	t := e.t()
	as := t.S("status." + string(dc.As))
	switch {
	case dry:
		fmt.Fprintln(e.out(), t.S("cmd.closeday.dry", dc.Day, len(dc.Closed), as))
	default:
		fmt.Fprintln(e.out(), t.S("closeday.done", dc.Day, len(dc.Closed), as))
	}
	tw := tabwriter.NewWriter(e.out(), 0, 0, 2, ' ', 0)
	row := func(r queue.Request) {
		fmt.Fprintf(tw, "  %s/%s\t%s\t%s\t%s\t%s\n", r.Day, r.Ticket, r.Service, r.ArrivedAt.In(loc).Format("15:04"),
			t.S("status."+string(r.Status)), truncate(orDash(r.Name), 28))
	}
	for _, r := range dc.Closed {
		row(r)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(dc.Serving) > 0 {
		fmt.Fprintln(e.out(), t.S("cmd.closeday.serving", len(dc.Serving)))
		for _, r := range dc.Serving {
			row(r)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(e.out(), t.S("cmd.closeday.finish", dc.Day+"/"+dc.Serving[0].Ticket))
	}
	return nil
}
