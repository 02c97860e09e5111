package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/demo"
	"github.com/loket-id/loket/ownersock"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/client"
)

func formatFlag(fs *flag.FlagSet, o *opts, table bool) {
	help := "output: text or json"
	if table {
		help = "output: text, json or csv"
	}
	fs.StringVar(&o.format, "format", "text", help)
}

func actorFlags(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.clerk, "clerk", "", "clerk name (default from config)")
	fs.StringVar(&o.counter, "counter", "", "counter code (default from config)")
}

func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return usagef("--format %q is not one of %s", format, strings.Join(allowed, ", "))
}

var commandTable map[string]*command

func commands() map[string]*command {
	if commandTable != nil {
		return commandTable
	}
	cmds := []*command{
		{name: "init", args: "[flags]", summary: "write the config file (office, counter, clerk, language, printer, server)",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.officeCode, "office-code", "", "office code")
				fs.StringVar(&o.officeName, "office-name", "", "office name")
				fs.StringVar(&o.address, "address", "", "office address")
				fs.StringVar(&o.stationCode, "station-code", "", "counter (station) code, e.g. L1")
				fs.StringVar(&o.stationName, "station-name", "", "counter (station) name, e.g. Loket 1")
				fs.StringVar(&o.clerk, "clerk", "", "clerk name")
				fs.StringVar(&o.tz, "timezone", "", "office time zone, e.g. Asia/Jakarta")
				fs.StringVar(&o.paper, "paper", "", "receipt paper: 80mm, 58mm, A5 or A4")
				fs.StringVar(&o.printer, "printer", "", "CUPS printer queue for receipts")
				fs.StringVar(&o.server, "server", "", "central server URL")
				fs.StringVar(&o.token, "token", "", "station token from the central server (stored in a 0600 file)")
			}, run: runInit},
		{name: "add", args: "--service CODE --name NAME --nik NIK [--phone P] [--priority KIND] [--notes TEXT]",
			summary: "register a walk-in and print the ticket and tracking code", store: true, keyed: true,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.service, "service", "", "service code (see loket services)")
				fs.StringVar(&o.name, "name", "", "applicant's name")
				fs.StringVar(&o.nik, "nik", "", "applicant's NIK (16 digits)")
				fs.StringVar(&o.phone, "phone", "", "applicant's mobile number (optional)")
				fs.StringVar(&o.priority, "priority", "", "priority: elderly, disabled, pregnant, child (optional)")
				fs.StringVar(&o.notes, "notes", "", "notes (optional)")
				formatFlag(fs, o, false)
				actorFlags(fs, o)
			}, run: runAdd},
		{name: "receipt", args: "REF [--out FILE] [--print] [--paper 80mm|58mm|A5|A4]",
			summary: "make the receipt of a request again (saved under the data directory, or --out), and print it with --print", store: true,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.out, "out", "", "write the PDF to FILE instead of the receipts folder")
				fs.BoolVar(&o.print, "print", false, "send it to the configured printer")
				fs.StringVar(&o.paper, "paper", "", "paper (default from config, else 80mm)")
			}, run: runReceipt},
		{name: "call", args: "[--service CODE,...]", summary: "call the next waiting request (priority first, then by arrival)", store: true, keyed: true,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.service, "service", "", "only these services (comma-separated; default from config, else all)")
				formatFlag(fs, o, false)
				actorFlags(fs, o)
			}, run: runCall},
		{name: "transfer", args: "REF --service CODE", summary: "move a request to another service's line, keeping its ticket", store: true, keyed: true,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.service, "service", "", "service to move to")
				formatFlag(fs, o, false)
				actorFlags(fs, o)
			}, run: func(e *env, args []string) error { return runAct(e, args, queue.ActTransfer) }},
		{name: "show", args: "REF", summary: "show one request and its history", store: true,
			flags: func(fs *flag.FlagSet, o *opts) { formatFlag(fs, o, false) }, run: runShow},
		{name: "list", args: "[--date YYYY-MM-DD] [--status S]", summary: "list the queue of a day (today by default)", store: true,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.date, "date", "", "day to list, YYYY-MM-DD (default today)")
				fs.StringVar(&o.status, "status", "", "only this status")
				formatFlag(fs, o, true)
			}, run: runList},
		{name: "find", args: "TEXT", summary: "search by ticket, tracking code, NIK or name", store: true,
			flags: func(fs *flag.FlagSet, o *opts) { formatFlag(fs, o, true) }, run: runFind},
		{name: "export", args: "[--from DATE] [--to DATE] --format json|csv [--out FILE]", summary: "export every request of a date range", store: true,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.from, "from", "", "first day, YYYY-MM-DD (default the first)")
				fs.StringVar(&o.to, "to", "", "last day, YYYY-MM-DD (default the last)")
				fs.StringVar(&o.format, "format", "csv", "json or csv")
				fs.StringVar(&o.out, "out", "", "write to FILE instead of standard output")
			}, run: runExport},
		{name: "services", args: "[import FILE]", summary: "list the service catalog, or replace it from a TOML or JSON file", store: true, keyed: true,
			flags: func(fs *flag.FlagSet, o *opts) { formatFlag(fs, o, false) }, run: runServices},
		{name: "backup", args: "FILE", summary: "write a consistent copy of the database, even while it is in use", store: true, run: runBackup},
		{name: "check", args: "", summary: "verify the database (bbolt pages and the store's invariants)", store: true,
			flags: func(fs *flag.FlagSet, o *opts) { formatFlag(fs, o, false) }, run: runCheck},
		{name: "version", args: "", summary: "print the version", run: runVersion},
		{name: "demo", args: "[--days N] [--seed S] [--force]", summary: "fill the database with a realistic simulated history", store: true, once: true,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.IntVar(&o.days, "days", 30, "days of history, ending today")
				fs.IntVar(&o.seed, "seed", 1, "random seed")
				fs.BoolVar(&o.force, "force", false, "add to a database that already has requests")
			}, run: runDemo},
		{name: "ui", args: "[--data DIR] [--config FILE] [--lang id|en]", summary: "open the terminal UI (the same as loket with no command)", run: runUI},
		{name: "sync", args: "[--server URL] [--token TOKEN] [--timeout D] [--jitter D]",
			summary: "send every change to the central server and adopt its catalog (exit 3 unreachable, 4 refused)", store: true,
			flags: syncFlags, run: runSync},
		{name: "stats", args: "[--from DATE] [--to DATE] [--service CODE] [--by service|counter|clerk|hour|day] [--format text|json|csv] [--central]",
			summary: "queue statistics: arrivals, served, no-shows, waiting and service times (--central: the whole office)", store: true,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.from, "from", "", "first day, YYYY-MM-DD (default today)")
				fs.StringVar(&o.to, "to", "", "last day, YYYY-MM-DD (default --from)")
				fs.StringVar(&o.by, "by", "service", "breakdown: service, counter, clerk, hour or day")
				fs.BoolVar(&o.central, "central", false, "the central server's figures for the whole office")
				fs.StringVar(&o.service, "service", "", "one service only")
				fs.StringVar(&o.server, "server", "", "central server URL (with --central)")
				fs.StringVar(&o.token, "token", "", "station token (with --central)")
				formatFlag(fs, o, true)
			}, run: runStats},
		{name: "report", args: "[--date YYYY-MM-DD | --month YYYY-MM] --out FILE",
			summary: "write the PDF statistics report of a day (default today) or a month", store: true,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.date, "date", "", "the day, YYYY-MM-DD (default today)")
				fs.StringVar(&o.month, "month", "", "the month, YYYY-MM")
				fs.StringVar(&o.out, "out", "", "the PDF file to write")
			}, run: runReport},
		{name: "daemon", args: "", summary: "hold the database and answer other loket commands (for kiosks and tests)", run: runDaemon},
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
		cmds = append(cmds, &command{name: string(act), args: "REF", summary: a.summary + " (REF: ticket, tracking code or ID)", store: true, keyed: true,
			flags: func(fs *flag.FlagSet, o *opts) { formatFlag(fs, o, false); actorFlags(fs, o) },
			run:   func(e *env, args []string) error { return runAct(e, args, act) }})
	}
	commandTable = map[string]*command{}
	for _, c := range cmds {
		commandTable[c.name] = c
	}
	return commandTable
}

