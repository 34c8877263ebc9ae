package csvin_test

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/csvin"
)

// BenchmarkRead compares csvin with encoding/csv on a file of 50,000
// contacts, in MB/s.
func BenchmarkRead(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("name,email,account,locale\n")
	for i := range 50_000 {
		fmt.Fprintf(&sb, "Person %d,\"p%d@acme.example\",Acme Oy,fi\n", i, i)
	}
	data := sb.String()
	b.Run("csvin", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r, err := csvin.Open(strings.NewReader(data), fits)
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := r.Read(); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("encoding-csv", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r := csv.NewReader(strings.NewReader(data))
			r.ReuseRecord = true
			for {
				if _, err := r.Read(); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
