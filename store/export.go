package store

import (
	"time"
)

// ExportColumns are the columns of `loket export` and of the central
// server's export, in order, so that the two can be compared line by line.
var ExportColumns = []string{"id", "tracking_code", "ticket", "service", "status", "priority", "name", "nik", "phone",
	"station", "arrived_at", "called_at", "serving_at", "done_at", "counter", "clerk"}

// ExportRecord is one request as the export writes it: times in RFC 3339
// with the office's offset, empty when not reached.
func ExportRecord(r Request, loc *time.Location) []string {
	t := func(p *time.Time) string {
		if p == nil {
			return ""
		}
		return p.In(loc).Format(time.RFC3339)
	}
	arrived := r.ArrivedAt
	return []string{r.ID, r.TrackingCode, r.Ticket, r.Service, string(r.Status), string(r.Priority), r.Name, r.NIK, r.Phone,
		r.Station, t(&arrived), t(r.CalledAt), t(r.ServingAt), t(r.DoneAt), r.Counter, r.Clerk}
}
