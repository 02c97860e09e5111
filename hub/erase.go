package hub

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// purge erases the personal part of every request closed before a day
// (store.Purge, reason retention). Like close-day it is safe to do again
// (purging again erases nothing more); its key is kept in memory with the
// answer (erasureReplays), so that a retry after a lost answer gets the
// list of what the first call erased rather than an empty one.
func (s *Server) purge(w http.ResponseWriter, r *http.Request, c store.Counter) {
	var b PurgeBody
	k, by, ok := s.mutation(w, r, c, MaxBody, &b, &b.Clerk)
	if !ok {
		return
	}
	s.erase(w, r, k, c, "purge", b, func() (queue.Erasure, error) {
		return s.st.Purge(r.Context(), b.Before, b.DryRun, by)
	})
}

// forget erases the personal part of every request of one NIK, at the
// applicant's request (store.Forget). The NIK is never logged.
func (s *Server) forget(w http.ResponseWriter, r *http.Request, c store.Counter) {
	var b ForgetBody
	k, by, ok := s.mutation(w, r, c, MaxBody, &b, &b.Clerk)
	if !ok {
		return
	}
	s.erase(w, r, k, c, "forget", b, func() (queue.Erasure, error) {
		return s.st.Forget(r.Context(), b.NIK, b.Note, by)
	})
}

// erase runs do once per key (a key already answered gets that answer,
// marked again; the same key with another body is refused), answers its
// Erasure and logs what it did by counts only.
func (s *Server) erase(w http.ResponseWriter, r *http.Request, key string, c store.Counter, op string, body any, do func() (queue.Erasure, error)) {
	digest, err := erasureDigest(op, c.Code, body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ans, found, same := s.replays.get(key, digest); found {
		if !same {
			s.fail(w, r, fmt.Errorf("key %s was used for another call: %w", key, store.ErrKeyReused))
			return
		}
		ans.Again = true
		w.Header().Set(HeaderReplayed, "true")
		writeJSON(w, http.StatusOK, ans)
		return
	}
	e, err := do()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ans := ErasureAnswer{DryRun: e.DryRun, Requests: e.Requests}
	if ans.Requests == nil {
		ans.Requests = []queue.ErasedRequest{}
	}
	if !e.DryRun {
		s.replays.put(key, digest, ans)
		s.log.Info("hub: personal data erased", "op", op, "counter", c.Code, "requests", len(e.Requests))
	}
	writeJSON(w, http.StatusOK, ans)
}

func erasureDigest(op, counter string, body any) ([32]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(append([]byte(op+"\x00"+counter+"\x00"), b...)), nil
}

// maxErasureReplays is how many answered purge and forget keys the hub
// remembers (in memory: a retry comes within seconds; after a restart a
// retry erases nothing more and answers an empty list).
const maxErasureReplays = 32

// erasureReplays are the answers of the last purge and forget calls, by key.
type erasureReplays struct {
	mu    sync.Mutex
	order []string
	byKey map[string]erasureReplay
}

type erasureReplay struct {
	digest [32]byte
	ans    ErasureAnswer
}

func (e *erasureReplays) get(key string, digest [32]byte) (ans ErasureAnswer, found, same bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rp, found := e.byKey[key]
	return rp.ans, found, found && rp.digest == digest
}

func (e *erasureReplays) put(key string, digest [32]byte, ans ErasureAnswer) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.byKey == nil {
		e.byKey = map[string]erasureReplay{}
	}
	if _, ok := e.byKey[key]; !ok {
		e.order = append(e.order, key)
	}
	e.byKey[key] = erasureReplay{digest: digest, ans: ans}
	for len(e.order) > maxErasureReplays {
		delete(e.byKey, e.order[0])
		e.order = e.order[1:]
	}
}
