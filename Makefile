# cnb-report: the commands a developer (and CI) runs. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

NODE_MODULES := node_modules/.package-lock.json
DIST := dist/cnb-report.cjs
SOURCES := $(shell find src -name '*.ts') scripts/build.js scripts/code-cache.cjs examples/report.toml examples/analyzed.toml package.json

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(DIST): $(NODE_MODULES) $(SOURCES)
	npm run --silent build

build: $(DIST) ## bundle the CLI into dist/

demo: $(DIST) ## run `results` on examples/report.toml (and the analyzed.toml beside it) and print what it wrote
	@rm -rf build/demo
	node $(DIST) results --report examples/report.toml --results-dir build/demo/results --oci-layout build/demo/layout
	@for f in build/demo/results/* build/demo/layout/index.json; do printf '\n%s:\n' "$$f"; cat "$$f"; echo; done

test: $(DIST) ## type-check, lint (ESLint, Prettier), run every test
	npx tsc --noEmit
	npm run --silent lint
	node scripts/test.js

bench: $(DIST) ## start-up and large-report benchmarks, as ratios against bare node (make image first for the in-image figures)
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

# No public image is published yet. `make release REGISTRY=registry.example.com/team` pushes
# build/image.oci.tar to $(REGISTRY)/cnb-report:<version> and pins that digest in tasks/.
# ALLOW_STANDIN=1 lets an image built on stand-in bases through (local registries only);
# RELEASE_TLS_VERIFY=false pushes over plain HTTP; TASKS=dir stamps another copy of tasks/.
IMAGE_ARCHIVE := build/image.oci.tar
$(IMAGE_ARCHIVE): Dockerfile package-lock.json $(SOURCES) scripts/image.sh scripts/standin.sh
	scripts/e2e-deps.sh
	scripts/image.sh

release: $(IMAGE_ARCHIVE) ## push the image to $(REGISTRY)/cnb-report and pin its digest in tasks/
	scripts/release.sh

clean: ## remove build output (and the container storage under build/)
	rm -rf dist build

.PHONY: help build demo test bench fuzz image e2e release clean

stamp: ## pin tasks/ to an image pushed by other means: REGISTRY=… DIGEST=sha256:…
	node scripts/stamp.js "$${REGISTRY:?set REGISTRY}/cnb-report" "$${DIGEST:?set DIGEST}"

.PHONY: stamp
