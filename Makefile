# cnb-report: the commands a developer (and CI) runs. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

NODE_MODULES := node_modules/.package-lock.json
DIST := dist/cnb-report.cjs
SOURCES := $(shell find src -name '*.ts') scripts/build.js package.json

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(DIST): $(NODE_MODULES) $(SOURCES)
	npm run --silent build

build: $(DIST) ## bundle the CLI into dist/

demo: $(DIST) ## run `results` on examples/report.toml and print what it wrote
	@rm -rf build/demo
	node $(DIST) results --report examples/report.toml --results-dir build/demo/results --oci-layout build/demo/layout
	@for f in build/demo/results/* build/demo/layout/index.json; do printf '\n%s:\n' "$$f"; cat "$$f"; echo; done

test: $(DIST) ## type-check, lint the YAML, run every test
	npx tsc --noEmit
	node scripts/test.js

bench: $(DIST) ## start-up and large-report benchmarks, as ratios against bare node
	node --import tsx test/bench/bench.ts

CASES ?= 100000
SEED ?= 1
fuzz: $(NODE_MODULES) ## $(CASES) fuzzed reports (mutated fixtures, deep nesting) through `results`; prints the figures
	node --import tsx test/fuzz/run.ts $(CASES) $(SEED)

image: ## build localhost/cnb-report:dev (+ build/image.oci.tar, build/image.digest), reproducibly
	scripts/e2e-deps.sh
	scripts/image.sh

e2e: $(NODE_MODULES) image ## end-to-end: the image against a real registry on loopback, run as Tekton would
	node scripts/test.js '\.itg\.ts$$'

REGISTRY ?= ghcr.io/cnb-report
release: image ## push the image to $(REGISTRY) and pin its digest in tasks/
	skopeo copy --digestfile build/release.digest oci-archive:build/image.oci.tar docker://$(REGISTRY)/cnb-report:$$(node -p 'require("./package.json").version')
	node scripts/stamp.js $$(cat build/release.digest)

clean: ## remove build output (and the container storage under build/)
	rm -rf dist build

.PHONY: help build demo test bench fuzz image e2e release clean

stamp: ## pin the cnb-report image in tasks/ to build/image.digest (or DIGEST=sha256:…)
	node scripts/stamp.js $${DIGEST:-$$(cat build/image.digest)}

.PHONY: stamp
