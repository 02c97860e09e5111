package main

// The commands that move the queue: add, call, serve, done, noshow, cancel,
// recall, requeue, transfer, and receipt.

import (
	"context"
	"flag"
	"fmt"
	"strings"

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
	} {
		act := a.act
		cmds = append(cmds, &command{Name: string(act), Args: "REF", Summary: a.summary + " (REF: ticket, tracking code or ID)", Owned: true,
			Flags: func(fs *flag.FlagSet) runner { return actFlags(fs, act, nil) }})
	}
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
		if *format == "json" {
			if err := writeJSON(e.out(), masked(r)); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(e.out(), "ticket %s  tracking %s  id %s\n", r.Ticket, r.TrackingCode, r.ID)
		}
		// The registration stands whatever happens to its receipt: a receipt or
		// printer failure is a warning, and `loket receipt REF --print` retries.
		res, err := e.produceReceipt(q, "", r, true)
		switch {
		case err != nil:
			fmt.Fprintf(e.app.Stderr, "loket: warning: %v; make it again with: loket receipt %s\n", err, r.TrackingCode)
		case res.PrintErr != nil:
			fmt.Fprintf(e.app.Stderr, "loket: warning: receipt not printed: %v; print it again with: loket receipt %s --print\n", res.PrintErr, r.TrackingCode)
		default:
			fmt.Fprintf(e.app.Stderr, "receipt %s%s\n", res.Path, map[bool]string{true: " (printed)"}[res.Printed])
		}
		return nil
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
		if *print && !m.CanPrint() {
			return usagef("--print needs a printer: set receipt.printer (or receipt.print_command) in %s", e.cfgPath)
		}
		if *out == "" {
			res, err := e.produceReceipt(q, *paper, r, *print)
			if err != nil {
				return err
			}
			if res.PrintErr != nil {
				return fmt.Errorf("receipt saved to %s but not printed: %w", res.Path, res.PrintErr)
			}
			fmt.Fprintf(e.out(), "%s%s\n", res.Path, map[bool]string{true: " (printed)"}[res.Printed])
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
				return err
			}
		}
		fmt.Fprintf(e.out(), "%s%s\n", path, map[bool]string{true: " (printed)"}[*print])
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
		fmt.Fprintf(e.app.Stderr, "loket: the first attempt of this %s was done (its answer was lost); it was not done twice\n", e.name)
	}
}

func (e *env) printAction(format string, r queue.Request, act queue.Action) error {
	if format == "json" {
		return writeJSON(e.out(), masked(r))
	}
	switch act {
	case queue.ActCall, queue.ActRecall:
		fmt.Fprintf(e.out(), "%s called (call %d) to counter %s: %s\n", r.Ticket, r.Calls, r.Counter, r.Name)
		if max := e.cfg.Queue.MaxCalls; max > 0 && r.Calls >= max {
			fmt.Fprintf(e.out(), "%s has been called %d times; if nobody comes: loket noshow %s\n", r.Ticket, r.Calls, r.Ticket)
		}
	case queue.ActTransfer:
		fmt.Fprintf(e.out(), "%s moved to the line of service %s\n", r.Ticket, r.Service)
	default:
		fmt.Fprintf(e.out(), "%s is now %s\n", r.Ticket, r.Status)
	}
	return nil
}
