package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/loket-id/loket/store"
)

// statusFilters are the choices of f, in order; "" is all, "open" is
// waiting, called or serving.
var statusFilters = []string{"", "open", "waiting", "called", "serving", "done", "no_show", "cancelled"}

// queueModel is today's queue as a scrolling table.
type queueModel struct {
	all        []store.Request
	rows       []store.Request // after the filters
	cursor     int
	offset     int
	selectedID string
	status     int    // index into statusFilters
	service    string // "" is every service
	waiting    int
	unprinted  map[string]string // request ID -> why its receipt did not print
}

func newQueueModel() queueModel { return queueModel{unprinted: map[string]string{}} }

func (q *queueModel) setRequests(reqs []store.Request, unprinted map[string]string) {
	q.all = reqs
	if unprinted == nil {
		unprinted = map[string]string{}
	}
	q.unprinted = unprinted
	q.waiting = 0
	for _, r := range reqs {
		if r.Status == store.StatusWaiting {
			q.waiting++
		}
	}
	q.refilter()
}

func (q *queueModel) refilter() {
	q.rows = q.rows[:0]
	f := statusFilters[q.status]
	for _, r := range q.all {
		if q.service != "" && r.Service != q.service {
			continue
		}
		switch f {
		case "":
		case "open":
			if r.Status.Final() {
				continue
			}
		default:
			if string(r.Status) != f {
				continue
			}
		}
		q.rows = append(q.rows, r)
	}
	// Keep the selection on the same request when the list changes.
	q.cursor = min(q.cursor, max(len(q.rows)-1, 0))
	for i, r := range q.rows {
		if r.ID == q.selectedID {
			q.cursor = i
			break
		}
	}
	if len(q.rows) > 0 {
		q.selectedID = q.rows[q.cursor].ID
	}
}

func (q *queueModel) selected() (store.Request, bool) {
	if q.cursor < 0 || q.cursor >= len(q.rows) {
		return store.Request{}, false
	}
	return q.rows[q.cursor], true
}

func (q *queueModel) move(d int) {
	if len(q.rows) == 0 {
		return
	}
	q.cursor = max(0, min(len(q.rows)-1, q.cursor+d))
	q.selectedID = q.rows[q.cursor].ID
}

func (q *queueModel) cycleStatus() {
	q.status = (q.status + 1) % len(statusFilters)
	q.refilter()
}

func (q *queueModel) cycleService(svcs []store.Service) {
	codes := []string{""}
	for _, s := range svcs {
		codes = append(codes, s.Code)
	}
	for i, c := range codes {
		if c == q.service {
			q.service = codes[(i+1)%len(codes)]
			break
		}
	}
	q.refilter()
}

// here is the request called to or being served at this counter, the latest first.
func (q *queueModel) here(counter string) (store.Request, bool) {
	var best store.Request
	found := false
	for _, r := range q.all {
		if (r.Status == store.StatusCalled || r.Status == store.StatusServing) && r.Counter == counter {
			if !found || r.UpdatedAt.After(best.UpdatedAt) {
				best, found = r, true
			}
		}
	}
	return best, found
}

// headerLines is what the queue shows above the table rows.
const headerLines = 3

func (q *queueModel) pageSize(m *Model) int { return max(1, m.hgt-4-headerLines) }

func (q *queueModel) view(m *Model, h int) string {
	t, th := m.t, m.th
	var b strings.Builder
	if r, ok := q.here(m.opt.Counter); ok {
		svc := serviceName(m, r.Service)
		if r.Status == store.StatusCalled {
			b.WriteString(th.Here.Render(truncate(t.S("here.called", r.Ticket, clean(r.Name), svc, r.Calls), m.width)))
		} else {
			b.WriteString(th.Here.Render(truncate(t.S("here.serving", r.Ticket, clean(r.Name), svc), m.width)))
		}
	} else {
		b.WriteString(th.HereNone.Render(truncate(t.S("here.none"), m.width)))
	}
	b.WriteByte('\n')
	sf := t.S("filter.all")
	if f := statusFilters[q.status]; f == "open" {
		sf = t.S("filter.open")
	} else if f != "" {
		sf = t.S("status." + f)
	}
	svf := t.S("filter.all")
	if q.service != "" {
		svf = q.service
	}
	b.WriteString(th.Filter.Render(t.S("filter.label", sf, svf, len(q.rows))))
	b.WriteByte('\n')

	wide := m.width >= 120
	svcW, svcHead := 4, t.S("col.code")
	if wide {
		svcHead = t.S("col.service")
		svcW = 30
	}
	// ▶ + ticket + service + priority + status + arrived + wait, with spaces.
	nameW := max(8, m.width-(2+6+1+svcW+1+2+1+11+1+7+1+6)-1)
	header := "  " + pad(t.S("col.ticket"), 6) + " " + pad(svcHead, svcW) + " " + pad(t.S("col.name"), nameW) + " " +
		pad(t.S("col.pri"), 2) + " " + pad(t.S("col.status"), 11) + " " + pad(t.S("col.arrived"), 7) + " " + pad(t.S("col.wait"), 6)
	b.WriteString(th.Header.Render(truncate(header, m.width)))
	rowsH := h - headerLines
	if len(q.rows) == 0 {
		b.WriteString("\n  " + th.Muted.Render(t.S("queue.empty")))
		return b.String()
	}
	// Scroll so the cursor is visible; render only the visible rows.
	if q.cursor < q.offset {
		q.offset = q.cursor
	}
	if q.cursor >= q.offset+rowsH {
		q.offset = q.cursor - rowsH + 1
	}
	q.offset = max(0, min(q.offset, len(q.rows)-rowsH))
	now := m.opt.Now()
	for i := q.offset; i < len(q.rows) && i < q.offset+rowsH; i++ {
		r := q.rows[i]
		mark := "  "
		if i == q.cursor {
			mark = "▶ "
		}
		svc := r.Service
		if wide {
			svc = r.Service + " " + serviceName(m, r.Service)
		}
		pri := " "
		if r.Priority != store.PriorityNone {
			pri = "★"
		}
		if _, bad := q.unprinted[r.ID]; bad {
			pri += "!" // the receipt did not print: p prints it again
		} else {
			pri += " "
		}
		status := pad(t.S("status."+string(r.Status)), 11)
		line := mark + pad(r.Ticket, 6) + " " + pad(svc, svcW) + " " + pad(clean(r.Name), nameW) + " " + pri + " " +
			th.Status[string(r.Status)].Render(status) + " " + pad(r.ArrivedAt.In(m.opt.Location).Format("15:04"), 7) + " " +
			pad(waitText(r, now), 6)
		if i == q.cursor {
			line = th.Selected.Render(ansiStrip(line))
		}
		b.WriteString("\n" + line)
	}
	return b.String()
}

func serviceName(m *Model, code string) string {
	for _, s := range m.services {
		if s.Code == code {
			return clean(s.Name(m.t.Lang()))
		}
	}
	return code
}

// waitText is the waiting time so far (or until the first call).
func waitText(r store.Request, now time.Time) string {
	d := r.WaitingTime(now)
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
