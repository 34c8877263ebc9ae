package mail

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
)

// DKIMSigner adds a DKIM-Signature to rendered messages. It is safe for
// concurrent use.
type DKIMSigner struct {
	opts dkim.SignOptions
}

// LoadDKIM makes a signer from a PEM private key (PKCS#1 RSA, or PKCS#8 RSA
// or Ed25519), the selector and the signing domain (d=), which should be the
// From domain for DMARC alignment. RSA keys need at least 1024 bits, as
// verifiers reject shorter ones (RFC 8301); 2048 is the usual choice.
func LoadDKIM(keyPEM []byte, selector, domain string) (*DKIMSigner, error) {
	if !validHost(selector) {
		return nil, fmt.Errorf("mail: DKIM selector %q is not a DNS name", selector)
	}
	if !validHost(domain) || !strings.Contains(domain, ".") {
		return nil, fmt.Errorf("mail: DKIM domain %q is not a DNS domain", domain)
	}
	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("mail: DKIM key: %w", err)
	}
	return &DKIMSigner{opts: dkim.SignOptions{
		Domain:   domain,
		Selector: selector,
		Signer:   key,
		// Relaxed survives the header refolding and whitespace changes relays make.
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		// Listing a field the message lacks signs its absence, so nobody can
		// add List-Unsubscribe to a message that had none.
		HeaderKeys: []string{
			"From", "To", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
			"List-Unsubscribe", "List-Unsubscribe-Post",
		},
	}}, nil
}

func parsePrivateKey(keyPEM []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q, want \"PRIVATE KEY\" or \"RSA PRIVATE KEY\"", block.Type)
	}
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < 1024 {
			return nil, fmt.Errorf("RSA key has %d bits, need at least 1024", bits)
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("unsupported key type %T, want RSA or Ed25519", key)
}

// Sign returns the message with a DKIM-Signature header field in front.
func (d *DKIMSigner) Sign(message []byte) ([]byte, error) {
	s, err := dkim.NewSigner(&d.opts)
	if err != nil {
		return nil, fmt.Errorf("mail: DKIM: %w", err)
	}
	if _, err := s.Write(message); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("mail: DKIM sign: %w", err)
	}
	if err := s.Close(); err != nil {
		return nil, fmt.Errorf("mail: DKIM sign: %w", err)
	}
	sig := s.Signature()
	out := make([]byte, 0, len(sig)+len(message))
	return append(append(out, sig...), message...), nil
}

// TXTRecord returns the DNS name and TXT value that publish the public key,
// e.g. "sel._domainkey.example.com" and "v=DKIM1; k=rsa; p=MIIB...".
func (d *DKIMSigner) TXTRecord() (name, value string) {
	name = d.opts.Selector + "._domainkey." + d.opts.Domain
	switch pub := d.opts.Signer.Public().(type) {
	case *rsa.PublicKey:
		der, _ := x509.MarshalPKIXPublicKey(pub) // cannot fail for an RSA key
		value = "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		value = "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	}
	return name, value
}
