package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// Services lists the catalog, sorted by code, inactive services included.
func (tx *Tx) Services() ([]queue.Service, error) {
	var out []queue.Service
	err := tx.tx.Bucket(bServices).ForEach(func(k, v []byte) error {
		var s queue.Service
		if err := json.Unmarshal(v, &s); err != nil {
			return tx.damaged(fmt.Sprintf("service %s does not decode", k), err)
		}
		out = append(out, s)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, err
}

// Service returns one service by code, active or not.
func (tx *Tx) Service(code string) (queue.Service, error) {
	var s queue.Service
	v := tx.tx.Bucket(bServices).Get([]byte(code))
	if v == nil {
		return s, queue.Invalid("service", fmt.Sprintf("unknown service %q", code))
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return s, tx.damaged(fmt.Sprintf("service %s does not decode", code), err)
	}
	return s, nil
}

// activeService returns a service that may take new requests.
func (tx *Tx) activeService(code string) (queue.Service, error) {
	s, err := tx.Service(code)
	if err != nil {
		return s, err
	}
	if !s.Active {
		return s, queue.Invalid("service", fmt.Sprintf("service %s (%s) is not active", code, s.NameEN))
	}
	return s, nil
}

// ReplaceCatalog replaces the catalog with svcs, validated as a whole.
// Services that requests may still refer to are never deleted: a code that
// is missing from svcs stays in the catalog, marked inactive.
func (tx *Tx) ReplaceCatalog(svcs []queue.Service, by queue.Actor, at time.Time) ([]queue.Service, error) {
	if err := queue.ValidateCatalog(svcs); err != nil {
		return nil, err
	}
	old, err := tx.Services()
	if err != nil {
		return nil, err
	}
	next := map[string]queue.Service{}
	for _, s := range old {
		s.Active = false
		next[s.Code] = s
	}
	for _, s := range svcs {
		next[s.Code] = s
	}
	var all []queue.Service
	b := tx.tx.Bucket(bServices)
	for _, s := range next {
		if err := putJSON(b, []byte(s.Code), s); err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Code < all[j].Code })
	data, err := json.Marshal(all)
	if err != nil {
		return nil, err
	}
	if _, err := tx.appendEvent(queue.Event{Type: queue.EventCatalog, At: at, Counter: by.Counter, Clerk: by.Clerk, Data: data}); err != nil {
		return nil, err
	}
	return all, nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put(key, data)
}
