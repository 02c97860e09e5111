package skm

import (
	"encoding/json"
	"fmt"

	"github.com/loket-id/loket/queue"
)

// eventData is the Data of a survey.answered event: the answer without its
// comment, and the comment's keyed digest (queue.Personal.Digest of a
// Personal whose Notes is the comment).
type eventData struct {
	Answer
	PersonalDigest string `json:"personal_digest"`
}

// EventData is the Data of the survey.answered event recording a (already
// validated): the answer without its comment, plus "personal_digest", the
// digest of the comment's personal part (queue.Personal{Key: 16 random
// bytes, Notes: a.Comment}.Digest()). The comment travels beside the event
// in Event.Personal (Notes only), so that erasing the request's personal
// part takes it too.
func EventData(a Answer, digest string) (json.RawMessage, error) {
	a.Comment = ""
	b, err := json.Marshal(eventData{a, digest})
	if err != nil {
		return nil, fmt.Errorf("skm: encode answer: %w", err)
	}
	return b, nil
}

// CommentPart is the personal part that carries an answer's comment beside
// its event, under key (16 random bytes), and the digest for the event's
// data.
func CommentPart(comment string, key []byte) (queue.Personal, string) {
	p := queue.Personal{Key: key, Notes: comment}
	return p, p.Digest()
}

// FromEvent is the answer a survey.answered event records: its Data, with
// the comment from the personal part beside it (p may be nil: never sent,
// or erased, and then the answer has no comment). The answer is not
// validated here: Summarize counts invalid ones apart.
func FromEvent(data []byte, p *queue.Personal) (Answer, error) {
	var d eventData
	if err := json.Unmarshal(data, &d); err != nil {
		return Answer{}, fmt.Errorf("skm: a %s event's data does not decode: %w", EventType, err)
	}
	a := d.Answer
	a.Comment = ""
	if p != nil {
		a.Comment = p.Notes
	}
	return a, nil
}
