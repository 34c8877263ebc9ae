package i18n_test

import (
	"slices"
	"testing"

	"github.com/candorhq/candor/internal/i18n"
)

func TestSupported(t *testing.T) {
	t.Parallel()
	want := []string{"en", "fi", "sv", "de", "fr", "es", "it", "zh"}
	got := i18n.Supported()
	if !slices.Equal(got, want) {
		t.Fatalf("Supported() = %v, want %v", got, want)
	}
	got[0] = "xx"
	if again := i18n.Supported(); again[0] != "en" {
		t.Fatalf("changing the returned slice changed the next one: %v", again)
	}
	for _, code := range want {
		if !i18n.IsSupported(code) {
			t.Errorf("IsSupported(%q) = false", code)
		}
		if i18n.Name(code) == "" || i18n.EnglishName(code) == "" {
			t.Errorf("%q has no name", code)
		}
	}
}

func TestIsSupported(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"", "EN", "en-GB", "zh-CN", "ru", "english"} {
		if i18n.IsSupported(code) {
			t.Errorf("IsSupported(%q) = true, want false: only exact codes", code)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"en", "en", true},
		{"EN", "en", true},
		{" fi ", "fi", true},
		{"en-GB", "en", true},
		{"en_US", "en", true},
		{"sv-FI", "sv", true},
		{"de-CH", "de", true},
		{"fr-CA", "fr", true},
		{"es-419", "es", true},
		{"it-IT", "it", true},
		{"zh", "zh", true},
		{"zh-CN", "zh", true},
		{"zh_cn", "zh", true},
		{"zh-Hans", "zh", true},
		{"zh-Hans-CN", "zh", true},
		{"zh-SG", "zh", true},
		{"zh-TW", "", false},
		{"zh-Hant", "", false},
		{"zh-HK", "", false},
		{"en-Shaw", "", false},
		{"und-FI", "", false},
		{"ru", "", false},
		{"fil", "", false},
		{"", "", false},
		{"*", "", false},
		{"english", "", false},
		{"en--GB", "", false},
	}
	for _, tt := range tests {
		got, ok := i18n.Normalize(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	tests := []struct{ code, name, english string }{
		{"en", "English", "English"},
		{"fi", "Suomi", "Finnish"},
		{"sv", "Svenska", "Swedish"},
		{"de", "Deutsch", "German"},
		{"fr", "Français", "French"},
		{"es", "Español", "Spanish"},
		{"it", "Italiano", "Italian"},
		{"zh", "简体中文", "Chinese"},
		{"ru", "", ""},
		{"EN", "", ""},
	}
	for _, tt := range tests {
		if got := i18n.Name(tt.code); got != tt.name {
			t.Errorf("Name(%q) = %q, want %q", tt.code, got, tt.name)
		}
		if got := i18n.EnglishName(tt.code); got != tt.english {
			t.Errorf("EnglishName(%q) = %q, want %q", tt.code, got, tt.english)
		}
	}
}

func TestNegotiate(t *testing.T) {
	t.Parallel()
	all := i18n.Supported()
	tests := []struct {
		name      string
		header    string
		available []string
		fallback  string
		want      string
	}{
		{"exact", "fi", all, "en", "fi"},
		{"region", "de-CH", all, "en", "de"},
		{"regional first choice", "sv-FI, fi;q=0.9", all, "en", "sv"},
		{"q-values beat order", "en;q=0.1, fi;q=0.9", all, "en", "fi"},
		{"equal q keeps order", "fr, de", all, "en", "fr"},
		{"q=0 excludes", "sv;q=0, fi", all, "en", "fi"},
		{"first unavailable", "ru, de;q=0.2", all, "en", "de"},
		{"none available", "ru, pt-BR", all, "en", "en"},
		{"fallback need not be available", "ru", []string{"fi", "sv"}, "fi", "fi"},
		{"subset of locales", "de, fr;q=0.8", []string{"en", "fr"}, "en", "fr"},
		{"traditional chinese takes simplified at last", "zh-TW", all, "en", "zh"},
		{"traditional chinese prefers a language it ranks", "zh-TW, en;q=0.5", all, "fi", "en"},
		{"simplified chinese", "zh-CN,zh;q=0.9", all, "en", "zh"},
		{"empty header", "", all, "sv", "sv"},
		{"wildcard only", "*", all, "sv", "sv"},
		{"garbage", "!!!", all, "sv", "sv"},
		{"one bad entry spares the rest", "xx-YY, fi;q=0.8", all, "en", "fi"},
		{"bad weight spares the rest", "de;q=abc, it;q=0.5", all, "en", "it"},
		{"nothing available", "fi", nil, "en", "en"},
		{"unparsable available skipped", "fi", []string{"!!", "fi"}, "en", "fi"},
		{"returns the available spelling", "en-US", []string{"fi", "en"}, "fi", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := i18n.Negotiate(tt.header, tt.available, tt.fallback); got != tt.want {
				t.Errorf("Negotiate(%q, %v, %q) = %q, want %q", tt.header, tt.available, tt.fallback, got, tt.want)
			}
		})
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"en", "EN", "en_US", "zh-Hans-CN", "zh-TW", "und-FI", "", "x-foo", "en-u-ca-gregory"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		code, ok := i18n.Normalize(in)
		if !ok {
			if code != "" {
				t.Fatalf("Normalize(%q) = %q, false; want an empty code", in, code)
			}
			return
		}
		if !i18n.IsSupported(code) {
			t.Fatalf("Normalize(%q) = %q, not a supported code", in, code)
		}
		if again, ok := i18n.Normalize(code); !ok || again != code {
			t.Fatalf("Normalize(%q) = %q, %v; not a fixed point", code, again, ok)
		}
	})
}

func FuzzNegotiate(f *testing.F) {
	f.Add("fi-FI,fi;q=0.9,en-US;q=0.8,en;q=0.7", "sv")
	f.Add("zh-TW", "de")
	f.Add("*;q=0.5, xx", "it")
	f.Fuzz(func(t *testing.T, header, extra string) {
		available := append(i18n.Supported()[:3], extra)
		got := i18n.Negotiate(header, available, "fallback")
		if got != "fallback" && !slices.Contains(available, got) {
			t.Fatalf("Negotiate(%q, %q) = %q: neither available nor the fallback", header, available, got)
		}
	})
}
