package sshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"

	gossh "golang.org/x/crypto/ssh"

	"github.com/loket-id/loket/internal/atomicfile"
)

// HostKeyFile is the host key's usual name in the hub's data directory.
const HostKeyFile = "ssh_host_ed25519_key"

// LoadOrCreateHostKey reads the hub's SSH host key from path (OpenSSH
// private key form, as ssh-keygen writes it), or makes an Ed25519 one there
// (mode 0600, written whole or not at all) when there is none, so that the
// counters' known_hosts stay valid from one start to the next. created
// tells which. A key file others may read (on Unix) is refused, as sshd
// does; so is a file that holds no key: it is never replaced, since a new
// key would make every counter's ssh warn of an impostor.
func LoadOrCreateHostKey(path string) (signer gossh.Signer, created bool, err error) {
	if path == "" {
		return nil, false, errors.New("ssh host key: no path")
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, false, fmt.Errorf("ssh host key: make: %w", err)
		}
		block, err := gossh.MarshalPrivateKey(priv, "loket hub")
		if err != nil {
			return nil, false, fmt.Errorf("ssh host key: encode: %w", err)
		}
		if err := atomicfile.Write(path, pem.EncodeToMemory(block), 0o600); err != nil {
			return nil, false, fmt.Errorf("ssh host key: %w", err)
		}
		signer, err := gossh.NewSignerFromKey(priv)
		if err != nil {
			return nil, false, fmt.Errorf("ssh host key: %w", err)
		}
		return signer, true, nil
	case err != nil:
		return nil, false, fmt.Errorf("ssh host key: %w", err)
	case !info.Mode().IsRegular():
		return nil, false, fmt.Errorf("ssh host key %s: not a regular file", path)
	case runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0:
		return nil, false, fmt.Errorf("ssh host key %s: others may read it (mode %04o); chmod 600 %s", path, info.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("ssh host key: %w", err)
	}
	if signer, err = gossh.ParsePrivateKey(data); err != nil {
		return nil, false, fmt.Errorf("ssh host key %s: %w (the file is left as it is: restore it from a backup, or move it away to make a new key, which every counter's ssh will then warn of)", path, err)
	}
	return signer, false, nil
}
