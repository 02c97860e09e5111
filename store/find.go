package store

import (
	"bytes"
	"context"
	"sort"
	"strings"

	"github.com/loket-id/loket/queue"
)

// Find searches for requests by what a clerk has at hand:
//
//   - a ticket of today or of another day (2026-12-03/A-007), a
//     whole tracking code or a request ID: that one request;
//   - four digits: the last four digits of a NIK, the only ones any screen
//     or receipt shows (also typed as masked, ************0001), then NIKs
//     that begin with them;
//   - five digits or more: NIKs that begin with them;
//   - 4 to 11 characters of the tracking alphabet, dashes optional: tracking
//     codes with that part as whole groups (QSHX-NZDT, NZDT, NZDT-Q7), as
//     the first group(s) or from the second or third group on;
//   - words: names in which every word of text starts a word.
//
// Matches come in that order, each kind newest first, each request once,
// at most limit of them (50 when limit is 0 or less). Only index keys are
// scanned; requests are read until limit of them are found.
func (tx *Tx) Find(text string, limit int) ([]queue.Request, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	_, isTicket := queue.NormalizeTicket(text)
	_, _, isDated := queue.NormalizeDatedTicket(text)
	_, isCode := queue.NormalizeTrackingCode(text)
	if isTicket || isDated || isCode {
		if r, err := tx.Resolve(text); err == nil {
			return []queue.Request{r}, nil
		}
	}
	f := &finder{tx: tx, limit: limit, seen: map[string]bool{}}
	compact := strings.ReplaceAll(text, " ", "")
	unmasked := strings.TrimLeft(compact, "*")
	if len(unmasked) == 4 && allDigits(unmasked) {
		if err := f.section(nil, nikLastPrefix(unmasked)); err != nil {
			return nil, err
		}
	}
	digits := unmasked == compact && len(compact) >= 4 && allDigits(compact)
	if digits {
		if err := f.section(nil, nikPrefix(compact)); err != nil {
			return nil, err
		}
	}
	if frag, ok := queue.NormalizeTrackingFragment(text); ok {
		// The first group is this station's tag, on every request of this
		// database: the code's own key finds the first group(s), and the
		// tag and the fragment the second group on; the last group has a
		// key of its own. The tag alone finds no one in particular, so
		// only the later groups are searched for it.
		tag := queue.StationTag(tx.s.id.StationID)
		prefixes := [][]byte{trackingEndPrefix(frag), trackingPrefix(tag + "-" + frag)}
		if frag != tag {
			prefixes = append(prefixes, trackingPrefix(frag))
		}
		if err := f.section(nil, prefixes...); err != nil {
			return nil, err
		}
	}
	if !digits && unmasked == compact {
		if words := nameTokens(text); len(words) > 0 {
			if err := f.section(func(r queue.Request) bool { return nameHasWords(r.Name, words[1:]) }, namePrefix(words[0])); err != nil {
				return nil, err
			}
		}
	}
	return f.out, nil
}

// nameHasWords reports whether every word starts a word of name.
func nameHasWords(name string, words []string) bool {
	have := nameTokens(name)
	for _, w := range words {
		found := false
		for _, h := range have {
			if strings.HasPrefix(h, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func allDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// finder collects the matches of Find, kind after kind.
type finder struct {
	tx    *Tx
	limit int
	seen  map[string]bool
	out   []queue.Request
}

// section adds the requests whose index keys start with one of prefixes,
// newest first, that keep accepts (nil accepts all); the request ID is the
// key's tail after its last separator (the value of a tracking code's key).
func (f *finder) section(keep func(queue.Request) bool, prefixes ...[]byte) error {
	if len(f.out) >= f.limit {
		return nil
	}
	var ids []string
	// In their places and in the journal (journal.go).
	err := f.tx.eachSearchKey(func(k, v []byte) {
		id := string(k[bytes.LastIndexAny(k, "/\x00")+1:])
		if k[0] == pTracking { // the tracking code's key holds the ID as its value
			id = string(v)
		}
		if !f.seen[id] {
			f.seen[id] = true
			ids = append(ids, id)
		}
	}, prefixes...)
	if err != nil {
		return err
	}
	// IDs are ULIDs: sorting them sorts by arrival.
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	for _, id := range ids {
		if len(f.out) >= f.limit {
			break
		}
		r, err := f.tx.byID(id)
		if err != nil {
			return err
		}
		if keep == nil || keep(r) {
			f.out = append(f.out, r)
		}
	}
	return nil
}

// Find searches like Tx.Find.
func (s *Store) Find(ctx context.Context, text string, limit int) ([]queue.Request, error) {
	var rs []queue.Request
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		rs, err = tx.Find(text, limit)
		return err
	})
	return rs, err
}
