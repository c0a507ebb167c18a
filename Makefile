# Conventional entry points; gobuildj's own Buildfile.toml does the same
# with content-hash skipping (`go run ./cmd/gobuildj`).
GO ?= go
PREFIX ?= $(HOME)/go

.PHONY: all build test bench bench-go install clean

all: build

# A static binary starts ~1 ms faster than a cgo one (see docs of -j no-op builds).
# gobuildj-remote, the companion that holds the gRPC client of remote
# builds, goes beside it.
build:
	CGO_ENABLED=0 $(GO) build -o bin/gobuildj ./cmd/gobuildj
	CGO_ENABLED=0 $(GO) build -o bin/gobuildj-remote ./cmd/gobuildj-remote

# The test command of the README and of CI.
test:
	$(GO) vet ./...
	$(GO) test -race -timeout 30m ./...

# gobuildj next to ninja, make and go-task (installed if missing), in
# interleaved rounds: a Markdown table of medians, ratios and peak RSS
# (about 12 minutes on 2 cores; 14 with the installs). BENCHFLAGS="-sizes 1000 -layered ''" is quicker.
bench:
	$(GO) run ./bench/compare $(BENCHFLAGS)

# The Go benchmarks of the packages (parsing, globs, hashing, state, scheduling).
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

install:
	CGO_ENABLED=0 $(GO) install ./cmd/gobuildj ./cmd/gobuildj-remote

clean:
	rm -rf bin .gobuildj examples/*/.gobuildj examples/hello/build examples/c/build examples/go/bin examples/go/build
