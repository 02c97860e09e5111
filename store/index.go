package store

import (
	"encoding/binary"
	"strings"

	"github.com/loket-id/loket/queue"
)

// The idx bucket holds every index, each under its own one-letter prefix.
// One bucket instead of one per index means an action dirties one B-tree's
// branch pages, not six: see BenchmarkRegister.
const (
	pTicket   = 't' // t<YYYY-MM-DD>/<code>\x00<seq uint32 BE> -> id
	pTracking = 'c' // c<tracking code> -> id
	pNIK      = 'n' // n<nik>/<id> -> ""
	pName     = 'm' // m<word>\x00<id> -> ""
	pWaiting  = 'w' // w<YYYY-MM-DD><0 priority|1 regular><queue position ns uint64 BE><id> -> service (q before schema 4)
	pNIKLast  = 'l' // l<last four NIK digits>/<id> -> ""
	pTrackEnd = 'g' // g<last group of the tracking code>/<id> -> ""
)

func ticketPrefix(day, code string) []byte {
	return []byte(string(pTicket) + day + "/" + code + "\x00")
}

func ticketKey(day, code string, n uint32) []byte {
	return binary.BigEndian.AppendUint32(ticketPrefix(day, code), n)
}

// parseTicket splits "A-007" into its service code and number.
func parseTicket(ticket string) (string, uint32, bool) {
	code, num, ok := strings.Cut(ticket, "-")
	if !ok {
		return "", 0, false
	}
	var n uint32
	for _, r := range num {
		if r < '0' || r > '9' || n > 1e8 {
			return "", 0, false
		}
		n = n*10 + uint32(r-'0')
	}
	return code, n, true
}

func trackingKey(code string) []byte { return []byte(string(pTracking) + code) }

func nikPrefix(nik string) []byte { return []byte(string(pNIK) + nik) }

func nikKey(nik, id string) []byte { return []byte(string(pNIK) + nik + "/" + id) }

func nikLastKey(nik, id string) []byte { return []byte(string(pNIKLast) + nikLast(nik) + "/" + id) }

func nikLastPrefix(last string) []byte { return []byte(string(pNIKLast) + last) }

// nikLast is the last four digits of a NIK: what screens and receipts show.
func nikLast(nik string) string { return nik[max(0, len(nik)-4):] }

// trackingEndKey is the key that finds a request by the last group of its
// tracking code. The first group is the station's tag, the same on every
// request of this database, so the tracking code key itself finds the
// first and second groups (c<tag>-<second group>...); only the last needs
// a key of its own.
func trackingEndKey(code, id string) []byte {
	if len(code) != 14 {
		return nil
	}
	return []byte(string(pTrackEnd) + code[10:] + "/" + id)
}

func trackingEndPrefix(fragment string) []byte { return []byte(string(pTrackEnd) + fragment) }

func trackingPrefix(fragment string) []byte { return []byte(string(pTracking) + fragment) }

func namePrefix(word string) []byte { return []byte(string(pName) + word) }

func waitingPrefix(day string) []byte { return []byte(string(pWaiting) + day) }

func waitingKey(r queue.Request) []byte {
	k := make([]byte, 0, 1+10+1+8+len(r.ID))
	k = append(k, pWaiting)
	k = append(k, r.Day...)
	if r.Priority != queue.PriorityNone {
		k = append(k, 0)
	} else {
		k = append(k, 1)
	}
	k = binary.BigEndian.AppendUint64(k, uint64(r.QueuePosition().UnixNano()))
	return append(k, r.ID...)
}

// indexKeys are the keys a request has in idx (but its place in the
// waiting line): its ticket and tracking code (and its last group), which
// never change, and its NIK (and its last four digits) and name words,
// which only identify adds (a walk-in without identity has none) or
// corrects. While the request is recent they are all in its journal
// entry instead (journal.go).
func indexKeys(r queue.Request) [][2][]byte {
	code, n, _ := parseTicket(r.Ticket)
	keys := [][2][]byte{{ticketKey(r.Day, code, n), []byte(r.ID)}}
	return append(keys, termKeys(r.ID, append(trackingTerms(r), identityTerms(r)...))...) // journal.go
}
