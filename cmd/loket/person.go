package main

// person: everything the counter holds about one NIK (the data subject's
// right of access, UU PDP 27/2022), unmasked, recorded in access.log.

import (
	"flag"
	"fmt"
	"strings"

	"github.com/loket-id/loket/queue"
)

// personLimit bounds the requests one NIK can have here; more is refused
// rather than shown in part.
const personLimit = 10000

func personFlags(fs *flag.FlagSet) runner {
	format := formatFlag(fs, false)
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
			return usagef("person needs a whole NIK: 16 digits (got %d characters)", len(nik))
		}
		q, err := e.queue(reads)
		if err != nil {
			return err
		}
		found, err := q.Find(e.ctx, nik, personLimit+1)
		if err != nil {
			return fmt.Errorf("person: %w", err)
		}
		if len(found) > personLimit {
			return fmt.Errorf("person: more than %d requests with this NIK", personLimit)
		}
		type held struct {
			Request queue.Request `json:"request"`
			History []historyItem `json:"history"`
		}
		var rs []held
		var hists [][]queue.Event
		for _, r := range found {
			if r.NIK != nik {
				continue // a NIK that only begins with it
			}
			r, hist, err := q.Detail(e.ctx, r.ID)
			if err != nil {
				return fmt.Errorf("person: %s: %w", r.ID, err)
			}
			rs = append(rs, held{r, historyItems(hist)})
			hists = append(hists, hist)
		}
		access, err := e.openAccess()
		if err != nil {
			return err
		}
		if err := access.record(accessEntry{Command: "person", Rows: len(rs), NIK: queue.MaskNIK(nik)}); err != nil {
			return err
		}
		t := e.t()
		if *format == "json" {
			if rs == nil {
				rs = []held{}
			}
			return writeJSON(e.out(), struct {
				NIK      string `json:"nik"`
				Requests []held `json:"requests"`
			}{nik, rs})
		}
		if len(rs) == 0 {
			fmt.Fprintln(e.out(), t.S("cmd.person.none"))
			return nil
		}
		fmt.Fprintln(e.out(), t.S("cmd.person.head", nik, len(rs)))
		for i, h := range rs {
			fmt.Fprintln(e.out())
			if err := printDetail(e, q.Location(), "text", h.Request, hists[i]); err != nil {
				return err
			}
		}
		return nil
	}
}
