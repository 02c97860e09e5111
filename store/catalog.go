package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"
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
	if s, ok := tx.s.services.get(code, v); ok {
		return s, nil
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return s, tx.damaged(fmt.Sprintf("service %s does not decode", code), err)
	}
	tx.s.services.put(code, v, s)
	return s, nil
}

// serviceCache holds each service as last decoded, beside the record it
// was decoded from: every registration reads its service, and decoding the
// JSON each time was a tenth of a registration's CPU. A record that is not
// byte for byte the one cached (the catalog replaced, or a transaction
// that sees an older one) is decoded again.
type serviceCache struct {
	mu sync.Mutex
	m  map[string]cachedService
}

type cachedService struct {
	raw []byte
	s   queue.Service
}

func (c *serviceCache) get(code string, raw []byte) (queue.Service, bool) {
	c.mu.Lock()
	e, ok := c.m[code]
	c.mu.Unlock()
	if !ok || !bytes.Equal(e.raw, raw) {
		return queue.Service{}, false
	}
	return cloneService(e.s), true
}

// cloneService is s sharing nothing with it: a caller may change what it
// was given.
func cloneService(s queue.Service) queue.Service {
	s.Documents = slices.Clone(s.Documents)
	if s.IdentityRequired != nil {
		v := *s.IdentityRequired
		s.IdentityRequired = &v
	}
	return s
}

func (c *serviceCache) put(code string, raw []byte, s queue.Service) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedService{}
	}
	c.m[code] = cachedService{raw: bytes.Clone(raw), s: cloneService(s)}
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
