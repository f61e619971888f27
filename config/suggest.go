package config

import "strings"

// suggest returns the known name closest to a mistyped key, or "" when nothing is close
// enough to be a plausible typo.
func suggest(typo string, known []string) string {
	best, bestDist := "", 1<<30
	t := strings.ToLower(typo)
	for _, k := range known {
		d := levenshtein(t, k)
		if strings.ReplaceAll(t, "-", "_") == k {
			d = 0
		}
		if d < bestDist || (d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	limit := len(typo)/3 + 1
	if limit > 3 {
		limit = 3
	}
	if bestDist <= limit {
		return best
	}
	return ""
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
