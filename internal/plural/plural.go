// Package plural writes counts with their noun in the right number: "1
// spec", "2 specs", "0 errors".
package plural

import "fmt"

// N is n and the noun, "s" added unless n is 1: N(1, "spec") is "1 spec",
// N(3, "failure") "3 failures".
func N(n int, noun string) string { return Irregular(n, noun, noun+"s") }

// Irregular is n and one or many, as n is 1 or not: Irregular(2, "entry",
// "entries") is "2 entries".
func Irregular(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
