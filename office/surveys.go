package office

import (
	"context"
	"fmt"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
)

// Surveyer reads the satisfaction survey's answers (package skm) straight
// from a database: the counter's or hub's own store implements it.
type Surveyer interface {
	Surveys(ctx context.Context, f skm.Filter, fn func(skm.Answer) error) error
}

// Surveys calls fn with every survey answer of q that f picks. A Queue
// that is a Surveyer (the store) reads them itself; any other (a counter
// behind the hub) is walked: the requests that arrived up to f.To and are
// Surveyed, and the survey.answered event of each one's history.
func Surveys(ctx context.Context, q Queue, f skm.Filter, fn func(skm.Answer) error) error {
	if err := f.Check(); err != nil {
		return queue.Invalid("filter", err.Error())
	}
	if s, ok := q.(Surveyer); ok {
		return s.Surveys(ctx, f, fn)
	}
	var ids []string
	if err := q.Between(ctx, "", f.To, func(r queue.Request) error {
		if r.Surveyed {
			ids = append(ids, r.ID)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		_, hist, err := q.Detail(ctx, id)
		if err != nil {
			return err
		}
		for i := len(hist) - 1; i >= 0; i-- {
			if hist[i].Type != queue.EventSurveyed {
				continue
			}
			a, err := skm.FromEvent(hist[i].Data, hist[i].Personal)
			if err != nil {
				return fmt.Errorf("request %s: %w", id, err)
			}
			if f.Match(a) {
				if err := fn(a); err != nil {
					return err
				}
			}
			break
		}
	}
	return nil
}

// SurveySummary is the survey's figures of q's answers that f picks.
func SurveySummary(ctx context.Context, q Queue, f skm.Filter) (skm.Summary, error) {
	g, err := skm.NewAggregator(f)
	if err != nil {
		return skm.Summary{}, queue.Invalid("filter", err.Error())
	}
	if err := Surveys(ctx, q, f, func(a skm.Answer) error { g.Add(a); return nil }); err != nil {
		return skm.Summary{}, fmt.Errorf("survey answers: %w", err)
	}
	return g.Summary(), nil
}
