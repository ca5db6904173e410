#!/usr/bin/env bash
# Renders every kustomize overlay of deploy/kubernetes (and the topics) and validates each manifest
# strictly with kubeconform against the Kubernetes and CRD schemas that infra/deploy-tools.sh
# installed — offline: kubeconform never downloads a schema here, and a kind without a schema fails.
# Exits non-zero when an overlay does not render or any manifest is invalid.
#
#   bash deploy/validate.sh [kustomization dir ...]   (default: every overlay and deploy/kubernetes/topics)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KUBE="$ROOT/deploy/kubernetes"

schemas="$(bash "$ROOT/infra/deploy-tools.sh" | tail -n 1)"
kubeconform="$ROOT/.infra/bin/kubeconform"
k8s_version="${DEPLOY_KUBERNETES_VERSION:-1.30.0}"

# kubectl's built-in kustomize; without kubectl, the same kustomize as a pinned Go module.
render() {
  if command -v kubectl >/dev/null 2>&1; then
    kubectl kustomize "$1"
  else
    [[ -x $ROOT/.infra/bin/kustomize ]] ||
      GOBIN="$ROOT/.infra/bin" GOTOOLCHAIN=local go install sigs.k8s.io/kustomize/kustomize/v5@v5.5.0
    "$ROOT/.infra/bin/kustomize" build "$1"
  fi
}

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=("$KUBE"/overlays/*/ "$KUBE/topics/")
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
status=0
for dir in "${targets[@]}"; do
  dir="${dir%/}"
  name="${dir#"$ROOT"/}"
  file="$out/$(echo "$name" | tr '/' '_').yaml"
  if ! render "$dir" >"$file"; then
    echo "FAIL $name: kustomize could not render it" >&2
    status=1
    continue
  fi
  echo "== $name"
  if ! "$kubeconform" -strict -summary -output text \
    -kubernetes-version "$k8s_version" \
    -schema-location "$schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "$file"; then
    echo "FAIL $name: invalid manifests (above)" >&2
    status=1
  fi
done
[[ $status == 0 ]] && echo "deploy/validate.sh: every manifest is valid"
exit "$status"
