package receipts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/loket-id/loket/internal/atomicfile"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts/printcmd"
)

// Maker saves every receipt under the data directory and prints it when a
// printer is configured.
//
// Files: <data>/receipts/<YYYY-MM-DD>/<ticket>-<id>.pdf, by the request's day.
// A print that fails leaves <ticket>-<id>.failed beside it, holding the
// reason, until a print of that receipt succeeds: the queue screen marks the
// request meanwhile, and the mark survives a restart. Printing never changes
// or loses the request itself.
type Maker struct {
	Dir          string // the data directory
	Paper        Paper
	PrinterQueue string // CUPS queue for lp; "" with no PrintCommand means do not print
	// PrintCommand replaces lp: a command line split into words by the
	// rules of printcmd.Split (double quotes group words, backslashes are
	// ordinary characters, no shell), with {printer}, {file}, {width} and
	// {height} (mm) replaced inside each word, e.g. "lpr -P {printer} {file}"
	// or `"C:\Program Files\SumatraPDF\SumatraPDF.exe" -print-to "{printer}" -silent {file}`.
	PrintCommand string
	Office       string
	Address      string
	Contact      Contact // the office's phone, WhatsApp, website and hours
	CounterName  string
	// Lang is the receipt's language, the office's (receipt.language): a
	// receipt is an official document, and a reprint is the original
	// whatever language the clerk's screen is in.
	Lang        string
	TrackingURL string
	Holidays    []string // the office's own days off, beside Indonesia's
	Location    *time.Location
	// PrintTimeout bounds one print command; zero means 30 seconds.
	PrintTimeout time.Duration
}

// Result is what Produce did.
type Result struct {
	Path     string
	Printed  bool
	PrintErr error // the printer failed; the receipt is saved and can be printed again
}

// CanPrint reports whether a printer is configured.
func (m *Maker) CanPrint() bool { return m.PrinterQueue != "" || m.PrintCommand != "" }

// Path is where the receipt of r is saved.
func (m *Maker) Path(r queue.Request) string {
	return filepath.Join(m.Dir, "receipts", r.Day, r.Ticket+"-"+r.ID+".pdf")
}

func failedPath(pdf string) string { return strings.TrimSuffix(pdf, ".pdf") + ".failed" }

// Data is the receipt data of r.
func (m *Maker) Data(r queue.Request, svc queue.Service) Data {
	return Data{Request: r, Service: svc, Office: m.Office, Address: m.Address, Contact: m.Contact, CounterName: m.CounterName,
		Lang: m.Lang, TrackingURL: m.TrackingURL, Holidays: m.Holidays, Location: m.Location}
}

// Write renders the receipt of r into path (atomically) and returns the
// page height in mm.
func (m *Maker) Write(path string, r queue.Request, svc queue.Service) (float64, error) {
	var buf bytes.Buffer
	h, err := RenderHeight(&buf, m.Data(r, svc), m.Paper)
	if err != nil {
		return 0, err
	}
	if err := atomicfile.Write(path, buf.Bytes(), 0o600); err != nil {
		return 0, fmt.Errorf("save receipt: %w", err)
	}
	return h, nil
}

// Produce saves the receipt of r and, when print is set and a printer is
// configured, prints it. An error means the receipt could not be made or
// saved; a printer failure is in Result.PrintErr and recorded beside the file.
func (m *Maker) Produce(ctx context.Context, r queue.Request, svc queue.Service, print bool) (Result, error) {
	path := m.Path(r)
	h, err := m.Write(path, r, svc)
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: path}
	if !print || !m.CanPrint() {
		return res, nil
	}
	if err := m.Print(ctx, path, h); err != nil {
		res.PrintErr = err
		_ = os.WriteFile(failedPath(path), []byte(err.Error()+"\n"), 0o600)
		return res, nil
	}
	res.Printed = true
	_ = os.Remove(failedPath(path))
	return res, nil
}

// PrintArgs is the command that prints file, a page height mm tall: the
// program first, then its arguments, run without a shell. A print command
// that cannot be split (an unclosed quote, no program) is an error.
func (m *Maker) PrintArgs(file string, height float64) ([]string, error) {
	if m.PrintCommand != "" {
		words, err := printcmd.Split(m.PrintCommand)
		if err != nil {
			return nil, fmt.Errorf("receipt.print_command: %w", err)
		}
		r := strings.NewReplacer("{printer}", m.PrinterQueue, "{file}", file,
			"{width}", fmt.Sprintf("%g", m.Paper.Width), "{height}", fmt.Sprintf("%.0f", height))
		for i, w := range words {
			words[i] = r.Replace(w)
		}
		return words, nil
	}
	media := m.Paper.Name
	if m.Paper.Roll() {
		media = fmt.Sprintf("Custom.%gx%.0fmm", m.Paper.Width, height)
	}
	return []string{"lp", "-d", m.PrinterQueue, "-o", "media=" + media, "-o", "print-scaling=none", file}, nil
}

// Print sends file to the printer and waits for the spooler to take it.
func (m *Maker) Print(ctx context.Context, file string, height float64) error {
	args, err := m.PrintArgs(file, height)
	if err != nil {
		return err
	}
	timeout := m.PrintTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Run(); err != nil {
		reason := strings.TrimSpace(stderr.String())
		if len(reason) > 200 {
			reason = reason[:200]
		}
		if reason != "" { // the printer's own words first: they are what a clerk can act on
			return fmt.Errorf("%s (%s %s: %w)", reason, args[0], filepath.Base(file), err)
		}
		return fmt.Errorf("print %s with %s: %w", filepath.Base(file), args[0], err)
	}
	return nil
}

// Failed lists the requests of day whose receipt failed to print, with the
// reason, by request ID.
func (m *Maker) Failed(day string) map[string]string {
	out := map[string]string{}
	matches, err := filepath.Glob(filepath.Join(m.Dir, "receipts", day, "*.failed"))
	if err != nil {
		return out
	}
	for _, f := range matches {
		base := strings.TrimSuffix(filepath.Base(f), ".failed")
		i := strings.LastIndexByte(base, '-')
		if i < 0 {
			continue
		}
		reason, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		out[base[i+1:]] = strings.TrimSpace(string(reason))
	}
	return out
}
