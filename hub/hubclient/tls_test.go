package hubclient_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubclient"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/queue"
)

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string, der []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hub"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "hub.crt"), filepath.Join(dir, "hub.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile, der
}

// TestTLS: a hub given a certificate answers https only; a counter trusts
// it by a CA pool or by the certificate's pinned hash, and refuses (with
// nothing sent) a certificate it does not trust.
func TestTLS(t *testing.T) {
	certFile, keyFile, der := selfSigned(t)
	h := hubtest.Start(t, hub.Options{CertFile: certFile, KeyFile: keyFile})
	if !strings.HasPrefix(h.URL, "https://") {
		t.Fatal(h.URL)
	}
	token := h.AddCounter(t, "L1")
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	sum := sha256.Sum256(der)
	by := queue.Actor{Clerk: "Sari"}
	in := queue.NewRequest{Service: "A", Name: "Siti", NIK: niks[0]}
	for _, ok := range []struct {
		name string
		opt  func(*hubclient.Options)
	}{
		{"CA pool", func(o *hubclient.Options) { o.RootCAs = pool }},
		{"pinned", func(o *hubclient.Options) { o.PinSHA256 = hex.EncodeToString(sum[:]) }},
	} {
		c := started(t, newClient(t, h.URL, token, ok.opt))
		if _, err := c.Register(bg, in, by); err != nil {
			t.Fatalf("%s: %v", ok.name, err)
		}
	}
	for _, bad := range []struct {
		name string
		opt  func(*hubclient.Options)
	}{
		{"system CAs", func(o *hubclient.Options) {}},
		{"another pin", func(o *hubclient.Options) { o.PinSHA256 = strings.Repeat("ab", 32) }},
	} {
		c := newClient(t, h.URL, token, bad.opt)
		if _, err := c.Register(bg, in, by); !errors.Is(err, hubclient.ErrUnreachable) {
			t.Fatalf("%s: %v", bad.name, err)
		}
	}
	// Plain http to a TLS hub is refused too.
	c := newClient(t, "http://"+h.Addr, token)
	if _, err := c.Register(bg, in, by); err == nil {
		t.Fatal("plain http to a TLS hub worked")
	}
	if n := lastSeq(t, h.Store); n != 2 {
		t.Fatalf("%d events", n)
	}
}
