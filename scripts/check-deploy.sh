#!/usr/bin/env bash
# Checks the Kubernetes deployment (deploy/) without a cluster: lints and renders the Helm chart, validates every
# rendered manifest against Kubernetes' own schemas, checks that a replicated install without a database is refused,
# and runs deploy/tests/test_chart.py. Needs Go (to build Helm, once) and Python 3 with venv; Helm and the
# validator's venv are kept in .cache/, so later runs take seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
CHART="$ROOT/deploy/helm/coursework"
EXAMPLE="$ROOT/deploy/values-replicas-example.yaml"
HELM_VERSION=v3.22.0
# The Kubernetes minor of Helm 3.22's client-go (v0.37), which Helm's own Makefile bakes in: what `helm lint`
# checks deprecated APIs against and what `helm template` reports as the cluster's version.
HELM_KUBE_MINOR=37
PYTHON_PACKAGES=(kubernetes-validate==1.37.0 pyyaml)
# The oldest Kubernetes Zero to JupyterHub 4.x supports, and a recent one.
KUBE_VERSIONS=(1.28.0 1.35.0)
HELM="$CACHE/bin/helm"
VENV="$CACHE/deploy-venv"
started=$SECONDS

say() { printf 'check-deploy: %s\n' "$*"; }
fail() { printf 'check-deploy: FAILED: %s\n' "$*" >&2; exit 1; }

mkdir -p "$CACHE"
# Build products, never to be committed.
[ -f "$CACHE/.gitignore" ] || printf '*\n' >"$CACHE/.gitignore"
# Helm's own caches and settings stay here too, away from the user's.
export HELM_CACHE_HOME="$CACHE/helm/cache" HELM_CONFIG_HOME="$CACHE/helm/config" HELM_DATA_HOME="$CACHE/helm/data"

if [ ! -x "$HELM" ] || [ "$("$HELM" version --template '{{.Version}}' 2>/dev/null)" != "$HELM_VERSION" ]; then
  GO="$(command -v go || true)"
  GO="${GO:-/usr/local/go/bin/go}"
  [ -x "$GO" ] || fail "Go is needed to build Helm $HELM_VERSION (none on PATH, none at /usr/local/go/bin/go)"
  say "building Helm $HELM_VERSION into .cache/bin (once; a minute or two)"
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$HELM_KUBE_MINOR"
  done
  GOBIN="$CACHE/bin" GOFLAGS=-buildvcs=false "$GO" install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi

# The venv is rebuilt only when what it should hold changes (the stamp names it).
want="${PYTHON_PACKAGES[*]}"
if [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$want" ]; then
  say "installing $want into .cache/deploy-venv (once)"
  rm -rf "$VENV"
  python3 -m venv "$VENV" || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PYTHON_PACKAGES[@]}"
  printf '%s' "$want" >"$VENV/.installed"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

say "helm lint --strict"
"$HELM" lint --strict --quiet "$CHART"
"$HELM" lint --strict --quiet "$CHART" -f "$EXAMPLE"

say "helm template: default values, the replicas example, one replica on SQLite"
template() { "$HELM" template coursework "$CHART" --namespace jupyterhub "$@"; }
template >"$out/default.yaml"
template -f "$EXAMPLE" >"$out/replicas-example.yaml"
template --set replicas=1 --set database.existingSecret= >"$out/single-replica.yaml"
manifests=$(cat "$out"/*.yaml | grep -c '^kind:')

for version in "${KUBE_VERSIONS[@]}"; do
  say "kubernetes-validate --strict against Kubernetes $version"
  # A kind it has no schema for is only a warning there; here it fails too.
  report="$("$VENV/bin/kubernetes-validate" --strict --quiet -k "$version" "$out"/*.yaml 2>&1)" && valid=1 || valid=0
  if [ "$valid" = 0 ] || [ -n "$report" ]; then
    printf '%s\n' "$report" >&2
    fail "manifests do not validate against Kubernetes $version"
  fi
done

say "replicas > 1 without a database must not render"
if refused="$(template --set database.existingSecret= 2>&1 >/dev/null)"; then
  fail "the chart rendered 2 replicas without database.existingSecret"
fi
grep -q 'replicas > 1 needs a shared PostgreSQL catalog' <<<"$refused" ||
  fail "refused, but not for the database: $refused"

say "deploy/tests/test_chart.py"
HELM="$HELM" "$VENV/bin/python" "$ROOT/deploy/tests/test_chart.py" 2>&1 | tee "$out/tests.log"
tests=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} .*/\1/p' "$out/tests.log")
skipped=$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' "$out/tests.log")

say "OK in $((SECONDS - started))s: helm lint, $manifests manifests valid for Kubernetes ${KUBE_VERSIONS[*]}," \
  "replicas without a database refused, $tests chart tests passed${skipped:+ ($skipped skipped)}"