func oneArg(e *env, args []string, what string) (string, error) {
	if len(args) != 1 {
		return "", usagef("%s needs exactly one %s (see loket %s --help)", e.cmd.name, what, e.cmd.name)
	}
	return args[0], nil
}

func noArgs(e *env, args []string) error {
	if len(args) != 0 {
		return usagef("%s takes no arguments, got %q", e.cmd.name, strings.Join(args, " "))
	}
	return nil
}

func runAdd(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	if err := checkFormat(e.o.format, "text", "json"); err != nil {
		return err
	}
	r, again, err := e.st.RegisterOnce(e.ctx, e.key, queue.NewRequest{
		Service: e.o.service, Name: e.o.name, NIK: e.o.nik, Phone: e.o.phone,
		Priority: queue.Priority(e.o.priority), Notes: e.o.notes,
	}, e.actor())
	if err != nil {
		return err
	}
	e.noteAgain(again)
	if e.o.format == "json" {
		if err := writeJSON(e.out(), masked(r)); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.out(), "ticket %s  tracking %s  id %s\n", r.Ticket, r.TrackingCode, r.ID)
	}
	// The registration stands whatever happens to its receipt: a receipt or
	// printer failure is a warning, and `loket receipt REF --print` retries.
	res, err := e.produceReceipt(r, true)
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

