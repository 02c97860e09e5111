package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/internal/csvsafe"
	"github.com/loket-id/loket/office"
	"github.com/loket-id/loket/queue"
)

// masked is a request as the counter shows it: NIK and phone masked. Only
// `loket export --unmasked` and `loket person` write them in full.
func masked(r queue.Request) queue.Request {
	r.NIK = queue.MaskNIK(r.NIK)
	r.Phone = queue.MaskPhone(r.Phone)
	return r
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// listColumns are the columns of list and find in csv form.
var listColumns = []string{"ticket", "service", "status", "priority", "name", "nik", "arrived_at", "wait_seconds", "tracking_code", "id"}

// printRequests prints rs in format, with their waiting times at q's clock.
func printRequests(e *env, q office.Queue, format string, rs []queue.Request) error {
	now := q.Now()
	loc := q.Location()
	switch format {
	case "json":
		out := make([]queue.Request, len(rs))
		for i, r := range rs {
			out[i] = masked(r)
		}
		return writeJSON(e.out(), out)
	case "csv":
		w := csvsafe.NewWriter(e.out())
		_ = w.Write(listColumns)
		for _, r := range rs {
			_ = w.Write([]string{r.Ticket, r.Service, string(r.Status), string(r.Priority), r.Name, queue.MaskNIK(r.NIK),
				r.ArrivedAt.In(loc).Format(time.RFC3339), fmt.Sprint(int64(r.WaitingTime(now).Seconds())), r.TrackingCode, r.ID})
		}
		w.Flush()
		return w.Error()
	}
	t := e.t()
	if len(rs) == 0 {
		fmt.Fprintln(e.out(), t.S("cmd.list.none"))
		return nil
	}
	tw := tabwriter.NewWriter(e.out(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, t.S("cmd.list.head"))
	for _, r := range rs {
		pri := ""
		if r.Priority != queue.PriorityNone {
			pri = "*"
		}
		w := r.WaitingTime(now)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Ticket, t.S("status."+string(r.Status)), pri, r.Day, r.ArrivedAt.In(loc).Format("15:04"),
			fmtDuration(w), truncate(applicant(t, r), 28), orDash(queue.MaskNIK(r.NIK)), r.TrackingCode)
	}
	return tw.Flush()
}

func fmtDuration(d time.Duration) string {
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// printShow prints r and its history in format, with the times of loc.
func printShow(e *env, loc *time.Location, format string, r queue.Request, hist []queue.Event) error {
	return printDetail(e, loc, format, masked(r), hist)
}

// printDetail prints r as it is (masked or not by the caller) and its
// history in format, with the times of loc.
func printDetail(e *env, loc *time.Location, format string, r queue.Request, hist []queue.Event) error {
	if format == "json" {
		return writeJSON(e.out(), struct {
			Request queue.Request `json:"request"`
			History []historyItem `json:"history"`
		}{r, historyItems(hist)})
	}
	t := func(p *time.Time) string {
		if p == nil {
			return "-"
		}
		return p.In(loc).Format("2006-01-02 15:04:05")
	}
	tr := e.t()
	arrived := r.ArrivedAt
	prio := "-"
	if r.Priority != queue.PriorityNone {
		prio = tr.S("prio." + string(r.Priority))
	}
	w := tabwriter.NewWriter(e.out(), 0, 0, 2, ' ', 0)
	for _, kv := range [][2]string{
		{tr.S("cmd.show.ticket"), r.Ticket}, {tr.S("detail.tracking"), r.TrackingCode}, {"ID", r.ID}, {tr.S("form.service"), r.Service},
		{tr.S("col.status"), tr.S("status." + string(r.Status))}, {tr.S("detail.priority"), prio}, {tr.S("form.name"), applicant(tr, r)},
		{tr.S("form.nik"), orDash(r.NIK)}, {tr.S("detail.phone"), orDash(r.Phone)}, {tr.S("detail.notes"), orDash(r.Notes)},
		{tr.S("detail.arrived"), t(&arrived)}, {tr.S("detail.called"), t(r.CalledAt)}, {tr.S("detail.serving"), t(r.ServingAt)}, {tr.S("detail.done"), t(r.DoneAt)},
		{tr.S("detail.calls"), fmt.Sprint(r.Calls)}, {tr.S("cmd.show.counter"), orDash(r.Counter)}, {tr.S("cmd.show.clerk"), orDash(r.Clerk)},
	} {
		fmt.Fprintf(w, "%s:\t%s\n", kv[0], kv[1])
	}
	fmt.Fprintln(w, "\n"+tr.S("detail.history")+":")
	for _, h := range historyItems(hist) {
		what := h.Type
		if key := "event." + h.Type; tr.Has(key) {
			what = tr.S(key)
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n", h.At.In(loc).Format("2006-01-02 15:04:05"), what, h.Counter, h.Clerk, h.Detail)
	}
	return w.Flush()
}

type historyItem struct {
	Seq     uint64    `json:"seq"`
	At      time.Time `json:"at"`
	Type    string    `json:"type"`
	Counter string    `json:"counter"`
	Clerk   string    `json:"clerk"`
	Detail  string    `json:"detail,omitempty"`
}

// historyItems describes events without their payloads (which hold the NIK).
func historyItems(evs []queue.Event) []historyItem {
	out := make([]historyItem, 0, len(evs))
	for _, ev := range evs {
		h := historyItem{Seq: ev.Seq, At: ev.At, Type: strings.TrimPrefix(ev.Type, "request."), Counter: ev.Counter, Clerk: ev.Clerk}
		if ev.Type == queue.EventTransferred {
			var td queue.TransferData
			if json.Unmarshal(ev.Data, &td) == nil {
				h.Detail = td.From + " -> " + td.Service
			}
		}
		out = append(out, h)
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printServices(e *env, svcs []queue.Service) error {
	t := e.t()
	w := tabwriter.NewWriter(e.out(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, t.S("cmd.services.head"))
	for _, s := range svcs {
		active := t.S("cmd.yes")
		if !s.Active {
			active = t.S("cmd.no")
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\n", s.Code, truncate(s.Name(e.lang), 44), t.S("cmd.services.days", s.SLADays),
			t.S("cmd.services.minutes", s.TargetWaitMin), active, len(s.Documents))
	}
	return w.Flush()
}

// applicant is the name of r's applicant as text output shows it: "-" when
// there is none yet (a kiosk's walk-in), and said when it was erased.
func applicant(t i18n.Text, r queue.Request) string {
	if r.Erased {
		return t.S("detail.erased")
	}
	return orDash(r.Name)
}
