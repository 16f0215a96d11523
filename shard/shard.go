// Package shard splits a fleet of targets among n jobs (a CI matrix, a
// Kubernetes Indexed Job) by rendezvous hashing of each target's name: the
// split is the same on every machine, adding or removing a target moves
// only that target, and changing n moves only about 1/n of them.
package shard

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// IndexEnv names the environment variables that give the shard index when
// a spec gives only "/n", first to last: tokencert's own, then the one a
// Kubernetes Indexed Job sets in each pod.
var IndexEnv = []string{"TOKENCERT_SHARD_INDEX", "JOB_COMPLETION_INDEX"}

// Shard is job Index (from 0) of Count.
type Shard struct{ Index, Count int }

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Parse reads "i/n" (i from 0 to n-1), or "/n" with i from the first of
// IndexEnv that getenv finds set.
func Parse(spec string, getenv func(string) string) (Shard, error) {
	is, ns, ok := strings.Cut(strings.TrimSpace(spec), "/")
	if !ok {
		return Shard{}, fmt.Errorf("%q: want i/n, e.g. 0/4 (indexes start at 0), or /n to take i from $%s", spec, strings.Join(IndexEnv, " or $"))
	}
	n, err := strconv.Atoi(ns)
	if err != nil || n < 1 {
		return Shard{}, fmt.Errorf("%q: the shard count %q is not a whole number of at least 1", spec, ns)
	}
	from := ""
	if is == "" {
		for _, name := range IndexEnv {
			if v := getenv(name); v != "" {
				is, from = v, " (from $"+name+")"
				break
			}
		}
		if from == "" {
			return Shard{}, fmt.Errorf("%q gives no shard index, and none of $%s is set", spec, strings.Join(IndexEnv, ", $"))
		}
	}
	i, err := strconv.Atoi(strings.TrimSpace(is))
	if err != nil || i < 0 {
		return Shard{}, fmt.Errorf("%q: the shard index %q%s is not a whole number of at least 0", spec, is, from)
	}
	if i >= n {
		return Shard{}, fmt.Errorf("%q: the shard index %d%s is not below the shard count %d (indexes run from 0 to %d)", spec, i, from, n, n-1)
	}
	return Shard{Index: i, Count: n}, nil
}

// Of returns the shard (from 0) of count that owns the target named name.
func Of(name string, count int) int {
	best, owner := uint64(0), 0
	for j := range count {
		sum := sha256.Sum256([]byte(strconv.Itoa(j) + "\x00" + name))
		if w := binary.BigEndian.Uint64(sum[:8]); j == 0 || w > best {
			best, owner = w, j
		}
	}
	return owner
}

// Owns reports whether this shard owns the target named name.
func (s Shard) Owns(name string) bool { return Of(name, s.Count) == s.Index }