// receiptMaker makes receipts as the config says.
func (e *env) receiptMaker() (*receipts.Maker, error) {
	paper, err := receipts.PaperByName(e.cfg.Receipt.Paper)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, queue.ErrInvalid)
	}
	if e.o.paper != "" {
		if paper, err = receipts.PaperByName(e.o.paper); err != nil {
			return nil, fmt.Errorf("%w: %w", err, queue.ErrInvalid)
		}
	}
	return &receipts.Maker{Dir: e.dataDir, Paper: paper, PrinterQueue: e.cfg.Receipt.Printer, PrintCommand: e.cfg.Receipt.PrintCommand,
		Office: e.cfg.Office.Name, Address: e.cfg.Office.Address, CounterName: e.cfg.Station.Name,
		Contact:     receipts.Contact{Phone: e.cfg.Office.Phone, WhatsApp: e.cfg.Office.WhatsApp, Website: e.cfg.Office.Website, Hours: e.cfg.Office.Hours},
		Lang:        e.cfg.ReceiptLanguage(), // the office's, never the clerk's screen's
		TrackingURL: e.cfg.Receipt.TrackingURL, Holidays: e.cfg.Receipt.Holidays, Location: e.st.Location()}, nil
}

func (e *env) service(code string) (queue.Service, error) {
	var svc queue.Service
	err := e.st.View(e.ctx, func(tx *store.Tx) error {
		var err error
		svc, err = tx.Service(code)
		return err
	})
	return svc, err
}

// produceReceipt saves the receipt of r and prints it if asked and a printer is set.
func (e *env) produceReceipt(r queue.Request, print bool) (receipts.Result, error) {
	m, err := e.receiptMaker()
	if err != nil {
		return receipts.Result{}, err
	}
	svc, err := e.service(r.Service)
	if err != nil {
		return receipts.Result{}, err
	}
	return m.Produce(e.ctx, r, svc, print)
}

// runReceipt makes (again) the receipt of a request, and prints it with --print.
func runReceipt(e *env, args []string) error {
	ref, err := oneArg(e, args, "REF")
	if err != nil {
		return err
	}
	r, err := e.st.Get(e.ctx, ref)
	if err != nil {
		return err
	}
	m, err := e.receiptMaker()
	if err != nil {
		return err
	}
	if e.o.print && !m.CanPrint() {
		return usagef("--print needs a printer: set receipt.printer (or receipt.print_command) in %s", e.cfgPath)
	}
	if e.o.out == "" {
		res, err := e.produceReceipt(r, e.o.print)
		if err != nil {
			return err
		}
		if res.PrintErr != nil {
			return fmt.Errorf("receipt saved to %s but not printed: %w", res.Path, res.PrintErr)
		}
		fmt.Fprintf(e.out(), "%s%s\n", res.Path, map[bool]string{true: " (printed)"}[res.Printed])
		return nil
	}
	svc, err := e.service(r.Service)
	if err != nil {
		return err
	}
	out := e.abs(e.o.out)
	h, err := m.Write(out, r, svc)
	if err != nil {
		return err
	}
	if e.o.print {
		if err := m.Print(e.ctx, out, h); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.out(), "%s%s\n", out, map[bool]string{true: " (printed)"}[e.o.print])
	return nil
}

func (e *env) callServices() []string {
	if e.o.service != "" {
		return strings.Split(e.o.service, ",")
	}
	return e.cfg.Queue.Services
}

func runCall(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	if err := checkFormat(e.o.format, "text", "json"); err != nil {
		return err
	}
	r, again, err := e.st.CallNextOnce(e.ctx, e.key, e.callServices(), e.actor())
	if err != nil {
		return err
	}
	e.noteAgain(again)
	return e.printAction(r, queue.ActCall)
}

func runAct(e *env, args []string, act queue.Action) error {
	ref, err := oneArg(e, args, "REF")
	if err != nil {
		return err
	}
	if err := checkFormat(e.o.format, "text", "json"); err != nil {
		return err
	}
	if act == queue.ActTransfer && e.o.service == "" {
		return usagef("transfer needs --service CODE")
	}
	r, again, err := e.st.ActOnce(e.ctx, e.key, ref, act, e.o.service, e.actor())
	if err != nil {
		return err
	}
	e.noteAgain(again)
	return e.printAction(r, act)
}

