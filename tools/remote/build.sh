#!/usr/bin/env bash
# Builds the REAPI servers the integration tests of package remote run
# against, from the Go module proxy, into a cache folder:
#   bazel-remote v2.6.1 (remote cache), from this folder's go.mod (a tools
#   module whose go.sum is seeded from bazel-remote's own);
#   Buildbarn bb_storage, bb_scheduler, bb_worker and bb_runner (remote
#   execution), from the pinned pseudo-versions below, with the three fixes
#   that Bazel applies when it builds them (see the comments).
# Usage: tools/remote/build.sh [OUTDIR]; prints OUTDIR. A second run with the
# same pins reuses what the first built.
set -euo pipefail
export PATH="$PATH:/usr/local/go/bin"
here=$(cd "$(dirname "$0")" && pwd)

BBS=v0.0.0-20250724154143-89b920281969  # github.com/buildbarn/bb-storage
BBRE=v0.0.0-20250727072438-58b88e8adfbd # github.com/buildbarn/bb-remote-execution (its go.mod pins BBS)
RAPI=v0.0.0-20250915115802-824e1ba94b2d # github.com/bazelbuild/remote-apis, newer than bb-storage's

stamp=$(cat "$here/go.mod" "$here/go.sum" "$0" | sha256sum | cut -c1-16)
out=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/gobuildj/remote-servers-$stamp}
mkdir -p "$out" && out=$(cd "$out" && pwd)

if [ ! -x "$out/bazel-remote" ]; then
  (cd "$here" && go build -o "$out/bazel-remote.tmp" github.com/buchgr/bazel-remote/v2)
  mv "$out/bazel-remote.tmp" "$out/bazel-remote"
fi

if [ ! -x "$out/bb_runner" ]; then
  w=$(mktemp -d)
  trap 'chmod -R u+w "$w" 2>/dev/null; rm -rf "$w"' EXIT
  # The proxy's checksum database has no entry for these pseudo-versions.
  export GONOSUMDB=github.com/buildbarn
  (cd "$w" && go mod init tmp >/dev/null 2>&1 &&
    go mod download github.com/buildbarn/bb-remote-execution@$BBRE github.com/buildbarn/bb-storage@$BBS)
  mc=$(go env GOMODCACHE)
  cp -r "$mc/github.com/buildbarn/bb-remote-execution@$BBRE" "$w/rex"
  chmod -R u+w "$w/rex"
  cd "$w/rex" # its go.sum supplies the hashes from here on
  bsv=$(go list -m -f '{{.Version}}' google.golang.org/genproto/googleapis/bytestream)
  fv=$(go list -m -f '{{.Replace.Version}}' github.com/hanwen/go-fuse/v2)
  go mod download google.golang.org/genproto/googleapis/bytestream github.com/hanwen/go-fuse/v2
  cp -r "$mc/google.golang.org/genproto/googleapis/bytestream@$bsv" ../bytestream
  cp -r "$mc/github.com/hanwen/go-fuse/v2@$fv" ../gofuse
  chmod -R u+w ../bytestream ../gofuse
  # Fix 2: RegisterByteStreamServer must take a grpc.ServiceRegistrar.
  (cd ../bytestream && patch -s -p0 <"$mc/github.com/buildbarn/bb-storage@$BBS/patches/org_golang_google_genproto_googleapis_bytestream/service-registrar.diff")
  # Fix 3: go-fuse needs bb-remote-execution's patches even without FUSE.
  for p in patches/com_github_hanwen_go_fuse_v2/*.diff; do (cd ../gofuse && patch -s -p0 <"../rex/$p"); done
  # Fix 1: the remote-apis that bb-storage pins has stale generated code.
  go mod edit -replace github.com/bazelbuild/remote-apis=github.com/bazelbuild/remote-apis@$RAPI \
    -replace google.golang.org/genproto/googleapis/bytestream=../bytestream \
    -replace github.com/hanwen/go-fuse/v2=../gofuse
  GOFLAGS=-mod=mod go build -o "$out/" github.com/buildbarn/bb-storage/cmd/bb_storage \
    ./cmd/bb_scheduler ./cmd/bb_worker ./cmd/bb_runner
fi
echo "$out"
