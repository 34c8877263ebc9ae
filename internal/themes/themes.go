// Package themes finds the topics comments share, computed here and
// nowhere else: no network, no model. Comments of one question and one
// locale are tokenised and stemmed (Snowball; character bigrams for
// Chinese), weighed by TF-IDF, clustered by spherical k-means from a fixed
// seed, similar clusters merged and those too small to show dissolved.
// Each theme is labelled with its most telling stems, each shown as the
// word its comments write most often, and given the mean sentiment of its
// comments from a small lexicon per locale.
//
// The same comments in the same order give the same themes.
//
// Which theme counts may be published, under which filters, is decided by
// Decide (see publish.go). The package knows nothing of databases.
package themes

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// Options shape the themes of a corpus.
type Options struct {
	// MinSize is the fewest comments a theme may have; smaller clusters
	// join their nearest theme or are left out. At least 2.
	MinSize int
	// MinTermPeople is the fewest comments a label word must be written
	// in, as that very word; default (and at least) DefaultMinTermPeople.
	MinTermPeople int
}

// DefaultMinTermPeople is how many respondents at least must have written
// a word for it to label a theme: a word only one or two people used could
// point at them.
const DefaultMinTermPeople = 3

// MaxTerms is how many words label a theme at most.
const MaxTerms = 3

// Theme is a topic comments share.
type Theme struct {
	Stems   []string // the label's stems, most telling first
	Terms   []string // the label as shown: each stem's most written word
	Members []int    // the comments in it, as indexes into the corpus, ascending
	Score   float64  // the mean sentiment of its comments, -1 to 1
}

// Tone is a theme's sentiment in words.
type Tone string

// Tones.
const (
	Positive Tone = "positive"
	Mixed    Tone = "mixed"
	Negative Tone = "negative"
)

// toneMargin is how far from neutral a mean score must be to count as
// positive or negative.
const toneMargin = 0.2

// ToneOf names a mean sentiment score.
func ToneOf(score float64) Tone {
	switch {
	case score >= toneMargin:
		return Positive
	case score <= -toneMargin:
		return Negative
	}
	return Mixed
}

// Tuning of the clustering, found on comments about a service.
const (
	maxClusters = 24   // k-means starts with at most so many clusters
	mergeAbove  = 0.15 // clusters whose centroids are this similar are one theme
	joinAbove   = 0.1  // a comment of a dissolved cluster joins a theme this similar, or none
	iterations  = 30
)

// vector is a comment's TF-IDF weights, sparse and of unit length.
type vector struct {
	idx []int
	val []float64
}

func (v vector) dot(dense []float64) float64 {
	s := 0.0
	for i, j := range v.idx {
		s += v.val[i] * dense[j]
	}
	return s
}

// doc is one comment as the clustering sees it.
type doc struct {
	vec      vector
	surfaces map[string]map[string]bool // stem → the words written for it
	score    float64
}

// Find returns the themes of a corpus of comments in one locale, largest
// first.
func (a *Analyzer) Find(locale string, texts []string, o Options) []Theme {
	o.MinSize = max(o.MinSize, 2)
	o.MinTermPeople = max(o.MinTermPeople, DefaultMinTermPeople)
	docs, vocab := a.vectorise(locale, texts)
	var usable []int
	for i, d := range docs {
		if len(d.vec.idx) > 0 {
			usable = append(usable, i)
		}
	}
	if len(usable) < o.MinSize {
		return nil
	}
	clusters := kmeans(docs, usable, len(vocab))
	clusters = mergeSimilar(docs, clusters, len(vocab))
	// The merged clusters' centres, refined: a comment k-means put with
	// the wrong part of a topic finds its place.
	cents := make([][]float64, len(clusters))
	for i, c := range clusters {
		cents[i] = centroid(docs, c, len(vocab))
	}
	clusters = mergeSimilar(docs, refine(docs, usable, cents), len(vocab))
	clusters = dissolveSmall(docs, clusters, len(vocab), o.MinSize)
	df := make(map[string]int)
	for _, d := range docs {
		for st := range d.surfaces {
			df[st]++
		}
	}
	var out []Theme
	for _, members := range clusters {
		stems, terms := label(docs, members, df, len(usable), o.MinTermPeople)
		if len(terms) == 0 {
			continue // nothing to call it that enough people wrote
		}
		score := 0.0
		for _, m := range members {
			score += docs[m].score
		}
		out = append(out, Theme{Stems: stems, Terms: terms, Members: members, Score: score / float64(len(members))})
	}
	slices.SortStableFunc(out, func(a, b Theme) int {
		return cmp.Or(cmp.Compare(len(b.Members), len(a.Members)), slices.Compare(a.Stems, b.Stems))
	})
	return out
}