// noteAgain says on stderr that a keyed command was sent again after a lost
// answer and found its first attempt done: what it prints is that result.
func (e *env) noteAgain(again bool) {
	if again {
		fmt.Fprintf(e.app.Stderr, "loket: the first attempt of this %s was done (its answer was lost); it was not done twice\n", e.cmd.name)
	}
}

func (e *env) printAction(r queue.Request, act queue.Action) error {
	if e.o.format == "json" {
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

func runShow(e *env, args []string) error {
	ref, err := oneArg(e, args, "REF")
	if err != nil {
		return err
	}
	if err := checkFormat(e.o.format, "text", "json"); err != nil {
		return err
	}
	var r queue.Request
	var hist []queue.Event
	if err := e.st.View(e.ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.Resolve(ref); err != nil {
			return err
		}
		hist, err = tx.History(r.ID)
		return err
	}); err != nil {
		return err
	}
	return printShow(e, r, hist)
}

func runList(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	if err := checkFormat(e.o.format, "text", "json", "csv"); err != nil {
		return err
	}
	day := e.o.date
	if day == "" {
		day = e.st.Today()
	} else if err := checkDate("date", day); err != nil {
		return err
	}
	var status queue.Status
	if e.o.status != "" {
		var err error
		if status, err = queue.ParseStatus(e.o.status); err != nil {
			return err
		}
	}
	var rs []queue.Request
	if err := e.st.View(e.ctx, func(tx *store.Tx) error {
		all, err := tx.Day(day)
		for _, r := range all {
			if status == "" || r.Status == status {
				rs = append(rs, r)
			}
		}
		return err
	}); err != nil {
		return err
	}
	return printRequests(e, rs)
}

func runFind(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("find needs the text to search for")
	}
	if err := checkFormat(e.o.format, "text", "json", "csv"); err != nil {
		return err
	}
	var rs []queue.Request
	if err := e.st.View(e.ctx, func(tx *store.Tx) error {
		var err error
		rs, err = tx.Find(strings.Join(args, " "), 50)
		return err
	}); err != nil {
		return err
	}
	return printRequests(e, rs)
}

func runExport(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	if err := checkFormat(e.o.format, "json", "csv"); err != nil {
		return err
	}
	from, to := e.o.from, e.o.to
	for _, f := range [][2]string{{"from", from}, {"to", to}} {
		if f[1] != "" {
			if err := checkDate(f[0], f[1]); err != nil {
				return err
			}
		}
	}
	w := e.out()
	var f *os.File
	if e.o.out != "" {
		var err error
		if f, err = os.CreateTemp(filepath.Dir(e.abs(e.o.out)), ".loket-export-*"); err != nil {
			return fmt.Errorf("export to %s: %w", e.o.out, err)
		}
		defer os.Remove(f.Name())
		defer f.Close()
		w = f
	}
	ew := queue.NewExportWriter(w, e.o.format)
	if err := e.st.View(e.ctx, func(tx *store.Tx) error {
		return tx.Between(from, to, func(r queue.Request) error {
			return ew.Write(queue.ExportRecord(r, e.st.Location()))
		})
	}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := ew.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if f != nil {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("export to %s: %w", e.o.out, err)
		}
		if err := os.Rename(f.Name(), e.abs(e.o.out)); err != nil {
			return fmt.Errorf("export to %s: %w", e.o.out, err)
		}
	}
	return nil
}

func runServices(e *env, args []string) error {
	if err := checkFormat(e.o.format, "text", "json"); err != nil {
		return err
	}
	switch {
	case len(args) == 0:
	case len(args) == 2 && args[0] == "import":
		path := e.abs(args[1])
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("import catalog: %w", err)
		}
		format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
		svcs, err := queue.ParseCatalog(data, format)
		if err != nil {
			return fmt.Errorf("import catalog %s: %w", path, err)
		}
		_, again, err := e.st.ReplaceCatalogOnce(e.ctx, e.key, svcs, e.actor())
		e.noteAgain(again)
		if err != nil {
			return fmt.Errorf("import catalog %s: %w", path, err)
		}
		fmt.Fprintf(e.app.Stderr, "catalog replaced: %d services from %s\n", len(svcs), path)
	default:
		return usagef("services takes no arguments, or: import FILE")
	}
	var svcs []queue.Service
	if err := e.st.View(e.ctx, func(tx *store.Tx) error {
		var err error
		svcs, err = tx.Services()
		return err
	}); err != nil {
		return err
	}
	if e.o.format == "json" {
		return writeJSON(e.out(), svcs)
	}
	return printServices(e, svcs)
}

