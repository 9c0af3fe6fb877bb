#!/usr/bin/env bash
# What test/kubernetes.test.ts validates deploy/k8s with, all from package registries (there is no network for
# kubeconform's own schema download), cached under <root>/.tools and built once:
#   .tools/bin/kubeconform                      github.com/yannh/kubeconform, from the Go module proxy (go install)
#   .tools/k8s-schemas/kubernetes/               the Kubernetes JSON schemas for KUBERNETES_VERSION, from PyPI's
#                                                kubernetes-validate wheel (its "-local-strict" set: additionalProperties
#                                                false everywhere, refs into one _definitions.json)
#   .tools/k8s-schemas/keda/scaledobjects.yaml   KEDA's ScaledObject CRD, from KEDA's Go module zip
# Prints the .tools directory on stdout.
set -euo pipefail

readonly KUBECONFORM_MODULE='github.com/yannh/kubeconform/cmd/kubeconform'
readonly KUBECONFORM_VERSION='v0.8.0'
readonly K8S_VALIDATE_VERSION='1.37.0'
readonly KUBERNETES_VERSION='v1.33.0'
readonly KEDA_MODULE='github.com/kedacore/keda/v2'
readonly KEDA_VERSION='v2.21.0'

SCRIPT_PATH="$(readlink -f -- "${BASH_SOURCE[0]}" 2>/dev/null || printf '%s' "${BASH_SOURCE[0]}")"
ROOT="$(cd -- "$(dirname -- "$SCRIPT_PATH")/.." && pwd -P)"
readonly TOOLS="${ROOT}/.tools"
readonly SCHEMAS="${TOOLS}/k8s-schemas"

log() { printf '[kubeconform.sh] %s\n' "$*" >&2; }
die() {
  printf '[kubeconform.sh] error: %s\n' "$*" >&2
  exit 1
}

if [[ ! -x "${TOOLS}/bin/kubeconform" ]]; then
  command -v go >/dev/null 2>&1 || die "\`go\` is needed to build kubeconform"
  log "GOBIN=${TOOLS}/bin go install ${KUBECONFORM_MODULE}@${KUBECONFORM_VERSION}"
  mkdir -p "${TOOLS}/bin"
  (cd "$TOOLS" && GOBIN="${TOOLS}/bin" go install "${KUBECONFORM_MODULE}@${KUBECONFORM_VERSION}") || die "building kubeconform failed (go output above)"
fi

if [[ ! -f "${SCHEMAS}/kubernetes/${KUBERNETES_VERSION}/_definitions.json" ]]; then
  command -v python3 >/dev/null 2>&1 || die "python3 (with pip) is needed to download kubernetes-validate"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  log "python3 -m pip download --no-deps kubernetes-validate==${K8S_VALIDATE_VERSION}"
  python3 -m pip download --quiet --no-deps --only-binary=:all: "kubernetes-validate==${K8S_VALIDATE_VERSION}" -d "$tmp" >&2 ||
    die "downloading kubernetes-validate from PyPI failed"
  python3 - "$tmp"/kubernetes_validate-*.whl "${SCHEMAS}/kubernetes/${KUBERNETES_VERSION}" "${KUBERNETES_VERSION}-local-strict" <<'PY'
import sys, zipfile, os
wheel, out, subdir = sys.argv[1], sys.argv[2], sys.argv[3]
prefix = f"kubernetes_validate/kubernetes-json-schema/{subdir}/"
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.startswith(prefix) and n.endswith(".json")]
    if not names:
        sys.exit(f"no {prefix} in {wheel}")
    for n in names:
        with open(os.path.join(out, n[len(prefix):]), "wb") as f:
            f.write(z.read(n))
PY
fi

if [[ ! -f "${SCHEMAS}/keda/scaledobjects.yaml" ]]; then
  log "go mod download ${KEDA_MODULE}@${KEDA_VERSION} (for its CRDs)"
  dir="$(cd "$TOOLS" && go mod download -json "${KEDA_MODULE}@${KEDA_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -f "${dir}/config/crd/bases/keda.sh_scaledobjects.yaml" ]] || die "no ScaledObject CRD in ${dir}"
  mkdir -p "${SCHEMAS}/keda"
  cp "${dir}/config/crd/bases/keda.sh_scaledobjects.yaml" "${SCHEMAS}/keda/scaledobjects.yaml"
fi

printf '%s\n' "$TOOLS"
