package central

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/sync/protocol"
)

// Dump is everything a central database holds, as another storage takes
// it over (loket-central migrate-from-bolt): its callbacks are called once
// for each record, in one consistent read.
type Dump struct {
	Station    func(Station) error
	Supervisor func(tokenHash, office string, createdAt time.Time) error
	Catalog    func(protocol.Catalog) error
	Event      func(key string, generation uint32, e protocol.Event, receivedAt time.Time) error
	Request    func(office, station string, r queue.Request) error
	// Personal is the personal part an event set (JSON of queue.Personal).
	Personal func(key string, generation uint32, seq uint64, requestID string, personal []byte) error
	// Survey is a satisfaction survey's answer (comment included).
	Survey func(a skm.Answer) error
}

// Dump reads the whole database into d, in one read transaction: stations
// first, then supervisors, the catalog, events, requests (their facts) and
// the personal parts, then the survey answers.
func (s *BoltStorage) Dump(d Dump) error {
	return s.view(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bStations).ForEach(func(k, v []byte) error {
			var st Station
			if err := json.Unmarshal(v, &st); err != nil {
				return s.damaged(fmt.Sprintf("station %s does not decode", k), err)
			}
			return d.Station(st)
		}); err != nil {
			return err
		}
		if err := tx.Bucket(bSupers).ForEach(func(k, v []byte) error {
			var sup supervisor
			if err := json.Unmarshal(v, &sup); err != nil {
				return s.damaged("a supervisor does not decode", err)
			}
			return d.Supervisor(string(k), sup.Office, sup.CreatedAt)
		}); err != nil {
			return err
		}
		if v := tx.Bucket(bCatalog).Get([]byte("current")); v != nil {
			var c protocol.Catalog
			if err := json.Unmarshal(v, &c); err != nil {
				return s.damaged("the catalog does not decode", err)
			}
			if err := d.Catalog(c); err != nil {
				return err
			}
		}
		splitKey := func(k []byte) (string, uint32, uint64, bool) {
			if len(k) < 13 || k[len(k)-13] != 0 {
				return "", 0, 0, false
			}
			n := len(k)
			return string(k[:n-13]), binary.BigEndian.Uint32(k[n-12 : n-8]), binary.BigEndian.Uint64(k[n-8:]), true
		}
		if err := tx.Bucket(bEvents).ForEach(func(k, v []byte) error {
			key, gen, _, ok := splitKey(k)
			var se storedEvent
			if err := json.Unmarshal(v, &se); !ok || err != nil {
				return s.damaged(fmt.Sprintf("event %x does not decode", k), err)
			}
			return d.Event(key, gen, se.Event, se.ReceivedAt)
		}); err != nil {
			return err
		}
		if err := tx.Bucket(bRequests).ForEach(func(k, v []byte) error {
			var sr storedRequest
			if err := json.Unmarshal(v, &sr); err != nil {
				return s.damaged(fmt.Sprintf("request %s does not decode", k), err)
			}
			return d.Request(sr.Office, sr.Station, sr.Request)
		}); err != nil {
			return err
		}
		if err := tx.Bucket(bPersonal).ForEach(func(k, v []byte) error {
			id, rest, ok := bytes.Cut(k, []byte{0})
			key, gen, seq := parseEventKey(rest)
			if !ok || seq == 0 || !json.Valid(v) {
				return s.damaged(fmt.Sprintf("personal part %x does not decode", k), errors.New("bad key or value"))
			}
			return d.Personal(key, gen, seq, string(id), v)
		}); err != nil {
			return err
		}
		return tx.Bucket(bSurveys).ForEach(func(k, v []byte) error {
			var a skm.Answer
			if err := json.Unmarshal(v, &a); err != nil {
				return s.damaged(fmt.Sprintf("the survey answer of request %s does not decode", k), err)
			}
			return d.Survey(a)
		})
	})
}