func runBackup(e *env, args []string) error {
	file, err := oneArg(e, args, "FILE")
	if err != nil {
		return err
	}
	n, err := e.st.BackupFile(e.abs(file))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out(), "backup written to %s (%d bytes)\n", e.abs(file), n)
	return nil
}

func runCheck(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	if err := checkFormat(e.o.format, "text", "json"); err != nil {
		return err
	}
	rep, err := e.st.Check(e.ctx)
	if err != nil {
		return err
	}
	if e.o.format == "json" {
		if err := writeJSON(e.out(), rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.out(), "%s: %d requests, %d events\n", e.st.Path(), rep.Requests, rep.Events)
		for _, p := range rep.Problems {
			fmt.Fprintf(e.out(), "PROBLEM: %s\n", p)
		}
		if rep.OK() {
			fmt.Fprintln(e.out(), "ok")
		}
	}
	if !rep.OK() {
		return &exitError{Code: exitFailure, Err: fmt.Errorf("check found %d problems", len(rep.Problems))}
	}
	return nil
}

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func runVersion(e *env, args []string) error {
	v := version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	fmt.Fprintf(e.out(), "loket %s (database schema %d)\n", v, store.SchemaVersion())
	return nil
}

func runDemo(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	if e.o.days < 1 || e.o.days > 3660 {
		return usagef("--days must be 1 to 3660")
	}
	sum, err := demo.Generate(e.ctx, e.st, demo.Options{Days: e.o.days, Seed: int64(e.o.seed), Force: e.o.force})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out(), "demo: %d requests over %d days (%d done, %d no-show, %d cancelled, %d transferred, %d still open)\n",
		sum.Requests, sum.Days, sum.Done, sum.NoShow, sum.Cancelled, sum.Transferred, sum.Open)
	return nil
}

// runDaemon holds the database and answers forwarded commands until it is
// stopped (SIGINT or SIGTERM).
func runDaemon(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	sopts, err := e.storeOptions()
	if err != nil {
		return err
	}
	st, err := store.Open(filepath.Join(e.dataDir, store.FileName), sopts)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(e.app.Stderr, "loket daemon: holding %s, answering on %s\n", st.Path(), filepath.Join(e.dataDir, ownersock.FileName))
	return serveOwner(e.ctx, st, e.dataDir, nil)
}

// serveOwner answers other loket commands on the owner socket until ctx ends.
func serveOwner(ctx context.Context, st *store.Store, dataDir string, syncer *client.Syncer) error {
	ln, err := ownersock.Listen(filepath.Join(dataDir, ownersock.FileName))
	if err != nil {
		return err
	}
	defer os.Remove(filepath.Join(dataDir, ownersock.FileName))
	return ownersock.Serve(ctx, ln, ownerHandler(st, syncer))
}

// checkDate checks the value d of the date flag --name, and names that flag.
func checkDate(name, d string) error {
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		return fmt.Errorf("--%s %q is not a date YYYY-MM-DD: %w", name, d, queue.ErrInvalid)
	}
	return nil
}

// runInit writes the config file: the flags given over what is there (or the defaults).
func runInit(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	cfg := e.cfg
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&cfg.Office.Code, e.o.officeCode)
	set(&cfg.Office.Name, e.o.officeName)
	set(&cfg.Office.Address, e.o.address)
	set(&cfg.Station.Code, e.o.stationCode)
	set(&cfg.Station.Name, e.o.stationName)
	set(&cfg.Clerk.Name, e.o.clerk)
	set(&cfg.Language, e.o.lang)
	set(&cfg.Timezone, e.o.tz)
	set(&cfg.Receipt.Paper, e.o.paper)
	set(&cfg.Receipt.Printer, e.o.printer)
	set(&cfg.Server.URL, e.o.server)
	if e.o.token != "" {
		tokenFile := filepath.Join(filepath.Dir(e.cfgPath), "token")
		if err := config.WriteFileAtomic(tokenFile, []byte(e.o.token+"\n"), 0o600); err != nil {
			return err
		}
		cfg.Server.TokenFile = tokenFile
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %w", err, queue.ErrInvalid)
	}
	if err := config.Save(e.cfgPath, cfg); err != nil {
		return err
	}
	fmt.Fprintf(e.out(), "config written to %s\n", e.cfgPath)
	return nil
}