// vectorise tokenises every comment and weighs its stems: (1 + ln tf) ×
// ln(1 + n/df), over the stems at least two comments share (one comment's
// own words cannot make a theme), scaled to unit length.
func (a *Analyzer) vectorise(locale string, texts []string) ([]doc, []string) {
	docs := make([]doc, len(texts))
	tfs := make([]map[string]int, len(texts))
	df := make(map[string]int)
	for i, t := range texts {
		tf := make(map[string]int)
		surf := make(map[string]map[string]bool)
		for _, tok := range a.Tokens(locale, t) {
			tf[tok.Stem]++
			if surf[tok.Stem] == nil {
				surf[tok.Stem] = make(map[string]bool)
			}
			surf[tok.Stem][tok.Surface] = true
		}
		for st := range tf {
			df[st]++
		}
		tfs[i] = tf
		docs[i] = doc{surfaces: surf, score: a.Score(locale, t)}
	}
	var vocab []string
	for st, n := range df {
		if n >= 2 {
			vocab = append(vocab, st)
		}
	}
	slices.Sort(vocab)
	index := make(map[string]int, len(vocab))
	for i, st := range vocab {
		index[st] = i
	}
	n := float64(len(texts))
	for i, tf := range tfs {
		var v vector
		for st := range tf {
			if j, ok := index[st]; ok {
				v.idx = append(v.idx, j)
			}
		}
		slices.Sort(v.idx)
		norm := 0.0
		for _, j := range v.idx {
			w := (1 + math.Log(float64(tf[vocab[j]]))) * math.Log(1+n/float64(df[vocab[j]]))
			v.val = append(v.val, w)
			norm += w * w
		}
		norm = math.Sqrt(norm)
		for k := range v.val {
			v.val[k] /= norm
		}
		docs[i].vec = v
	}
	return docs, vocab
}

// kmeans clusters the usable comments by spherical k-means: k from the
// corpus size, seeded by k-means++ from a generator seeded by the corpus
// size, so that the same corpus gives the same clusters.
func kmeans(docs []doc, usable []int, dims int) [][]int {
	k := min(maxClusters, max(1, int(math.Round(math.Sqrt(float64(len(usable))/2)))), len(usable))
	rng := rand.New(rand.NewPCG(uint64(len(usable)), 0x7468656d6573))
	centroids := make([][]float64, 0, k)
	first := usable[rng.IntN(len(usable))]
	centroids = append(centroids, densify(docs[first].vec, dims))
	best := make([]float64, len(usable)) // each comment's similarity to its nearest centre so far
	for i := range best {
		best[i] = math.Inf(-1)
	}
	for len(centroids) < k {
		last := centroids[len(centroids)-1]
		total := 0.0
		for i, d := range usable {
			best[i] = max(best[i], docs[d].vec.dot(last))
			total += 1 - best[i]
		}
		if total <= 1e-12 {
			break // every comment sits on a centre already
		}
		r := rng.Float64() * total
		pick := usable[len(usable)-1]
		for i, d := range usable {
			if r -= 1 - best[i]; r <= 0 {
				pick = d
				break
			}
		}
		centroids = append(centroids, densify(docs[pick].vec, dims))
	}
	return refine(docs, usable, centroids)
}

// refine runs k-means from the given centres until no comment moves (or
// for so many iterations) and returns the clusters, without empty ones.
func refine(docs []doc, usable []int, centroids [][]float64) [][]int {
	dims := len(centroids[0])
	assign := make([]int, len(usable))
	for i := range assign {
		assign[i] = -1
	}
	for range iterations {
		changed := false
		for i, d := range usable {
			c := nearest(docs[d].vec, centroids)
			if c != assign[i] {
				assign[i], changed = c, true
			}
		}
		if !changed {
			break
		}
		for c := range centroids {
			var members []int
			for i, d := range usable {
				if assign[i] == c {
					members = append(members, d)
				}
			}
			if len(members) > 0 {
				centroids[c] = centroid(docs, members, dims)
			}
		}
	}
	clusters := make([][]int, len(centroids))
	for i, d := range usable {
		clusters[assign[i]] = append(clusters[assign[i]], d)
	}
	return slices.DeleteFunc(clusters, func(c []int) bool { return len(c) == 0 })
}

