package release

import "math/bits"

// signatures returns, for each of n variables of a system, its entries in
// a basis of the system's kernel: all zero when the rows determine it.
func signatures(rows [][]term, n int) [][]uint64 {
	m, pivotRow := reduce(rows, n)
	var free []int
	for c, r := range pivotRow {
		if r < 0 {
			free = append(free, c)
		}
	}
	sig := make([][]uint64, n)
	for c := range n {
		sig[c] = make([]uint64, len(free))
		for j, f := range free {
			switch {
			case c == f:
				sig[c][j] = 1
			case pivotRow[c] >= 0:
				sig[c][j] = subMod(0, m[pivotRow[c]][f])
			}
		}
	}
	return sig
}

// term is one coefficient of a sparse row.
type term struct {
	v    int
	coef uint64
}

// reduce returns the reduced row echelon form of n-column rows and, for
// each column, the row of its pivot or -1.
func reduce(sparse [][]term, n int) ([][]uint64, []int) {
	m := make([][]uint64, len(sparse))
	for i, r := range sparse {
		m[i] = make([]uint64, n)
		for _, t := range r {
			m[i][t.v] = addMod(m[i][t.v], t.coef)
		}
	}
	pivotRow := make([]int, n)
	rank := 0
	for c := range n {
		pivotRow[c] = -1
		pr := -1
		for i := rank; i < len(m); i++ {
			if m[i][c] != 0 {
				pr = i
				break
			}
		}
		if pr < 0 {
			continue
		}
		m[rank], m[pr] = m[pr], m[rank]
		row := m[rank]
		inv := invMod(row[c])
		for j := c; j < n; j++ {
			row[j] = mulMod(row[j], inv)
		}
		// Columns left of c are zero in row: pivots were cleared and a free
		// column had no entry left in any row not yet a pivot row.
		for i := range m {
			if i == rank || m[i][c] == 0 {
				continue
			}
			f := m[i][c]
			for j := c; j < n; j++ {
				if row[j] != 0 {
					m[i][j] = subMod(m[i][j], mulMod(f, row[j]))
				}
			}
		}
		pivotRow[c] = rank
		rank++
	}
	return m, pivotRow
}

// modulus is the Mersenne prime 2^61-1: exact arithmetic in uint64, and
// large enough that a rank over it is the rank over the rationals for any
// system of sums this package builds, but for negligible chance.
const modulus = 1<<61 - 1

func addMod(a, b uint64) uint64 {
	s := a + b
	if s >= modulus {
		s -= modulus
	}
	return s
}

func subMod(a, b uint64) uint64 {
	if a >= b {
		return a - b
	}
	return a + modulus - b
}

func mulMod(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	// a·b = hi·2^64 + lo = (hi·2^3 + lo>>61)·2^61 + lo&modulus, and 2^61 ≡ 1.
	s := (hi<<3 | lo>>61) + lo&modulus
	s = s&modulus + s>>61
	if s >= modulus {
		s -= modulus
	}
	return s
}

// invMod returns a's inverse, a^(p-2) by Fermat's little theorem.
func invMod(a uint64) uint64 {
	result, base := uint64(1), a
	for e := uint64(modulus - 2); e > 0; e >>= 1 {
		if e&1 == 1 {
			result = mulMod(result, base)
		}
		base = mulMod(base, base)
	}
	return result
}
