# tokencert: `make test` is what CI runs (.ci/run); `make bench` measures speed.
GO ?= go

.PHONY: test vet fmt-check unit bench build manifest

test: fmt-check vet unit

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The conformance matrix (cmd/tokencert) runs one tokencert process per
# reference-server fault; most of their time is spent waiting for tokens to
# expire, so they run more at once than there are cores.
unit:
	$(GO) test -count=1 -parallel 8 ./...

build:
	$(GO) build -o bin/tokencert ./cmd/tokencert

# Go benchmarks, then the driver that measures full runs against the
# reference server and prints them with issue 6's targets (bench/).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./bench/cmd/tokencert-bench -runs 3
