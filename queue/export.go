package queue

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/loket-id/loket/internal/csvsafe"
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

// ExportWriter streams export records as CSV or a JSON array of objects.
// In CSV, a cell that a spreadsheet would run as a formula gets a single
// quote in front (see internal/csvsafe); JSON holds the values as stored.
type ExportWriter struct {
	w      io.Writer
	format string
	csv    *csvsafe.Writer
	n      int
}

func NewExportWriter(w io.Writer, format string) *ExportWriter {
	ew := &ExportWriter{w: w, format: format}
	if format == "csv" {
		ew.csv = csvsafe.NewWriter(w)
		_ = ew.csv.Write(ExportColumns)
	}
	return ew
}

// Write writes one record (from ExportRecord).
func (ew *ExportWriter) Write(rec []string) error {
	if ew.csv != nil {
		return ew.csv.Write(rec)
	}
	obj := make(map[string]string, len(rec))
	for i, c := range ExportColumns {
		obj[c] = rec[i]
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	sep := ",\n"
	if ew.n == 0 {
		sep = "[\n"
	}
	ew.n++
	_, err = fmt.Fprintf(ew.w, "%s%s", sep, b)
	return err
}

// Close ends the output (the JSON array); it does not close the writer.
func (ew *ExportWriter) Close() error {
	if ew.csv != nil {
		ew.csv.Flush()
		return ew.csv.Error()
	}
	end := "\n]\n"
	if ew.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(ew.w, end)
	return err
}
