package receipts

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/loket-id/loket/queue"
)

// A saved receipt carries the applicant's name and masked NIK. When the
// personal part of its request is erased (loket purge, loket forget), the
// saved file goes too: it is a copy of what the request renders to, and a
// reprint (loket receipt REF) renders the request as it is now, the
// personal part said to be erased (receipt.erased).

// Remove deletes, under the data directory dir, the saved receipts of the
// requests an erasure cleared, and their print-failure marks; it returns
// how many receipts it deleted. A request whose day, ticket or ID could
// name another file (an answer from a hub is not trusted to name paths)
// is skipped.
func Remove(dir string, rs []queue.ErasedRequest) (int, error) {
	n := 0
	var errs []error
	for _, r := range rs {
		if !isDay(r.Day) || !plainName(r.Ticket) || !plainName(r.ID) {
			continue
		}
		pdf := filepath.Join(dir, "receipts", r.Day, r.Ticket+"-"+r.ID+".pdf")
		for _, f := range []string{pdf, failedPath(pdf)} {
			err := os.Remove(f)
			switch {
			case err == nil && f == pdf:
				n++
			case err == nil, errors.Is(err, fs.ErrNotExist):
			default:
				errs = append(errs, err)
			}
		}
		_ = os.Remove(filepath.Dir(pdf)) // the day's folder, once it is empty
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("delete saved receipts: %w", err)
	}
	return n, nil
}

// RemoveBefore deletes, under the data directory dir, the saved receipts
// of every day before before (YYYY-MM-DD): whole day directories,
// print-failure marks with them. It returns how many receipts it deleted.
// A request of those days that keeps its personal part (closed later, or
// still open) loses only its saved copy: a reprint makes it again.
func RemoveBefore(dir, before string) (int, error) {
	if !isDay(before) {
		return 0, fmt.Errorf("delete saved receipts before %q: not a date YYYY-MM-DD", before)
	}
	root := filepath.Join(dir, "receipts")
	days, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("delete saved receipts: %w", err)
	}
	n := 0
	var errs []error
	for _, d := range days {
		if !d.IsDir() || !isDay(d.Name()) || d.Name() >= before {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(root, d.Name()))
		for _, f := range files {
			if strings.HasSuffix(f.Name(), ".pdf") {
				n++
			}
		}
		if err := os.RemoveAll(filepath.Join(root, d.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("delete saved receipts: %w", err)
	}
	return n, nil
}

func isDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == len(time.DateOnly)
}

// plainName: letters, digits and dashes only (a ticket, a ULID).
func plainName(s string) bool {
	return s != "" && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") == "" && s[0] != '-'
}
