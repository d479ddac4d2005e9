# The two commands of the README's quick start, and a few more.
#   make demo   builds `clot` in release mode and trains ASOT and CLOT on the bundled sample
#   make test   runs the whole test suite (swift test)
# Both install what is missing first (scripts/bootstrap.sh: OpenBLAS's run-time library, for the sgemm comparison).

SWIFT ?= swift
# Nothing here sets OPENBLAS_* or CLOT_* variables: results do not depend on them (REPRODUCE.md,
# "Same numbers everywhere"), and running .build/release/clot directly gives the same bytes.

.PHONY: demo test build bench bootstrap clean

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	$(SWIFT) build -c release --product clot

demo: build
	.build/release/clot demo --output demo-output

test: bootstrap
	$(SWIFT) test

bench: build
	.build/release/clot bench

clean:
	rm -rf .build
