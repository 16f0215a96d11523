# tokencert: `make test` is what CI runs (.ci/run); `make bench` measures speed.
GO ?= go

.PHONY: test vet fmt-check unit fuzz bench build

test: fmt-check vet fuzz unit

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The conformance matrix (cmd/tokencert) runs one tokencert process per
# reference-server fault and per spec. Only the conformant runs and the
# faults that break an expiry requirement wait for tokens to expire (the
# other fault runs filter out the expiry checks of requirements they do not
# break); the waiting runs are why more run at once than there are cores.
# Every top-level test of cmd/tokencert is parallel: one that is not holds
# back every parallel test after it until its own subtests end.
unit:
	$(GO) test -count=1 -parallel 16 ./...

build:
	$(GO) build -o bin/tokencert ./cmd/tokencert

# Fuzz targets (package:Target), each run for FUZZTIME (6 x 3s, about 20 s
# of CI with a warm build cache). `make unit` already replays their committed seeds
# (testdata/fuzz/<Target>/ in each package); a crash found here writes its
# input there too: fix the bug and commit the file as a regression seed.
FUZZTIME ?= 3s
FUZZ = ./target:FuzzParseTarget ./specs:FuzzParse ./schemas:FuzzValidate ./suites/wire:FuzzResponseParsers ./derive:FuzzMarkdown ./derive:FuzzHTML
# A target that no longer exists under its name fails here: go test would
# only warn "no fuzz tests to fuzz" and pass.
fuzz:
	@for f in $(FUZZ); do \
		pkg=$${f%%:*}; name=$${f#*:}; echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
		out=$$($(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s $$pkg 2>&1); rc=$$?; \
		echo "$$out"; \
		if [ $$rc -ne 0 ]; then exit $$rc; fi; \
		if echo "$$out" | grep -q 'no fuzz tests to fuzz'; then echo "make fuzz: $$pkg has no fuzz test $$name"; exit 1; fi; \
	done

# Go benchmarks, then the driver that measures full runs against the
# reference server and prints them with issue 6's targets (bench/).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./bench/cmd/tokencert-bench -runs 3
