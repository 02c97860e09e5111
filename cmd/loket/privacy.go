package main

// purge and forget: the applicant's personal part (name, NIK, phone, notes)
// erased at the end of the retention period (privacy.retention_days), or
// at once at the applicant's request (UU PDP 27/2022). The requests' facts,
// tickets, the event log and the statistics stay. The saved receipts of
// the erased requests are deleted with them (a reprint shows the request
// without the person).

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts"
)

func privacyCommands() []*command {
	return []*command{
		{Name: "purge", Args: "[--before DATE] [--dry-run] [--format text|json]",
			Summary: "erase the personal data of requests closed before a day (default: privacy.retention_days ago)",
			Owned:   true, Flags: purgeFlags},
		{Name: "forget", Args: "NIK --reason TEXT [--format text|json]",
			Summary: "erase at once everything held about one NIK, at the applicant's request (logged in access.log)",
			Owned:   true, Flags: forgetFlags},
	}
}

// erasureOut is what purge and forget print as JSON: counts and facts,
// never a NIK or a name.
type erasureOut struct {
	Before          string                `json:"before,omitempty"`
	DryRun          bool                  `json:"dry_run"`
	Erased          int                   `json:"erased"`
	Requests        []queue.ErasedRequest `json:"requests"`
	ReceiptsDeleted int                   `json:"receipts_deleted"`
}

func purgeFlags(fs *flag.FlagSet) runner {
	before := fs.String("before", "", "erase requests closed before this day, YYYY-MM-DD (default: today less privacy.retention_days)")
	dry := fs.Bool("dry-run", false, "only list what it would erase; change nothing")
	format := formatFlag(fs, false)
	by := declareActor(fs)
	return func(e *env, args []string) error {
		if err := noArgs(e, args); err != nil {
			return err
		}
		if err := checkFormat(*format, "text", "json"); err != nil {
			return err
		}
		if *before != "" {
			if _, err := time.Parse(time.DateOnly, *before); err != nil {
				return usagef("--before %q is not a date YYYY-MM-DD", *before)
			}
		} else if e.cfg.Privacy.RetentionDays == 0 {
			return usagef("privacy.retention_days is 0 (never purge automatically): name the day with --before YYYY-MM-DD")
		}
		how := keyed // purging again erases nothing more: safe to send again
		if *dry {
			how = reads
		}
		q, err := e.queue(how)
		if err != nil {
			return err
		}
		cut := *before
		if cut == "" {
			cut, _ = e.cfg.Privacy.PurgeBefore(q.Now().In(q.Location()))
		}
		if today := q.Today(); cut > today {
			return usagef("--before %s is after today (%s): a purge erases only requests closed before a day that has come", cut, today)
		}
		res, err := q.Purge(e.ctx, cut, *dry, e.actor(by))
		if err != nil {
			return err
		}
		out := erasureOut{Before: cut, DryRun: *dry, Erased: len(res.Requests), Requests: res.Requests}
		var rmErr error
		if !*dry {
			n, err := receipts.Remove(e.dataDir, res.Requests)
			m, err2 := receipts.RemoveBefore(e.dataDir, cut)
			out.ReceiptsDeleted, rmErr = n+m, errors.Join(err, err2)
			e.log().Info("personal data purged", "before", cut, "requests", out.Erased, "receipts", out.ReceiptsDeleted,
				"counter", e.actor(by).Counter)
		}
		if err := printErasure(e, *format, out); err != nil {
			return err
		}
		return receiptsLeft(e, rmErr)
	}
}

func forgetFlags(fs *flag.FlagSet) runner {
	reason := fs.String("reason", "", "why (the applicant's request, its letter or date); recorded with the erasure, never the NIK")
	format := formatFlag(fs, false)
	by := declareActor(fs)
	return func(e *env, args []string) error {
		arg, err := oneArg(e, args, "NIK")
		if err != nil {
			return err
		}
		if err := checkFormat(*format, "text", "json"); err != nil {
			return err
		}
		nik := strings.ReplaceAll(strings.TrimSpace(arg), " ", "")
		if len(nik) != 16 || strings.Trim(nik, "0123456789") != "" {
			return usagef("forget needs a whole NIK: 16 digits (got %d characters)", len(nik))
		}
		if strings.TrimSpace(*reason) == "" {
			return usagef("forget needs --reason TEXT: why the data is erased (e.g. \"permintaan pemohon, surat 12/2026\")")
		}
		if _, err := (queue.ErasedData{Reason: queue.ErasedOnRequest, Note: *reason}).Validate(); err != nil {
			return err
		}
		q, err := e.queue(keyed) // forgetting again erases nothing more: safe to send again
		if err != nil {
			return err
		}
		access, err := e.openAccess() // before anything is erased: no erasure goes unrecorded
		if err != nil {
			return err
		}
		res, err := q.Forget(e.ctx, nik, strings.TrimSpace(*reason), e.actor(by))
		if err != nil {
			return err
		}
		out := erasureOut{Erased: len(res.Requests), Requests: res.Requests}
		n, rmErr := receipts.Remove(e.dataDir, res.Requests)
		out.ReceiptsDeleted = n
		if err := access.record(accessEntry{Command: "forget", Rows: out.Erased, Reason: strings.TrimSpace(*reason)}); err != nil {
			return fmt.Errorf("the data was erased (%d requests), but: %w", out.Erased, err)
		}
		e.log().Info("personal data forgotten", "requests", out.Erased, "receipts", out.ReceiptsDeleted, "counter", e.actor(by).Counter)
		if err := printErasure(e, *format, out); err != nil {
			return err
		}
		return receiptsLeft(e, rmErr)
	}
}

// receiptsLeft is the error of saved receipts that could not be deleted
// (exit 1): the erasure itself is done.
func receiptsLeft(e *env, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("the personal data was erased, but some saved receipts under %s/receipts could not be deleted (delete them by hand): %w", e.dataDir, err)
}

// printErasure prints what purge or forget erased: how many, and each
// request by its day, ticket and tracking code.
func printErasure(e *env, format string, out erasureOut) error {
	if out.Requests == nil {
		out.Requests = []queue.ErasedRequest{}
	}
	if format == "json" {
		return writeJSON(e.out(), out)
	}
	t := e.t()
	switch {
	case out.Before == "" && out.Erased == 0:
		fmt.Fprintln(e.out(), t.S("cmd.person.none"))
	case out.Before == "":
		fmt.Fprintln(e.out(), t.S("cmd.forget.done", out.Erased))
	case out.DryRun:
		fmt.Fprintln(e.out(), t.S("cmd.purge.dry", out.Before, out.Erased))
	default:
		fmt.Fprintln(e.out(), t.S("cmd.purge.done", out.Before, out.Erased))
	}
	for _, r := range out.Requests {
		fmt.Fprintf(e.out(), "  %s/%s\t%s\n", r.Day, r.Ticket, r.TrackingCode)
	}
	if out.ReceiptsDeleted > 0 {
		fmt.Fprintln(e.out(), t.S("cmd.purge.receipts", out.ReceiptsDeleted))
	}
	return nil
}
