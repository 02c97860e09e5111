package protocol

// History is the answer of GET /v1/sync/events?after=N&limit=M: the
// station's own events after N, in order, as the server stored them, and
// its high-water mark. A page with fewer events than asked for, or whose
// last event is the high-water mark, is the last.
type History struct {
	Station   string  `json:"station"`
	HighWater uint64  `json:"high_water"`
	Events    []Event `json:"events"`
}

// MaxHistoryEvents is the most events one page of history holds (and the default).
const MaxHistoryEvents = 500

// CodeHistoryRequired (409) refuses the first push of a database to a
// station that was rebound with history on the server: that push must
// start at or below the high-water mark, its first events proving by
// their hashes that the database holds the station's history (recovered
// with GET /v1/sync/events).
const CodeHistoryRequired = "history_required"
