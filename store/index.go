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
	pWaiting  = 'q' // q<YYYY-MM-DD><0 priority|1 regular><arrival ns uint64 BE><id> -> service
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

func namePrefix(word string) []byte { return []byte(string(pName) + word) }

func nameKey(word, id string) []byte { return []byte(string(pName) + word + "\x00" + id) }

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
	k = binary.BigEndian.AppendUint64(k, uint64(r.ArrivedAt.UnixNano()))
	return append(k, r.ID...)
}

// indexKeys are the keys a request has in idx: its ticket and tracking code,
// which never change, and its NIK and name words, which only identify adds
// (a walk-in without identity has none) or corrects.
func indexKeys(r queue.Request) [][2][]byte {
	code, n, _ := parseTicket(r.Ticket)
	keys := [][2][]byte{
		{ticketKey(r.Day, code, n), []byte(r.ID)},
		{trackingKey(r.TrackingCode), []byte(r.ID)},
	}
	return append(keys, identityKeys(r)...) // walkin.go
}
