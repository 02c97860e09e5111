package sshd

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
)

// input is a session's keyboard: one goroutine reads the session and hands
// over what came, so that a read can give up without losing what comes
// after. wish's renderer asks the client's terminal for its background
// colour and reads the answer from the session; a terminal that does not
// answer would leave that read waiting for the clerk's first key, and take
// it. Here that read gives up after colorQueryTimeout, and the program then
// reads what follows.
type input struct {
	ch   chan []byte
	done chan struct{}
	once sync.Once

	mu   sync.Mutex
	rest []byte
}

// newInput starts reading sess. The reader ends when the session's channel
// closes, which it does when the session ends.
func newInput(sess io.Reader) *input {
	in := &input{ch: make(chan []byte), done: make(chan struct{})}
	go func() {
		defer close(in.ch)
		for {
			buf := make([]byte, 1024)
			n, err := sess.Read(buf)
			if n > 0 {
				select {
				case in.ch <- buf[:n]:
				case <-in.done:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return in
}

// read reads what came, waiting until until fires (nil: no limit).
func (in *input) read(p []byte, until <-chan time.Time) (int, error) {
	in.mu.Lock()
	if len(in.rest) > 0 {
		n := copy(p, in.rest)
		in.rest = in.rest[n:]
		in.mu.Unlock()
		return n, nil
	}
	in.mu.Unlock()
	select {
	case b, ok := <-in.ch:
		if !ok {
			return 0, io.EOF
		}
		n := copy(p, b)
		if n < len(b) {
			in.mu.Lock()
			in.rest = append(in.rest, b[n:]...)
			in.mu.Unlock()
		}
		return n, nil
	case <-until:
		return 0, os.ErrDeadlineExceeded
	case <-in.done:
		return 0, io.EOF
	}
}

// Read is the program's: it waits for input.
func (in *input) Read(p []byte) (int, error) { return in.read(p, nil) }

// close ends the reads.
func (in *input) close() { in.once.Do(func() { close(in.done) }) }

// querySession is the session as wish's renderer sees it: its reads give up
// at until.
type querySession struct {
	ssh.Session
	in    *input
	until <-chan time.Time
}

func (q querySession) Read(p []byte) (int, error) { return q.in.read(p, q.until) }
