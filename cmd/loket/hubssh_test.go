package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/loket-id/loket/hub/sshd"
)

// sshTerm is an SSH client's terminal: what the session wrote (stdout and
// stderr), and its keyboard.
type sshTerm struct {
	mu    sync.Mutex
	out   bytes.Buffer
	stdin io.WriteCloser
	ended chan struct{}
}

func (tm *sshTerm) Write(p []byte) (int, error) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.Write(p)
}

func (tm *sshTerm) text() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()
}

// waitFor waits until the terminal has shown every one of want.
func (tm *sshTerm) waitFor(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		s := tm.text()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the SSH session did not show %q:\n%q", want, tm.text())
}

// TestHubOverSSH: `loket hub --ssh-addr` serves the counters' screens: a
// counter's registered key (registered with --ssh-key @FILE) reaches the
// queue screen as that counter, and what it does there is done in its
// name at the hub; an unregistered key is refused in the handshake; a
// SIGTERM ends the session with a goodbye.
func TestHubOverSSH(t *testing.T) {
	hte := hubEnv(t)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	key, _ := gossh.NewSignerFromKey(priv)
	os.WriteFile(filepath.Join(hte.cwd, "l2.pub"), gossh.MarshalAuthorizedKey(key.PublicKey()), 0o600)
	hte.mustRun("hub", "counter", "add", "L2", "--name", "Loket Dua", "--ssh-key", "@l2.pub")
	hte.mustRun("add", "--service", "A", "--name", "Siti Aminah", "--nik", nik)
	h := startHub(t, hte, freeAddr(t), freeAddr(t))
	host, _, err := sshd.LoadOrCreateHostKey(filepath.Join(hte.env["LOKET_DATA"], sshd.HostKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	dial := func(k gossh.Signer) (*gossh.Client, error) {
		return gossh.Dial("tcp", h.sshAddr, &gossh.ClientConfig{User: "dewi", Auth: []gossh.AuthMethod{gossh.PublicKeys(k)},
			HostKeyCallback: gossh.FixedHostKey(host.PublicKey()), Timeout: 10 * time.Second})
	}
	_, strangerPriv, _ := ed25519.GenerateKey(rand.Reader)
	stranger, _ := gossh.NewSignerFromKey(strangerPriv)
	if c, err := dial(stranger); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		if c != nil {
			c.Close()
		}
		t.Fatalf("an unregistered key: %v", err)
	}

	c, err := dial(key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		t.Fatal(err)
	}
	tm := &sshTerm{ended: make(chan struct{})}
	tm.stdin, _ = sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	sess.Stderr = tm
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { // the output, answering the terminal queries as a terminal does
		defer close(tm.ended)
		buf := make([]byte, 4096)
		answered := 0
		for {
			n, err := stdout.Read(buf)
			tm.Write(buf[:n])
			for q := strings.Count(tm.text(), ansi.RequestPrimaryDeviceAttributes); answered < q; answered++ {
				io.WriteString(tm.stdin, "\x1b[?62;22c")
			}
			if err != nil {
				return
			}
		}
	}()
	tm.waitFor(t, "Siti Aminah", "Loket Dua", "dewi")
	io.WriteString(tm.stdin, "c") // call the next
	tm.waitFor(t, "A-001 called")
	var called exported
	for _, r := range hubRequests(t, hte) {
		called = r
	}
	if called.Status != "called" || called.Counter != "L2" || called.Clerk != "dewi" {
		t.Fatalf("the call over SSH: %+v", called)
	}
	if code, stderr := h.stop(); code != 0 {
		t.Fatalf("loket hub on SIGTERM: exit %d\n%s", code, stderr)
	}
	select {
	case <-tm.ended:
	case <-time.After(20 * time.Second):
		t.Fatal("the session did not end with the hub")
	}
	_ = sess.Wait()
	if !strings.Contains(tm.text(), "the hub is shutting down") {
		t.Fatalf("no goodbye:\n%q", tm.text()[max(0, len(tm.text())-300):])
	}
}