func densify(v vector, dims int) []float64 {
	out := make([]float64, dims)
	for i, j := range v.idx {
		out[j] = v.val[i]
	}
	return out
}

// nearest returns the centroid most similar to v, the first of equals.
func nearest(v vector, centroids [][]float64) int {
	best, bestSim := 0, math.Inf(-1)
	for c, cen := range centroids {
		if s := v.dot(cen); s > bestSim {
			best, bestSim = c, s
		}
	}
	return best
}

// centroid is the members' mean direction, of unit length.
func centroid(docs []doc, members []int, dims int) []float64 {
	out := make([]float64, dims)
	for _, m := range members {
		for i, j := range docs[m].vec.idx {
			out[j] += docs[m].vec.val[i]
		}
	}
	norm := 0.0
	for _, x := range out {
		norm += x * x
	}
	if norm = math.Sqrt(norm); norm > 0 {
		for j := range out {
			out[j] /= norm
		}
	}
	return out
}

func cosine(a, b []float64) float64 {
	s := 0.0
	for j := range a {
		s += a[j] * b[j]
	}
	return s
}

// mergeSimilar joins the two clusters whose centroids are most alike while
// they are alike enough: k-means was asked for more clusters than a corpus
// of few topics has.
func mergeSimilar(docs []doc, clusters [][]int, dims int) [][]int {
	cents := make([][]float64, len(clusters))
	for i, c := range clusters {
		cents[i] = centroid(docs, c, dims)
	}
	for len(clusters) > 1 {
		bi, bj, bs := -1, -1, mergeAbove
		for i := range clusters {
			for j := i + 1; j < len(clusters); j++ {
				if s := cosine(cents[i], cents[j]); s > bs {
					bi, bj, bs = i, j, s
				}
			}
		}
		if bi < 0 {
			break
		}
		clusters[bi] = append(clusters[bi], clusters[bj]...)
		slices.Sort(clusters[bi])
		cents[bi] = centroid(docs, clusters[bi], dims)
		clusters = slices.Delete(clusters, bj, bj+1)
		cents = slices.Delete(cents, bj, bj+1)
	}
	return clusters
}

// dissolveSmall breaks up the clusters with fewer than minSize comments:
// each of their comments joins the theme it is most like, if it is like
// one enough, and is left out otherwise.
func dissolveSmall(docs []doc, clusters [][]int, dims, minSize int) [][]int {
	var big, small [][]int
	for _, c := range clusters {
		if len(c) >= minSize {
			big = append(big, c)
		} else {
			small = append(small, c)
		}
	}
	if len(big) == 0 {
		return nil
	}
	cents := make([][]float64, len(big))
	for i, c := range big {
		cents[i] = centroid(docs, c, dims)
	}
	for _, c := range small {
		for _, m := range c {
			if b := nearest(docs[m].vec, cents); docs[m].vec.dot(cents[b]) >= joinAbove {
				big[b] = append(big[b], m)
			}
		}
	}
	for _, c := range big {
		slices.Sort(c)
	}
	return big
}

// label picks a theme's most telling stems — written in many of its
// comments and in few others — among those that at least minPeople of its
// comments wrote as the same word, and shows each as that word.
func label(docs []doc, members []int, df map[string]int, n, minPeople int) (stems, terms []string) {
	in := make(map[string]int)
	words := make(map[string]map[string]int) // stem → word → comments
	for _, m := range members {
		for st, surf := range docs[m].surfaces {
			in[st]++
			if words[st] == nil {
				words[st] = make(map[string]int)
			}
			for w := range surf {
				words[st][w]++
			}
		}
	}
	type cand struct {
		stem, word string
		score      float64
	}
	var cands []cand
	for st, c := range in {
		if c < minPeople {
			continue
		}
		word, used := "", 0
		for w, u := range words[st] {
			if u > used || (u == used && w < word) {
				word, used = w, u
			}
		}
		if used < minPeople {
			continue
		}
		share := float64(c) / float64(len(members))
		cands = append(cands, cand{st, word, share * math.Log(1+float64(n)/float64(df[st]))})
	}
	slices.SortFunc(cands, func(a, b cand) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.stem, b.stem)) })
	for _, c := range cands {
		if len(stems) == MaxTerms {
			break
		}
		stems, terms = append(stems, c.stem), append(terms, c.word)
	}
	return stems, terms
}
