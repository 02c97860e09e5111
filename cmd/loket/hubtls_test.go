package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHubTLS: `loket hub --tls-cert --tls-key` answers HTTPS; a counter
// that pins the hub's self-signed certificate (loket init --hub-pin) works
// through it, one that does not trust it exits 3 having sent nothing.
func TestHubTLS(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hub"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	hte := hubEnv(t)
	cert, keyFile := filepath.Join(hte.cwd, "hub.crt"), filepath.Join(hte.cwd, "hub.key")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	tok := addCounter(t, hte, "L1")
	h := startHub(t, hte, freeAddr(t), "", "--tls-cert", cert, "--tls-key", keyFile)
	url := "https://" + h.addr
	sum := sha256.Sum256(der)

	pinned := newTestEnv(t)
	pinned.mustRun("init", "--hub", url, "--hub-token", tok, "--hub-pin", hex.EncodeToString(sum[:]))
	if out, errOut, code := runProc(t, pinned, nil, "add", "--service", "A", "--name", "Siti", "--nik", nik); code != 0 || !strings.HasPrefix(out, "ticket A-001") {
		t.Fatalf("add through TLS with the pin: exit %d %s%s", code, out, errOut)
	}
	untrusting := counterEnv(t, url, tok)
	if _, errOut, code := runProc(t, untrusting, nil, "add", "--service", "A", "--name", "Budi", "--nik", nik); code != 3 {
		t.Fatalf("add through TLS without trust: exit %d %s", code, errOut)
	}
	plain := counterEnv(t, "http://"+h.addr, tok)
	if _, _, code := runProc(t, plain, nil, "list"); code == 0 {
		t.Fatal("the TLS hub answered plain HTTP")
	}
	if n := len(hubRequests(t, hte)); n != 1 {
		t.Fatalf("%d requests at the hub, want 1", n)
	}
}
